package model

import (
	"fmt"
	"github.com/drainsim/drainsim/internal/bareheap"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// The model benchmarks run a payments-api-like scenario (built in code, as
// scenarios/payments-api.toml: an ALB with round robin, 10 targets,
// lognormal requests with median 2 s and p99 5 s, two targets removed at
// 10 min with a 60 s deregistration delay) at arrival rates scaled so that
// a given number of requests is in flight. A stationary start fills the
// targets at 9 min, so each run simulates about 70 s: the minute before
// the scale-in and the drain. One benchmark iteration is one whole run
// (model.Run, as a sweep cell does), set-up included.
//
// Next to each model size runs a bare binary heap (a copy of sim's
// BenchmarkBareHeap: M/M/∞, no payload, no handles, no interface) with as
// many events resident as the model has requests in flight, so that the
// ratio of their events/s is visible in one run.

// inflightSizes are the mean numbers of requests in flight; 430 is
// payments-api itself (200 requests/s).
var inflightSizes = []int{430, 2_000, 20_000, 200_000}

// meanDuration is the mean of the lognormal with median 2 s and p99 5 s,
// in seconds: 2·exp(σ²/2), σ = ln 2.5 / z₀.₉₉.
var meanDuration = func() float64 {
	sigma := math.Log(2.5) / z99
	return 2 * math.Exp(sigma*sigma/2)
}()

// paymentsLike returns the payments-api scenario with arrivals at the rate
// that keeps inflight requests in flight on average.
func paymentsLike(inflight int) *Config {
	c := Default()
	c.Name = "payments-api-like"
	c.TargetGroup.DeregistrationDelay = 60 * time.Second
	c.Fleet = Fleet{Targets: 10, PricePerHour: 0.096}
	c.Traffic = []Traffic{{
		Name: "api",
		Kind: KindRequest,
		Rate: float64(inflight) / meanDuration,
		Duration: Distribution{
			Distribution: LogNormal,
			Median:       2 * time.Second,
			P99:          5 * time.Second,
		},
	}}
	c.ScaleIn = []ScaleIn{{At: 10 * time.Minute, Targets: 2, Pick: PickOldest}}
	return &c
}

func BenchmarkModel(b *testing.B) {
	for _, n := range inflightSizes {
		b.Run(fmt.Sprintf("inflight=%d/model", n), func(b *testing.B) {
			cfg := paymentsLike(n)
			if err := cfg.Validate(); err != nil {
				b.Fatal(err)
			}
			var events uint64
			rep := 0
			b.ReportAllocs()
			for b.Loop() {
				res, err := Run(cfg, rep)
				if err != nil {
					b.Fatal(err)
				}
				events += res.Events
				rep++
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
			b.ReportMetric(float64(events)/float64(rep), "events/run")
		})
		b.Run(fmt.Sprintf("inflight=%d/bareheap", n), func(b *testing.B) {
			benchBareHeap(b, n)
		})
	}
}

// BenchmarkModelMemory measures the heap a run holds at a known number of
// requests in flight: right after a stationary start has filled the
// targets (Go's heap after a GC, before and after newRunner). bytes/inflight
// divides the whole growth, fixed costs included, by the requests in
// flight; marginal-bytes/inflight is the slope between this size and a
// tenth of it, which leaves out what does not grow with the load. Slices
// grown by append keep up to 25 % spare capacity, which both include.
func BenchmarkModelMemory(b *testing.B) {
	for _, n := range inflightSizes[1:] {
		b.Run(fmt.Sprintf("inflight=%d", n), func(b *testing.B) {
			var bytes, small float64
			var inflight, smallN int64
			for b.Loop() {
				bytes, inflight = runnerHeap(b, paymentsLike(n))
				small, smallN = runnerHeap(b, paymentsLike(n/10))
			}
			b.ReportMetric(bytes/float64(inflight), "bytes/inflight")
			b.ReportMetric((bytes-small)/float64(inflight-smallN), "marginal-bytes/inflight")
			b.ReportMetric(float64(inflight), "inflight")
		})
	}
}

// runnerHeap returns the live heap a runner for cfg holds once its
// stationary start has filled the targets, and how many requests are then
// in flight.
func runnerHeap(tb testing.TB, cfg *Config) (bytes float64, inflight int64) {
	tb.Helper()
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := newRunner(cfg, 0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	for c := range r.classes {
		inflight += r.classes[c].live
	}
	if inflight == 0 {
		tb.Fatal("stationary start left nothing in flight")
	}
	runtime.KeepAlive(r)
	return float64(after.HeapAlloc) - float64(before.HeapAlloc), inflight
}

// TestPaymentsLikeInFlight checks that the benchmark scenario has the
// intended load: a stationary start with about n requests in flight.
func TestPaymentsLikeInFlight(t *testing.T) {
	for _, n := range []int{2_000, 20_000} {
		_, got := runnerHeap(t, paymentsLike(n))
		// Poisson per target: the total is within a few √n of n.
		if d := math.Abs(float64(got) - float64(n)); d > 5*math.Sqrt(float64(n)) {
			t.Errorf("inflight = %d, want about %d", got, n)
		}
	}
}

// The bare heap below is a copy of sim's (sim/bench_test.go): keep them
// identical.

func benchBareHeap(b *testing.B, n int) {
	r := rand.New(rand.NewPCG(1, 2))
	meanIA, meanHold := float64(time.Second)/float64(n), float64(time.Second)
	interArrival := func() time.Duration { return time.Duration(r.ExpFloat64() * meanIA) }
	holding := func() time.Duration { return time.Duration(r.ExpFloat64() * meanHold) }
	q := &bareheap.Heap{}
	q.Reserve(n + n/4 + 1024)
	for range n {
		q.Push(holding(), false)
	}
	q.Push(interArrival(), true)
	var now time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ev := q.Pop()
		now = ev.At
		if ev.Arrival() {
			q.Push(now+interArrival(), true)
			q.Push(now+holding(), false)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
}
