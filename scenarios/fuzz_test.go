package scenarios

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzParse checks that no input makes Parse panic, that a config it
// accepts is valid, and that every problem it reports is well formed.
//
//	go test -fuzz FuzzParse -fuzztime 30s ./scenarios/
func FuzzParse(f *testing.F) {
	for _, name := range Names() {
		data, err := builtins.ReadFile(name + ".toml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		minimal,
		withTraffic(`{ distribution = "empirical", file = "d.txt" }`, ""),
		withTraffic(`{ distribution = "empirical", file = "bad.txt" }`, ""),
		withTraffic(`{ distribution = "lognormal", median = 2, p99 = "-5s" }`, "colour = 1\n"),
		"[fleet]\ntargets = \"4\"\nsize = 3\n",
		"name = \"x\n[fleet\n",
		"traffic = [1, { rate = 2, duration = { distribution = \"pareto\", shape = 1e400 } }]\n",
		"[[scale_in]]\nat = 1979-05-27\n[[scale_in.x]]\n",
		minimal + "[sweep]\ndelays = { from = \"0s\", to = \"1h\", step = \"1s\" }\n",
		"\ufeffseed = -1\nhorizon = \"1e9h\"\n",
		"[load_balancer]\ntype = \"elb\"\n\"a.b\" = 1979-05-27\n[platform]\ntype = \"ecz\"\n" + minimal + "pick = \"x\"\n",
	} {
		f.Add([]byte(s))
	}
	fsys := fstest.MapFS{
		"d.txt":   {Data: []byte("1\n2.5\n")},
		"bad.txt": {Data: []byte("x\n")},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1

		cfg, err := Parse("f.toml", data, fsys)
		if err == nil {
			if cfg == nil {
				t.Fatal("nil config without an error")
			}
			if err := cfg.Validate(); err != nil {
				t.Fatalf("accepted an invalid config: %v", err)
			}
			return
		}
		if cfg != nil {
			t.Fatal("a config with an error")
		}
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 {
			t.Fatalf("error is not a non-empty Errors: %#v", err)
		}
		for _, e := range es {
			if e == nil || e.Msg == "" {
				t.Fatalf("empty problem in %v", err)
			}
			if strings.Contains(e.Msg, "internal error") {
				t.Fatal(e.Msg)
			}
			if e.File == "f.toml" && (e.Line < 0 || e.Line > lines || e.Col < 0) {
				t.Fatalf("position %d:%d outside the %d-line input: %v", e.Line, e.Col, lines, e)
			}
		}

		// The locator runs only on text the parser accepted; make sure it
		// copes with anything.
		l := newLocator(string(data))
		l.nearest("traffic[0].duration.p99")
	})
}
