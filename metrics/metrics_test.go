package metrics_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/internal/pngcheck"
	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/plot"
	"github.com/drainsim/drainsim/scenarios"
)

// payments returns the built-in payments-api with the given delay.
func payments(t *testing.T, delay time.Duration) *model.Config {
	t.Helper()
	cfg, err := scenarios.Builtin("payments-api")
	require.NoError(t, err)
	cfg.TargetGroup.DeregistrationDelay = delay
	return cfg
}

// retrying is a small ECS fleet whose stop_task refuses requests during a
// propagation lag (502), with client retries and reconnecting WebSockets.
func retrying() *model.Config {
	c := model.Default()
	c.Name = "retrying"
	c.Fleet.Targets = 3
	c.LoadBalancer.PropagationDelay = model.ConstantLag(5 * time.Second)
	c.Platform = model.Platform{Type: model.ECS, Stop: model.StopTask}
	c.TargetGroup.DeregistrationDelay = 10 * time.Second
	c.Traffic = []model.Traffic{
		{Name: "api", Rate: 20, Duration: model.Distribution{Distribution: model.LogNormal, Median: time.Second, P99: 20 * time.Second},
			Retry: &model.Retry{Attempts: 2}},
		{Name: "ws", Kind: model.KindConnection, Rate: 0.5, Duration: model.Distribution{Distribution: model.Exponential, Mean: time.Minute},
			Reconnect: &model.Reconnect{}},
	}
	c.ScaleIn = []model.ScaleIn{{At: 3 * time.Minute, Targets: 1}}
	return &c
}

// emptied removes the whole fleet in two steps, so that later arrivals
// find no target (503).
func emptied() *model.Config {
	c := model.Default()
	c.Name = "emptied"
	c.Start = model.StartEmpty
	c.Horizon = 6 * time.Minute
	c.Fleet.Targets = 2
	c.TargetGroup.DeregistrationDelay = 5 * time.Second
	c.Traffic = []model.Traffic{{Name: "api", Rate: 10,
		Duration: model.Distribution{Distribution: model.LogNormal, Median: time.Second, P99: 10 * time.Second}}}
	c.ScaleIn = []model.ScaleIn{{At: 2 * time.Minute, Targets: 1}, {At: 4 * time.Minute, Targets: 1}}
	return &c
}

// nlbResets is retrying behind an NLB that closes flows at delay expiry:
// its clients see resets, never a 5xx.
func nlbResets() *model.Config {
	c := retrying()
	c.Name = "nlb-resets"
	c.LoadBalancer.Type = model.NLB
	c.TargetGroup.ConnectionTermination = true
	c.Platform = model.Platform{Type: model.EC2}
	c.LoadBalancer.PropagationDelay = model.ConstantLag(20 * time.Second)
	return c
}

// failed counts the failed attempts the client sees, each once: 5xx and
// cut connections, or on an NLB resets and connect timeouts.
func failed(cfg *model.Config, r *model.Result) int64 {
	if cfg.LoadBalancer.Type == model.NLB {
		return r.Resets + r.ConnectTimeouts
	}
	return r.ELB5xx + r.ConnectionCuts
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

func TestTotalsMatchResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cfg    func(*testing.T) *model.Config
		period time.Duration
		// exact: no client waits to retry or reconnect at the end, so
		// everything not counted is held by a target.
		exact bool
	}{
		{"payments-api 60s", func(t *testing.T) *model.Config { return payments(t, 60*time.Second) }, 0, true},
		{"payments-api 0s (502s)", func(t *testing.T) *model.Config { return payments(t, 0) }, 10 * time.Second, true},
		{"retries and reconnects", func(*testing.T) *model.Config { return retrying() }, 10 * time.Second, false},
		{"no target left (503s)", func(*testing.T) *model.Config { return emptied() }, 30 * time.Second, true},
		{"NLB resets", func(*testing.T) *model.Config { return nlbResets() }, 10 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg(t)
			s, res, err := metrics.Record(cfg, 3, tt.period)
			require.NoError(t, err)
			require.Positive(t, s.Len())
			plain, err := model.Run(cfg, 3)
			require.NoError(t, err)
			assert.Equal(t, plain, res, "recording must not change the result")

			requests := sum(s.RequestCount)
			assert.Equal(t, res.Completed+failed(cfg, res), requests, "every attempt that ended is counted once")
			started := res.Arrivals + res.Retries // reconnects are arrivals
			assert.LessOrEqual(t, requests, started)
			assert.GreaterOrEqual(t, requests, started-res.InFlight)
			if tt.exact {
				assert.Equal(t, started-res.InFlight, requests)
			}
			assert.Equal(t, res.ELB5xx, sum(s.ELB5XX))
			assert.Equal(t, res.ELB502, sum(s.ELB502))
			assert.Equal(t, res.ELB503, sum(s.ELB503))
			assert.Equal(t, res.ELB504, sum(s.ELB504))
			assert.Equal(t, res.Resets, sum(s.TCPELBReset)+sum(s.TCPTargetReset))
			for k := range s.Len() {
				assert.Equal(t, s.ELB502[k]+s.ELB503[k]+s.ELB504[k], s.ELB5XX[k], "period %d", k)
				var active int64
				for _, col := range s.InFlight {
					active += col[k]
				}
				assert.Equal(t, active, s.ActiveConnectionCount[k], "period %d", k)
			}

			p := s.Period
			if tt.period == 0 {
				assert.Equal(t, metrics.DefaultPeriod, p)
			}
			for k, st := range s.Start {
				assert.Zero(t, st%p, "periods are aligned to multiples of the period")
				if k > 0 {
					assert.Equal(t, s.Start[k-1]+p, st)
				}
			}
			assert.LessOrEqual(t, s.Start[0], res.WarmupSkipped)
			assert.Greater(t, s.Start[0]+p, res.WarmupSkipped)
			assert.Greater(t, s.Start[s.Len()-1]+p, res.End-p, "the last period reaches the end")

			var removed []int
			for _, r := range res.Removed {
				removed = append(removed, r.Target)
			}
			slices.Sort(removed)
			assert.Equal(t, removed, s.Removed)
			require.Len(t, s.InFlight, cfg.Fleet.Targets)
		})
	}
}

func TestCauseStatuses(t *testing.T) {
	t.Parallel()
	s, res, err := metrics.Record(emptied(), 0, 30*time.Second)
	require.NoError(t, err)
	require.Positive(t, res.DroppedByCause[model.CauseNoTarget])
	assert.Equal(t, res.DroppedByCause[model.CauseNoTarget], sum(s.ELB503), "no retries: every 503 is a no_target drop")
	assert.Equal(t, res.ELB5xx-res.DroppedByCause[model.CauseNoTarget], sum(s.ELB502)+sum(s.ELB504))
	// Nothing is answered 503 before the fleet is gone.
	for k, st := range s.Start {
		if st+s.Period <= 4*time.Minute {
			assert.Zero(t, s.ELB503[k], "period at %v", st)
		}
	}
}

func TestHealthyHostCountDrops(t *testing.T) {
	t.Parallel()
	cfg := emptied()
	s, _, err := metrics.Record(cfg, 1, 10*time.Second)
	require.NoError(t, err)
	targets := int64(cfg.Fleet.Targets)
	removed := int64(0)
	for i, si := range cfg.ScaleIn {
		for k, st := range s.Start {
			switch {
			case st+s.Period <= si.At && (i == 0 || st >= cfg.ScaleIn[i-1].At+s.Period):
				assert.Equal(t, targets-removed, s.HealthyHostCount[k], "before scale-in %d, period at %v", i, st)
			case st >= si.At+s.Period && (i == len(cfg.ScaleIn)-1 || st+s.Period <= cfg.ScaleIn[i+1].At):
				assert.Equal(t, targets-removed-int64(si.Targets), s.HealthyHostCount[k], "after scale-in %d, period at %v", i, st)
			}
		}
		removed += int64(si.Targets)
	}
	assert.Zero(t, s.HealthyHostCount[s.Len()-1])

	// Without a lag, the removed targets leave HealthyHostCount in the
	// period of the scale-in (with the ALB default they stay routed ~10 s
	// more, into the next period).
	pc := payments(t, 60*time.Second)
	pc.LoadBalancer.PropagationDelay = model.ConstantLag(0)
	p, _, err := metrics.Record(pc, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, []int64{10, 8}, p.HealthyHostCount[:2], "10 targets, then 2 removed at 10m")
	assert.Equal(t, int64(8), p.HealthyHostCount[p.Len()-1])
}

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	s := &metrics.Series{
		Period:                30 * time.Second,
		Start:                 []time.Duration{90 * time.Second, 120 * time.Second},
		RequestCount:          []int64{300, 295},
		ELB502:                []int64{0, 4},
		ELB503:                []int64{0, 1},
		ELB504:                []int64{0, 2},
		ELB5XX:                []int64{0, 7},
		ActiveConnectionCount: []int64{21, 9},
		HealthyHostCount:      []int64{2, 1},
		TCPELBReset:           []int64{0, 0},
		TCPTargetReset:        []int64{0, 0},
		InFlight:              [][]int64{{11, 9}, {10, 0}},
		Removed:               []int{1},
	}
	var buf bytes.Buffer
	require.NoError(t, s.WriteCSV(&buf))
	assert.Equal(t, "time_s,RequestCount,HTTPCode_ELB_502_Count,HTTPCode_ELB_503_Count,HTTPCode_ELB_504_Count,HTTPCode_ELB_5XX_Count,"+
		"ActiveConnectionCount,HealthyHostCount,TCP_ELB_Reset_Count,TCP_Target_Reset_Count,InFlight_target_0,InFlight_target_1\n"+
		"90,300,0,0,0,0,21,2,0,0,11,10\n"+
		"120,295,4,1,2,7,9,1,0,0,9,0\n", buf.String())

	s.Period = 2500 * time.Millisecond
	s.Start = []time.Duration{0, 2500 * time.Millisecond}
	buf.Reset()
	require.NoError(t, s.WriteCSV(&buf))
	assert.Contains(t, buf.String(), "\n0,300,")
	assert.Contains(t, buf.String(), "\n2.5,295,")
}

func TestWriteCSVReadsBack(t *testing.T) {
	t.Parallel()
	s, res, err := metrics.Record(payments(t, 0), 2, 20*time.Second)
	require.NoError(t, err)
	var a, b bytes.Buffer
	require.NoError(t, s.WriteCSV(&a))
	require.NoError(t, s.WriteCSV(&b))
	assert.Equal(t, a.Bytes(), b.Bytes(), "deterministic")

	recs, err := csv.NewReader(&a).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, s.Len()+1)
	assert.Equal(t, s.Columns(), recs[0])
	assert.Equal(t, "InFlight_target_9", recs[0][len(recs[0])-1])
	col := func(name string) int { return slices.Index(recs[0], name) }
	total := func(name string) int64 {
		var n int64
		for _, r := range recs[1:] {
			v, err := strconv.ParseInt(r[col(name)], 10, 64)
			require.NoError(t, err)
			n += v
		}
		return n
	}
	assert.Equal(t, res.Completed+res.ELB5xx, total(metrics.RequestCount))
	assert.Equal(t, res.ELB5xx, total(metrics.ELB5XXCount))
	assert.Equal(t, total(metrics.ELB5XXCount), total(metrics.ELB502Count)+total(metrics.ELB503Count)+total(metrics.ELB504Count))
	assert.Positive(t, total(metrics.ELB502Count), "a 0 s delay cuts requests in flight")
	for i, r := range recs[1:] {
		assert.Equal(t, strconv.FormatFloat(s.Start[i].Seconds(), 'f', -1, 64), r[0])
	}
}

func TestRecorderZeroValue(t *testing.T) {
	t.Parallel()
	var r metrics.Recorder
	s := r.Series()
	assert.Zero(t, s.Len())
	assert.Equal(t, metrics.DefaultPeriod, s.Period)
	_, err := plot.Timeline(s, nil, metrics.TimelineOptions{})
	assert.ErrorContains(t, err, "empty series")

	// An attempt before any sample, then a sample in a later period: the
	// sample-derived columns are zero until the first sample, and carried
	// forward into periods without one.
	r.Attempt(model.AttemptRecord{Arrived: 10 * time.Second, Ended: 11 * time.Second, Target: 0, Dispatched: true})
	r.Sample(model.Sample{At: 70 * time.Second, InFlight: []int{3, 4}, States: []model.TargetState{model.StateHealthy, model.StateDraining}, Healthy: 1})
	r.Attempt(model.AttemptRecord{Arrived: 150 * time.Second, Ended: 150 * time.Second, Target: -1, Failed: true, Cause: model.CauseNoTarget, Code: 503})
	s = r.Series()
	assert.Equal(t, []time.Duration{0, time.Minute, 2 * time.Minute}, s.Start)
	assert.Equal(t, []int64{1, 0, 1}, s.RequestCount)
	assert.Equal(t, []int64{0, 0, 1}, s.ELB503)
	assert.Equal(t, []int64{0, 1, 1}, s.HealthyHostCount)
	assert.Equal(t, [][]int64{{0, 3, 3}, {0, 4, 4}}, s.InFlight)
	assert.Equal(t, []int64{0, 7, 7}, s.ActiveConnectionCount)
	assert.Equal(t, []int{1}, s.Removed)
}

func TestRecordErrors(t *testing.T) {
	t.Parallel()
	_, _, err := metrics.Record(emptied(), 0, -time.Second)
	assert.ErrorContains(t, err, "period must not be negative")
	bad := emptied()
	bad.Fleet.Targets = 0
	_, _, err = metrics.Record(bad, 0, 0)
	assert.ErrorContains(t, err, "fleet.targets")
}

func TestTimelinePNG(t *testing.T) {
	t.Parallel()
	cfg := payments(t, 0)
	s, _, err := metrics.Record(cfg, 0, 10*time.Second)
	require.NoError(t, err)
	require.Positive(t, sum(s.ELB5XX), "bars to draw")
	p, err := plot.Timeline(s, cfg, metrics.TimelineOptions{})
	require.NoError(t, err)
	assert.Equal(t, "payments-api: in flight per target and ELB 5xx per period", p.Title.Text)
	assert.Equal(t, s.Start[0].Seconds(), p.X.Min)
	assert.Equal(t, (s.Start[s.Len()-1] + s.Period).Seconds(), p.X.Max)

	for _, size := range [][2]int{{800, 500}, {640, 360}} {
		var buf bytes.Buffer
		require.NoError(t, chart.Render(p, &buf, size[0], size[1], "png"))
		_, err = pngcheck.Check(buf.Bytes(), size[0], size[1])
		assert.NoError(t, err)
	}
	var svg bytes.Buffer
	require.NoError(t, chart.Render(p, &svg, 800, 500, "svg"))
	assert.True(t, strings.HasPrefix(svg.String(), "<?xml"))
}

func TestTimelineOptions(t *testing.T) {
	t.Parallel()
	cfg := retrying()
	s, _, err := metrics.Record(cfg, 0, 10*time.Second)
	require.NoError(t, err)
	p, err := plot.Timeline(s, cfg, metrics.TimelineOptions{Title: "zoom", From: 150 * time.Second, To: 240 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, "zoom", p.Title.Text)
	assert.Equal(t, 150.0, p.X.Min)
	assert.Equal(t, 240.0, p.X.Max)
	var buf bytes.Buffer
	require.NoError(t, chart.Render(p, &buf, 400, 300, "png"))

	_, err = plot.Timeline(s, cfg, metrics.TimelineOptions{From: 240 * time.Second, To: 150 * time.Second})
	assert.ErrorContains(t, err, "not before")

	p, err = plot.Timeline(s, nil, metrics.TimelineOptions{})
	require.NoError(t, err)
	assert.Equal(t, "in flight per target and ELB 5xx per period", p.Title.Text)
}

func TestTimelineManyRemoved(t *testing.T) {
	t.Parallel()
	cfg := payments(t, 30*time.Second)
	cfg.ScaleIn = []model.ScaleIn{{At: 10 * time.Minute, Targets: 8}}
	s, _, err := metrics.Record(cfg, 0, 0)
	require.NoError(t, err)
	require.Len(t, s.Removed, 8)
	_, err = plot.Timeline(s, cfg, metrics.TimelineOptions{})
	require.NoError(t, err)
}

// A SamplePeriod that divides the Period gives the same series: each
// period keeps its first sample, taken at its start.
func TestFinerSamplePeriod(t *testing.T) {
	t.Parallel()
	cfg := payments(t, 5*time.Second)
	want, _, err := metrics.Record(cfg, 1, time.Minute)
	require.NoError(t, err)
	r := &metrics.Recorder{Period: time.Minute}
	_, err = model.RunWith(cfg, 1, model.RunOptions{Observer: r, SamplePeriod: 10 * time.Second})
	require.NoError(t, err)
	got := r.Series()
	assert.Equal(t, want.Start, got.Start[:want.Len()])
	assert.Equal(t, want.RequestCount, got.RequestCount[:want.Len()])
	assert.Equal(t, want.ELB5XX, got.ELB5XX[:want.Len()])
	assert.Equal(t, want.HealthyHostCount, got.HealthyHostCount[:want.Len()])
	assert.Equal(t, want.InFlight[0], got.InFlight[0][:want.Len()])
}

// TestNLBResetSeries: an NLB's failures are resets, split by who sends
// them: the target for refused and killed, the load balancer for flows it
// closes at delay expiry [NLB-CW]; no HTTP 5xx.
func TestNLBResetSeries(t *testing.T) {
	t.Parallel()
	cfg := nlbResets()
	s, res, err := metrics.Record(cfg, 0, 10*time.Second)
	require.NoError(t, err)
	require.Positive(t, res.DroppedByCause[model.CauseDelayExpired])
	assert.Zero(t, sum(s.ELB5XX), "no 5xx behind an NLB")
	assert.Positive(t, sum(s.TCPELBReset), "the NLB resets the flows it closes at expiry")
	assert.Equal(t, res.Resets, sum(s.TCPELBReset)+sum(s.TCPTargetReset))
}

// TestStoryIsTheSameRunLonger: the timeline's run goes on past the end of
// the scenario's run (where websocket-storm's cut connections have not yet
// come back) and is the same run up to there: a horizon alone would have
// simulated the warm-up instead of the stationary start, a different run.
func TestStoryIsTheSameRunLonger(t *testing.T) {
	t.Parallel()
	cfg, err := scenarios.Builtin("websocket-storm")
	require.NoError(t, err)
	const period = 10 * time.Second
	s, res, err := metrics.Record(cfg, 0, period)
	require.NoError(t, err)
	require.Positive(t, res.WarmupSkipped, "a stationary start")
	story := metrics.Story(cfg, res, period)
	assert.Zero(t, cfg.Horizon, "cfg is not modified")
	require.Equal(t, 30*time.Second, cfg.Traffic[0].Reconnect.MaxBackoff)
	assert.Equal(t, res.End+2*time.Minute, story.Horizon, "4 × the 30s reconnect cap: longer than a minute and 6 periods")
	l, lres, err := metrics.Record(story, 0, period)
	require.NoError(t, err)
	assert.Equal(t, res.WarmupSkipped, lres.WarmupSkipped)
	assert.Equal(t, res.Removed[0].Deregistered, lres.Removed[0].Deregistered)
	require.Greater(t, l.Len(), s.Len())
	assert.Equal(t, s.Start, l.Start[:s.Len()])
	for tg := range s.InFlight {
		assert.Equal(t, s.InFlight[tg], l.InFlight[tg][:s.Len()], "target %d", tg)
	}
	// After the cut the remaining targets take the reconnects: what they
	// hold grows, which the scenario's own run stops too early to show.
	last := func(ser *metrics.Series, tg int) int64 { return ser.InFlight[tg][ser.Len()-1] }
	kept := 0
	for tg := range l.InFlight {
		if !slices.Contains(l.Removed, tg) {
			kept++
			assert.Greater(t, last(l, tg), last(s, tg), "target %d takes reconnects", tg)
		}
	}
	assert.Equal(t, 4, kept)

	withHorizon := *cfg
	withHorizon.Horizon = 2 * time.Hour
	assert.Equal(t, 2*time.Hour, metrics.Story(&withHorizon, res, period).Horizon, "a horizon set is kept")
}

func TestTimelinePanels(t *testing.T) {
	t.Parallel()
	cfg := payments(t, 0)
	s, res, err := metrics.Record(cfg, 0, 10*time.Second)
	require.NoError(t, err)
	ps, err := plot.TimelinePanels(s, cfg, metrics.TimelineOptions{Result: res})
	require.NoError(t, err)
	require.Len(t, ps, 2)
	assert.Equal(t, "in flight at sample", ps[0].Y.Label.Text)
	assert.Equal(t, "per 10s period", ps[1].Y.Label.Text)
	assert.Equal(t, ps[0].X.Min, ps[1].X.Min)
	assert.Equal(t, ps[0].X.Max, ps[1].X.Max)
	for _, size := range [][2]int{{800, 500}, {640, 360}} {
		var buf bytes.Buffer
		require.NoError(t, chart.RenderStack(ps, plot.PanelHeights, &buf, size[0], size[1], "png"))
		_, err = pngcheck.Check(buf.Bytes(), size[0], size[1])
		assert.NoError(t, err)
	}
	var svg bytes.Buffer
	require.NoError(t, chart.RenderStack(ps, plot.PanelHeights, &svg, 800, 500, "svg"))
	assert.True(t, strings.HasPrefix(svg.String(), "<?xml"))
	assert.Error(t, chart.RenderStack(ps, []float64{1}, &svg, 800, 500, "png"), "one weight per plot")
	assert.Error(t, chart.RenderStack(nil, nil, &svg, 800, 500, "png"))
}
