package accesslog_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/drainsim/drainsim/accesslog"
)

// A log of 20 000 requests arriving at 50 per second, whose durations
// are lognormal with median 2 s and p99 5 s, written with a Writer and
// fitted back.
func ExampleFitter() {
	var buf bytes.Buffer
	w := accesslog.NewWriter(&buf)
	arrivals := rand.New(rand.NewPCG(1, 1))
	mu := math.Log(2)
	law := distuv.LogNormal{Mu: mu, Sigma: (math.Log(5) - mu) / distuv.UnitNormal.Quantile(0.99), Src: rand.NewPCG(1, 2)}
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for range 20_000 {
		at = at.Add(time.Duration(arrivals.ExpFloat64() / 50 * float64(time.Second)))
		d := law.Rand()
		_ = w.Write(accesslog.Record{
			Type: "https", Time: at.Add(time.Duration(d * float64(time.Second))), RequestCreated: at,
			Client: "192.0.2.10:2817", Target: "10.0.0.1:80",
			RequestProcessing: 0.001, TargetProcessing: d - 0.001, ResponseProcessing: 0,
			ELBStatus: 200, TargetStatus: 200,
		})
	}

	var f accesslog.Fitter
	st, err := accesslog.Parse(&buf, "generated.log", func(e accesslog.Entry) error {
		f.Add(e)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	f.AddStats(st)
	s := f.Summary()
	c := s.Classes[0]
	fmt.Printf("%s (%s): %d requests over %.0f s, %.1f/s (busiest minute %.1f/s)\n",
		c.Class, c.Kind, c.Requests, s.SpanS, c.RatePerS, c.PeakRatePerS)
	fmt.Printf("durations: p50 %.3fs p90 %.3fs p99 %.3fs p99.9 %.3fs max %.3fs\n",
		c.DurationP50, c.DurationP90, c.DurationP99, c.DurationP999, c.DurationMax)
	fmt.Printf("lognormal: mu %.4f sigma %.4f, median %.3fs p99 %.3fs\n",
		c.LognormalMu, c.LognormalSigma, c.LognormalMedian, c.LognormalP99)
	fmt.Printf("KS distance %.4f (limit %.2f): suggest %s\n", c.KSD, c.KSLimit, c.Suggested)
	// Output:
	// http (request): 20000 requests over 405 s, 49.4/s (busiest minute 50.1/s)
	// durations: p50 1.997s p90 3.330s p99 5.041s p99.9 6.590s max 9.780s
	// lognormal: mu 0.6935 sigma 0.3942, median 2.001s p99 5.005s
	// KS distance 0.0046 (limit 0.05): suggest lognormal
}
