package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRunFast: --fast auto runs diurnal-api's day on the fast path and
// says so among the assumptions; --fast off (the default) lists nothing;
// a bad mode is a usage error naming the allowed values.
func TestRunFast(t *testing.T) {
	out, _ := runOK(t, "run", "diurnal-api", "--horizon", "24h", "--fast", "auto")
	assert.Contains(t, out, `fast = "auto" (used: per-minute counts`)
	assert.Contains(t, out, "per day: scale-ins / scale-outs / dropped")
	out, _ = runOK(t, "run", "diurnal-api", "--horizon", "2h", "--fast", "off")
	assert.NotContains(t, out, `fast = `)
	_, stderr, code := drainsim("run", "diurnal-api", "--fast", "fastest")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `invalid --fast "fastest": must be auto or off`)
}
