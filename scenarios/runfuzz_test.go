package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/drainsim/drainsim/model"
)

// The budget FuzzScenarioRun keeps each input to. Inputs the validator
// accepts but that ask for more work are skipped, not failed: they are
// legitimate scenarios, just too big to simulate thousands of times a
// minute. Within the budget a replication takes milliseconds, so the
// watchdog's limits are far above anything a correct model needs.
const (
	fuzzMaxTargets  = 50
	fuzzMaxSpan     = 2 * time.Hour    // simulated time, keepalive-race's
	fuzzMaxArrivals = 1e5              // Σ rate × simulated span
	fuzzMaxInFlight = 1e5              // Σ rate × mean duration (the stationary start's load)
	fuzzWallLimit   = 60 * time.Second // per input, on a loaded 2-core machine
	fuzzHeapLimit   = 1 << 30          // bytes of live heap objects

)

// FuzzScenarioRun fuzzes the whole path a scenario takes through the CLI's
// `run`: TOML bytes → Parse → validation → model.Run of one replication
// over a short horizon. It requires that nothing panics, that a config
// Parse accepts runs without an error (an error from Run is the model's
// accounting identity failing, or a config Parse should have refused),
// that the result is self-consistent and encodes as JSON (NaN and ±Inf do
// not), and that a second run with the same seed is identical.
//
// A scenario with no horizon runs until its scale-ins finish; the target
// gives it one (2 minutes after the last scale-in) so that the work is
// bounded, and asks for the stationary start that such a scenario would
// have had where the model allows it (so only the minutes around the
// scale-ins are simulated). Inputs over the budget above are
// skipped. What the bounds cannot stop — a run that never advances its
// clock, or grows without limit inside the budget — the watchdog turns
// into a crash of the fuzzing process, which saves the input as a
// crasher: a time limit per input and a limit on the live heap.
//
//	go test -run '^$' -fuzz FuzzScenarioRun -fuzztime 10m -parallel 1 ./scenarios
func FuzzScenarioRun(f *testing.F) {
	for _, name := range Names() {
		data, err := builtins.ReadFile(name + ".toml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	cli, err := filepath.Glob(filepath.Join("..", "cmd", "drainsim", "testdata", "*.toml"))
	if err != nil {
		f.Fatal(err)
	}
	if len(cli) == 0 {
		f.Fatal("no cmd/drainsim/testdata/*.toml seeds")
	}
	for _, p := range cli {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// The keys no built-in uses: rate profiles (a step at one time, a
	// single point), a diurnal shape, a rate file, worker limits.
	for _, extra := range []string{
		`[[traffic.profile]]` + "\nat = \"1m\"\nrate = 0\n[[traffic.profile]]\nat = \"1m\"\nrate = 20\n",
		`[[traffic.profile]]` + "\nat = \"30s\"\nrate = 5\n",
		"diurnal = { peak = 30, trough = 2, peak_hour = 0.05 }\n",
		"rate_file = \"r.csv\"\n",
	} {
		f.Add([]byte(fuzzVarying + extra + fuzzScaleIn))
	}
	f.Add([]byte(strings.Replace(fuzzVarying, "targets = 4", "targets = 4\nmax_concurrency = 2\nbacklog = 1", 1) + "rate = 20\n" + fuzzScaleIn))
	fsys := fstest.MapFS{"d.txt": {Data: []byte("1\n2.5\n0.1\n")}, "r.csv": {Data: []byte("time_s,RequestCount\n0,600\n60,1200\n180,60\n")}}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("f.toml", data, fsys)
		if err != nil {
			return // FuzzParse checks the errors
		}
		if !fuzzBound(cfg) {
			t.Skip("over the fuzz budget")
		}
		stop := watchdog(data)
		defer stop()
		a := fuzzRun(t, cfg)
		b := fuzzRun(t, cfg)
		if !bytes.Equal(a, b) {
			t.Fatalf("same seed, different results:\n%s\n%s", a, b)
		}
	})
}

// fuzzVarying and fuzzScaleIn frame the seeds of the time-varying keys:
// a scenario up to its one traffic class's rate, and its scale-in.
const (
	fuzzVarying = "name = \"v\"\nhorizon = \"4m\"\n[fleet]\ntargets = 4\n[[traffic]]\nname = \"api\"\nduration = { distribution = \"exponential\", mean = \"1s\" }\n"
	fuzzScaleIn = "[[scale_in]]\nat = \"2m\"\ntargets = 1\n"
)

// fuzzBound fits cfg to the fuzz budget in place: one replication and a
// horizon of at most fuzzMaxHorizon. It reports false when cfg is over the
// budget or the fitted config is not valid.
func fuzzBound(cfg *model.Config) bool {
	if cfg.Fleet.Targets > fuzzMaxTargets {
		return false
	}
	cfg.Replications = 1
	if cfg.Horizon == 0 {
		var last time.Duration
		for _, s := range cfg.ScaleIn {
			last = max(last, s.At)
		}
		cfg.Horizon = last + 2*time.Minute
		if cfg.Start == "" || cfg.Start == model.StartAuto {
			// What the scenario would have had without a horizon, where
			// the model can start stationary; else start empty.
			cfg.Start = model.StartStationary
			if cfg.Validate() != nil {
				cfg.Start = model.StartAuto
			}
		}
	}
	// The simulated span: from 0, or from the stationary start's lead
	// before the first scale-in (model/stationary.go) when the model
	// takes it.
	span := cfg.Horizon
	if cfg.Start == model.StartStationary && len(cfg.ScaleIn) > 0 {
		first := cfg.ScaleIn[0].At
		for _, s := range cfg.ScaleIn {
			first = min(first, s.At)
		}
		span = cfg.Horizon - (first - max(time.Minute, cfg.IdleConnectionLifetime()))
	}
	if span > fuzzMaxSpan {
		return false
	}
	var arrivals, load float64
	for i := range cfg.Traffic {
		tc := &cfg.Traffic[i]
		// A profile or diurnal shape leaves Rate 0: bound by its peak.
		rate := tc.Rate
		for _, p := range tc.Profile {
			rate = max(rate, p.Rate)
		}
		if tc.Diurnal != nil {
			rate = max(rate, tc.Diurnal.Peak)
		}
		arrivals += rate * span.Seconds()
		// An infinite mean rules out the stationary start (validated),
		// so such a class adds only its arrivals.
		if m := tc.Duration.Law(rand.NewPCG(0, 0)).Mean(); m > 0 && !math.IsInf(m, 1) {
			load += rate * m
		}
	}
	if !(arrivals <= fuzzMaxArrivals && load <= fuzzMaxInFlight) { // NaN too
		return false
	}
	return cfg.Validate() == nil
}

// fuzzRun runs replication 0 of cfg, checks the result and returns it as
// JSON.
func fuzzRun(t *testing.T, cfg *model.Config) []byte {
	t.Helper()
	res, err := model.Run(cfg, 0)
	if err != nil {
		t.Fatalf("a valid config failed to run: %v", err)
	}
	if res.End > cfg.Horizon {
		t.Fatalf("ended at %v after the horizon %v", res.End, cfg.Horizon)
	}
	if res.Arrivals < 0 || res.Dropped < 0 || res.Completed < 0 || res.InFlight < 0 || res.Dropped > res.Arrivals {
		t.Fatalf("impossible counts: arrivals %d, completed %d, dropped %d, in flight %d",
			res.Arrivals, res.Completed, res.Dropped, res.InFlight)
	}
	if len(res.ScaleIns) != len(cfg.ScaleIn) {
		t.Fatalf("%d scale-in results for %d scale-ins", len(res.ScaleIns), len(cfg.ScaleIn))
	}
	for _, x := range []float64{res.CostUSD, res.ReconnectPeakPerS} {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			t.Fatalf("cost %v, reconnect peak %v: want finite and non-negative", res.CostUSD, res.ReconnectPeakPerS)
		}
	}
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatalf("result does not encode: %v", err)
	}
	return out
}

// watchdog crashes the process, naming the input, if the run it guards
// takes longer than fuzzWallLimit or the live heap grows past
// fuzzHeapLimit; the fuzzing engine then saves the input. A goroutine
// cannot stop a runaway loop, but it can report it. stop ends the watch.
func watchdog(data []byte) (stop func()) {
	done := make(chan struct{})
	go func() {
		deadline := time.NewTimer(fuzzWallLimit)
		defer deadline.Stop()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-done:
				return
			case <-deadline.C:
				panic(fmt.Sprintf("scenario ran for over %v:\n%s", fuzzWallLimit, data))
			case <-tick.C:
				metrics.Read(heap)
				if v := heap[0].Value; v.Kind() == metrics.KindUint64 && v.Uint64() > fuzzHeapLimit {
					panic(fmt.Sprintf("scenario's heap grew past %d MiB:\n%s", fuzzHeapLimit>>20, data))
				}
			}
		}
	}()
	return func() { close(done) }
}
