package haproxy

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/drainsim/drainsim/model"
)

// TestScenarioScaled checks that drainsim's equivalent of a case is the
// case ×Scale: the rate divided, durations, delay, scale-in time and
// horizon multiplied, and the load balancer type and termination matching
// the mode. These tests need no HAProxy.
func TestScenarioScaled(t *testing.T) {
	c := with(base("rr"), 200*time.Millisecond, 3)
	cfg, err := Scenario(c)
	if err != nil {
		t.Fatal(err)
	}
	tr := cfg.Traffic[0]
	if tr.Rate != c.Rate/Scale || tr.Duration.Median != time.Second || tr.Duration.P99 != 10*time.Second {
		t.Errorf("traffic %+v: want rate %g, median 1s, p99 10s", tr, c.Rate/Scale)
	}
	if cfg.TargetGroup.DeregistrationDelay != 2*time.Second || cfg.ScaleIn[0].At != 5*time.Second || cfg.Horizon != 8*time.Second {
		t.Errorf("delay %v, at %v, horizon %v: want 2s, 5s, 8s", cfg.TargetGroup.DeregistrationDelay, cfg.ScaleIn[0].At, cfg.Horizon)
	}
	if cfg.LoadBalancer.Type != model.ALB || tr.Retry != nil {
		t.Errorf("http case: type %s retry %v, want alb and no retry", cfg.LoadBalancer.Type, tr.Retry)
	}
	c.Mode, c.Cut = "tcp", false
	c.Hook = 300 * time.Millisecond
	cfg, err = Scenario(c)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LoadBalancer.Type != model.NLB || cfg.TargetGroup.ConnectionTermination || cfg.Platform.LifecycleHook == nil || cfg.Platform.LifecycleHook.HandlerDuration != 3*time.Second || cfg.Traffic[0].Kind != model.KindConnection {
		t.Errorf("tcp without cut: %+v %+v", cfg.LoadBalancer, cfg.Platform)
	}
	c = with(base("ka"), 100*time.Millisecond, 3)
	c.GoRetry = 0.75
	cfg, err = Scenario(c)
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Traffic[0].Retry; r == nil || r.Attempts != 2 || *cfg.Traffic[0].Idempotent != 0.75 {
		t.Errorf("Go's retry: %+v idempotent %v", r, cfg.Traffic[0].Idempotent)
	}
	c.Balance = "leastconn"
	if _, err := Scenario(c); err == nil {
		t.Error("leastconn: want an error (no drainsim equivalent)")
	}
}

// TestSurvival checks the timing shift's P(S > x) against drainsim's own
// lognormal law for the scaled case.
func TestSurvival(t *testing.T) {
	c := base("rr")
	d := model.Distribution{Distribution: "lognormal", Median: c.Median * Scale, P99: c.P99 * Scale}
	law := d.Law(rand.NewPCG(1, 2))
	for _, x := range []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 700 * time.Millisecond, time.Second} {
		want := 1 - law.CDF((x * Scale).Seconds())
		if got := survival(c, x); math.Abs(got-want) > 1e-9 {
			t.Errorf("P(S > %v) = %v, drainsim's law says %v", x, got, want)
		}
	}
}

// TestPooled checks the pooled z on two rows: (1 + 2 − 0.5) / sqrt(0.25 +
// 0.0025 + 0.25 + 0.0025), with the SE under the hypothesis (SE0), not the
// sample SE.
func TestPooled(t *testing.T) {
	rows := []Row{
		{Real: Measured{Mean: 3, SE: 9}, SE0: 0.5, Sim: Simulated{Mean: 2, SE: 0.05}},
		{Real: Measured{Mean: 4, SE: 9}, SE0: 0.5, Sim: Simulated{Mean: 2, SE: 0.05}, Shift: 0.5},
	}
	want := 2.5 / math.Sqrt(0.505)
	if got := Pooled(rows); math.Abs(got-want) > 1e-12 {
		t.Errorf("pooled z %v, want %v", got, want)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{io.EOF, "eof"},
		{io.ErrUnexpectedEOF, "eof"},
		{syscall.ECONNRESET, "reset"},
		{errors.New("i/o timeout"), "timeout"},
		{errors.New("something else"), "other"},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
