package editdist

import (
	"math"
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"rate", "rate", 0}, {"kitten", "sitting", 3}, {"", "rate", 4},
		{"payments-tg", "payment-tg", 1},
		{strings.Repeat("a", 65), "a", math.MaxInt}, // too long to be close
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
