package accesslog_test

import (
	"bytes"
	"testing"

	"github.com/drainsim/drainsim/accesslog"
)

// BenchmarkParse parses and fits a log of 10 000 lognormal requests and
// reports lines per second.
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	const n = 10_000
	genLog(b, &buf, 1, "https", n, 100, lognormalLaw(1, 2, 5))
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var f accesslog.Fitter
		if _, err := accesslog.Parse(bytes.NewReader(data), "bench.log", func(e accesslog.Entry) error {
			f.Add(e)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		f.Summary()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}
