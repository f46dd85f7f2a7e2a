package scenarios

import (
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocatorFind(t *testing.T) {
	const src = `# comment with [brackets] and key = "x"
name = "a # not a comment"
seed = 1 # trailing [comment]
multi = """
fleet.targets = 3
[fake]
"""
lit = '''
'[fake2]' """ '''
"quoted key" = 1
'lit.key'.sub = 2
[fleet]
targets = 4   # the 4 targets
[target_group]
deregistration_delay = "60s"
[[traffic]]
rate = 1
duration = { distribution = "lognormal", median = "2s", p99 = "5s" }
[[traffic]]
  rate   =   2
  duration.distribution = "empirical"
  duration . file = "d.txt"
[[traffic.sub]]
x = 1
[[traffic.sub]]
x = 2
[sweep]
delays = [ "0s",
  "60s", # comment ]
  { a = 1 } ]
nested = { a = { b = [ { c = 1 }, { c = 2 } ] } }
arr = [[1, 2], [3, { d = 4 }]]
date = 1979-05-27 07:32:00Z
after = 1
`
	tests := []struct {
		path      string
		line, col int // 0: not found
	}{
		{"name", 2, 1},
		{"seed", 3, 1},
		{"multi", 4, 1},
		{"fleet.targets", 13, 1},
		{"fake", 0, 0},
		{"lit", 8, 1},
		{"fake2", 0, 0},
		{`"quoted key"`, 10, 1},
		{`"lit.key"`, 11, 1},
		{`"lit.key".sub`, 11, 11},
		{"fleet", 12, 2},
		{"target_group.deregistration_delay", 15, 1},
		{"traffic", 16, 3},
		{"traffic[0]", 16, 3},
		{"traffic[0].rate", 17, 1},
		{"traffic[0].duration", 18, 1},
		{"traffic[0].duration.distribution", 18, 14},
		{"traffic[0].duration.median", 18, 42},
		{"traffic[0].duration.p99", 18, 57},
		{"traffic[1]", 19, 3},
		{"traffic[1].rate", 20, 3},
		{"traffic[1].duration", 21, 3},
		{"traffic[1].duration.distribution", 21, 12},
		{"traffic[1].duration.file", 22, 14},
		{"traffic[2]", 0, 0},
		{"traffic[1].sub[0].x", 24, 1},
		{"traffic[1].sub[1].x", 26, 1},
		{"traffic[0].sub", 0, 0},
		{"sweep.delays", 28, 1},
		{"sweep.delays[0]", 28, 12},
		{"sweep.delays[1]", 29, 3},
		{"sweep.delays[2]", 30, 3},
		{"sweep.delays[2].a", 30, 5},
		{"sweep.delays[3]", 0, 0},
		{"sweep.nested.a.b[1].c", 31, 37},
		{"sweep.arr[1][1].d", 32, 22},
		{"sweep.date", 33, 1},
		{"sweep.after", 34, 1},
	}
	var v map[string]any
	_, err := toml.Decode(src, &v)
	require.NoError(t, err, "the test input is valid TOML")
	l := newLocator(src)
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, ok := l.find(tt.path)
			assert.Equal(t, tt.line != 0, ok)
			assert.Equal(t, pos{tt.line, tt.col}, p)
		})
	}
}

func TestLocatorNearest(t *testing.T) {
	const src = "\ufeff[fleet]\nprice_per_hour = 1\n[[traffic]]\nrate = 1\nduration = { distribution = \"constant\" }\n"
	l := newLocator(src)
	tests := []struct {
		path      string
		line, col int
	}{
		{"fleet.targets", 1, 2},             // absent: at its table's header
		{"fleet.price_per_hour", 2, 1},      // present
		{"traffic[0].duration.value", 5, 1}, // absent: at the inline table's key
		{"traffic[0].kind", 3, 3},
		{"traffic[3].rate", 3, 3}, // no such element: at the array
		{"scale_in", 0, 0},
		{"scale_in[0].at", 0, 0},
		{"", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			assert.Equal(t, pos{tt.line, tt.col}, l.nearest(tt.path))
		})
	}
}

func TestParent(t *testing.T) {
	tests := []struct{ path, want string }{
		{"traffic[1].duration.p99", "traffic[1].duration"},
		{"traffic[1].duration", "traffic[1]"},
		{"traffic[1]", "traffic"},
		{"traffic", ""},
		{"a[1][2]", "a[1]"},
		{`x."a.b"`, "x"},
		{`"a.b".c`, `"a.b"`},
		{`"a.b"`, ""},
		{`"`, ""},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parent(tt.path), tt.path)
	}
}

func TestQuoteKey(t *testing.T) {
	assert.Equal(t, "rate", quoteKey("rate"))
	assert.Equal(t, "p99", quoteKey("p99"))
	assert.Equal(t, `"a b"`, quoteKey("a b"))
	assert.Equal(t, `""`, quoteKey(""))
	assert.Equal(t, `traffic[1]."x.y"`, join(index("traffic", 1), "x.y"))
}

// TestLocatorMalformed feeds text the TOML parser would reject; the
// locator must still stop and not panic.
func TestLocatorMalformed(t *testing.T) {
	for _, src := range []string{
		"", "[", "[[", "[a", "a", "a =", `a = "`, `a = """`, `a = '''x`, "a = [", "a = {", "a = { b",
		`"\`, `a = "\`, "= 1", "a.", "[a.]", "a = [{", "]]]", "}}}", "a = [}", `"\u12" = 1`,
	} {
		assert.NotPanics(t, func() {
			l := newLocator(src)
			l.nearest("a.b[0].c")
		}, "%q", src)
	}
}
