package scenarios

import (
	"reflect"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probe has field types model.Config may grow into.
type probe struct {
	Ptr   *float64          `toml:"ptr"`
	Sub   *probeSub         `toml:"sub"`
	Durs  []time.Duration   `toml:"durs"`
	Tags  map[string]uint8  `toml:"tags"`
	Small int8              `toml:"small"`
	Any   any               `toml:"any"`
	Subs  []*probeSub       `toml:"subs"`
	Self  selfDecoding      `toml:"self"`
	Skip  string            `toml:"-"`
	Bare  string            // no tag: the key is the field name
	Named map[string]string `toml:"named,omitempty"`
}

type probeSub struct {
	D time.Duration `toml:"d"`
}

type selfDecoding struct{ v any }

func (s *selfDecoding) UnmarshalTOML(v any) error { s.v = v; return nil }

// TestCheckerTypes runs the checker on field types model.Config does not
// have (yet), one key per case.
func TestCheckerTypes(t *testing.T) {
	tests := []struct {
		src  string
		want string // "" when the value is accepted
	}{
		{`ptr = 1.5`, ""},
		{`ptr = "x"`, `s.toml:1:1: ptr: must be a number (got string "x")`},
		{`sub = { d = "1s" }`, ""},
		{`sub = { d = 1 }`, `s.toml:1:9: sub.d: a duration needs a unit, e.g. "1s" (got 1)`},
		{`sub = 3`, `s.toml:1:1: sub: must be a table: write a [sub] section (got integer 3)`},
		{`durs = ["1s", "2m"]`, ""},
		{`durs = ["1s", 2]`, `s.toml:1:15: durs[1]: a duration needs a unit, e.g. "2s" (got 2)`},
		{`durs = "1s"`, `s.toml:1:1: durs: must be an array (got string "1s")`},
		{"[[durs]]\nd = 1", `s.toml:1:3: durs: must be an array (got an array of tables)`},
		{`tags = { a = 1, b = 300 }`, `s.toml:1:17: tags.b: must be a smaller whole number (got integer 300)`},
		{`tags = { "x y" = -1 }`, `s.toml:1:10: tags."x y": must not be negative (got -1)`},
		{`small = 128`, `s.toml:1:1: small: must be a smaller whole number (got integer 128)`},
		{`small = -128`, ""},
		{`any = [1, "x", { y = 2 }]`, ""},
		{"[[subs]]\nd = \"1s\"\n[[subs]]\nd = \"x\"", `s.toml:4:1: subs[1].d: is not a duration (got "x"); write a number and a unit, e.g. "90s", "5m" or "1h30m"; units are ns, us, ms, s, m and h, up to 2562047h`},
		{`subs = [{ d = "1s" }, 2]`, `s.toml:1:23: subs[1]: must be a table (got integer 2)`},
		{`self = [1, { x = "anything" }]`, ""},
		{`Skip = "x"`, `s.toml:1:1: Skip: unknown key; the keys here are ptr, sub, durs, tags, small, any, subs, self, Bare, named`},
		{`Bare = "x"`, ""},
		{`named = { a = "b" }`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			var raw map[string]any
			_, err := toml.Decode(tt.src, &raw)
			require.NoError(t, err)
			p := &parser{file: "s.toml", loc: newLocator(tt.src), reported: map[string]bool{}}
			c := &checker{p: p}
			c.table("", nil, raw, reflect.TypeFor[probe]())
			got := ""
			if len(p.errs) > 0 {
				got = p.errs.Error()
			}
			assert.Equal(t, tt.want, got)
			if tt.want == "" {
				// What the checker accepts, the decoder decodes.
				var v probe
				_, err := toml.Decode(tt.src, &v)
				assert.NoError(t, err)
			}
		})
	}
}

func TestDistance(t *testing.T) {
	assert.Equal(t, 0, distance("rate", "rate"))
	assert.Equal(t, 1, distance("rat", "rate"))
	assert.Equal(t, 1, distance("deregistation_delay", "deregistration_delay"))
	assert.Equal(t, 3, distance("kitten", "sitting"))
	assert.Equal(t, 4, distance("", "rate"))
}
