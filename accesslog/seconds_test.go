package accesslog

import (
	"testing"
	"time"
)

func TestSecondsExact(t *testing.T) {
	for d, want := range map[time.Duration]string{1929323 * time.Microsecond: "1.929323s", 2 * time.Second: "2s", 1500 * time.Millisecond: "1.5s", 0: "0s", 7: "0.000000007s"} {
		if got := seconds(d); got != want {
			t.Errorf("seconds(%v) = %q, want %q", d, got, want)
		}
	}
}
