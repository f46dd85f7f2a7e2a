package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type recorder struct {
	attempts []AttemptRecord
	samples  []Sample
}

func (r *recorder) Attempt(a AttemptRecord) { r.attempts = append(r.attempts, a) }
func (r *recorder) Sample(s Sample) {
	s.InFlight = append([]int(nil), s.InFlight...)
	s.States = append([]TargetState(nil), s.States...)
	r.samples = append(r.samples, s)
}

func TestRunWithObserver(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Fleet.Targets = 3
	c.LoadBalancer.PropagationDelay = ConstantLag(5 * time.Second)
	c.Platform = Platform{Type: ECS, Stop: StopTask}
	c.TargetGroup.DeregistrationDelay = 10 * time.Second
	c.Traffic = []Traffic{
		{Name: "api", Rate: 20, Duration: Distribution{Distribution: LogNormal, Median: time.Second, P99: 20 * time.Second},
			Retry: &Retry{Attempts: 2}},
		{Name: "ws", Kind: KindConnection, Rate: 0.5, Duration: Distribution{Distribution: Exponential, Mean: time.Minute}},
	}
	c.ScaleIn = []ScaleIn{{At: 3 * time.Minute, Targets: 1}}

	plain, err := Run(&c, 4)
	require.NoError(t, err)
	var rec recorder
	res, err := RunWith(&c, 4, RunOptions{Observer: &rec, SamplePeriod: 10 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, plain, res, "observing must not change the result")

	var ok, failed, s502, s503, before int64
	for _, a := range rec.attempts {
		if a.Arrived < res.WarmupSkipped {
			before++ // in flight at the stationary start: arrived before it
		}
		require.LessOrEqual(t, a.Arrived, a.Ended)
		require.GreaterOrEqual(t, a.Attempt, 1)
		if a.Failed {
			failed++
			switch a.Status() {
			case 502:
				s502++
			case 503:
				s503++
			}
			if !a.Dispatched {
				assert.Equal(t, a.Arrived, a.Ended, "a failure at routing ends when it arrives")
			}
		} else {
			ok++
			assert.Equal(t, 200, a.Status())
			assert.True(t, a.Dispatched)
			assert.GreaterOrEqual(t, a.Target, 0)
		}
	}
	assert.Equal(t, res.Completed, ok)
	assert.Equal(t, res.ELB5xx, failed)
	assert.Equal(t, res.ELB5xx, s502+s503)
	assert.Positive(t, res.DroppedByCause[CauseRefused], "stop_task with a lag refuses requests")
	assert.Positive(t, before, "requests in flight at a stationary start report their age")

	// Samples every 10 s from the (stationary) start to the end.
	require.NotEmpty(t, rec.samples)
	assert.Equal(t, res.WarmupSkipped, rec.samples[0].At)
	span := res.End - res.WarmupSkipped
	assert.InDelta(t, float64(span/(10*time.Second))+1, float64(len(rec.samples)), 1)
	for _, s := range rec.samples {
		assert.Len(t, s.InFlight, 3)
		assert.LessOrEqual(t, s.Healthy, 3)
	}
	last := rec.samples[len(rec.samples)-1]
	assert.Equal(t, 2, last.Healthy, "one target removed")
}

func TestRequestPacking(t *testing.T) {
	for _, c := range []struct {
		t          int32
		class, att int
	}{{0, 0, 1}, {maxTargets - 1, maxClasses - 1, 10}, {12345, 7, 31}, {1, 2, 255}} {
		q := request{tca: packTCA(c.t, c.class, c.att)}
		assert.Equal(t, c.t, q.target())
		assert.Equal(t, c.class, q.class())
		assert.Equal(t, min(c.att, maxAttempt), q.attempt())
	}
	assert.Less(t, maxTargets, 1<<(32-tcaClassBits-tcaAttemptBits))
	assert.Less(t, maxClasses, 1<<tcaClassBits)
}

func TestDefaultDelays(t *testing.T) {
	c := Default()
	ds := c.DefaultDelays()
	assert.Equal(t, 31, len(ds))
	assert.Equal(t, time.Duration(0), ds[0])
	c.LoadBalancer.Type = CLB
	ds = c.DefaultDelays()
	assert.Equal(t, time.Second, ds[0], "a CLB with draining cannot take 0 s")
	assert.Equal(t, 300*time.Second, ds[len(ds)-1])
	c.TargetGroup.ConnectionDraining = false
	assert.Equal(t, time.Duration(0), c.DefaultDelays()[0])
	c.Sweep.Delays = DelayGrid{List: []time.Duration{0, time.Minute}}
	assert.Equal(t, []time.Duration{0, time.Minute}, c.DefaultDelays(), "a grid the user gave is kept")
}
