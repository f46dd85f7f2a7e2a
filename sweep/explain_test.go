package sweep

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
)

// TestRequestP99SlowestClass: the rule of thumb covers the slowest class,
// a long-lived connection class included (issue #12: it ignored a 30 s
// stream class beside 3 s requests).
func TestRequestP99SlowestClass(t *testing.T) {
	cfg := explainCfg("", stream30s())
	p, name := requestP99(cfg)
	assert.InDelta(t, 30.0, p, 1e-6)
	assert.Equal(t, "stream", name)
}

// TestExplainSentences: each sentence of the explanation holds only when
// its condition does. One case per sentence; each fails on the text
// before issue #12.
func TestExplainSentences(t *testing.T) {
	dropped := func(delay, mean float64, causes map[string]float64) Row {
		return Row{DelayS: delay, Replications: 30, DroppedMean: mean, DroppedByCause: causes}
	}
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name          string
		cfg           *model.Config
		rec           Recommendation
		want, notWant []string
	}{{
		name: "rule of thumb names the slowest class",
		cfg:  explainCfg("", stream30s()),
		rec: Recommendation{Status: "none", RequestP99S: 30, RuleOfThumbDelayS: 38,
			Rows: []Row{dropped(300, 1, map[string]float64{"refused": 1})}},
		want: []string{"p99 of class stream (the slowest) 30.0s × 1.25 = 38s"},
	}, {
		name: "a rule of thumb beyond the maximum delay says it is capped",
		cfg:  explainCfg("", model.Traffic{Name: "ws", Kind: model.KindConnection, Rate: 1, Duration: model.Distribution{Distribution: model.LogNormal, Median: 10 * time.Minute, P99: 2 * time.Hour}}),
		rec: Recommendation{Status: "none", RequestP99S: 7200, RuleOfThumbDelayS: 3600,
			Rows: []Row{dropped(300, 1, map[string]float64{"refused": 1})}},
		want: []string{"capped at the 3600s maximum delay"},
	}, {
		name: "undecided early: says the budget could not certify it",
		cfg:  explainCfg(""),
		rec: Recommendation{Status: "undecided", MaxReplications: 64, RequestP99S: 3, RuleOfThumbDelayS: 4,
			Rows: []Row{{DelayS: 40, Replications: 4}}},
		want: []string{"At 40s the search stopped after 4 replications: even if none of the rest, up to 64"},
	}, {
		name:    "undecided at the full budget: no early-stop sentence",
		cfg:     explainCfg(""),
		rec:     Recommendation{Status: "undecided", MaxReplications: 64, RequestP99S: 3, RuleOfThumbDelayS: 4, Rows: []Row{{DelayS: 40, Replications: 64}}},
		want:    []string{"Undecided: no delay up to 40s"},
		notWant: []string{"the search stopped after"},
	}, {
		name: "EKS advice names neither EC2 nor ECS",
		cfg:  explainCfg(model.EKS),
		rec: Recommendation{Status: "none", RequestP99S: 3, RuleOfThumbDelayS: 4,
			Rows: []Row{dropped(300, 250, map[string]float64{"refused": 30, "unreachable": 200, "killed": 20})}},
		want:    []string{"Cause unreachable", "preStop sleep", "termination_grace_period"},
		notWant: []string{"EC2", "ECS", "StopTask", "lifecycle hook"},
	}, {
		name: "ECS StopTask: scale the service in",
		cfg:  func() *model.Config { c := explainCfg(model.ECS); c.Platform.Stop = model.StopTask; return c }(),
		rec: Recommendation{Status: "none", RequestP99S: 3, RuleOfThumbDelayS: 4,
			Rows: []Row{dropped(300, 15, map[string]float64{"refused": 1, "unreachable": 14})}},
		want:    []string{"scale the service in rather than StopTask"},
		notWant: []string{"EC2", "EKS", "preStop", "lifecycle hook"},
	}, {
		name: "ECS service scale-in: no StopTask advice",
		cfg:  func() *model.Config { c := explainCfg(model.ECS); c.Platform.Stop = model.StopService; return c }(),
		rec: Recommendation{Status: "none", RequestP99S: 3, RuleOfThumbDelayS: 4,
			Rows: []Row{dropped(300, 5, map[string]float64{"refused": 3, "killed": 2})}},
		want:    []string{"app.keep_accepting longer than the lag", "lengthen stop_timeout"},
		notWant: []string{"StopTask", "EC2", "EKS", "preStop"},
	}, {
		name: "EC2 advice names neither EKS nor ECS",
		cfg:  explainCfg(model.EC2),
		rec: Recommendation{Status: "none", RequestP99S: 3, RuleOfThumbDelayS: 4,
			Rows: []Row{dropped(300, 10, map[string]float64{"unreachable": 5, "killed": 5})}},
		want:    []string{"Cause unreachable", "lifecycle hook"},
		notWant: []string{"EKS", "ECS", "preStop", "StopTask"},
	}, {
		name: "too short, all refused: no blame on expiry",
		cfg:  explainCfg(model.EKS),
		rec: Recommendation{Status: "recommended", RecommendedDelayS: f(40), Recommended: &Row{DelayS: 40, Replications: 30},
			RequestP99S: 3, RuleOfThumbDelayS: 4, RuleOfThumb: dropped(4, 38, map[string]float64{"refused": 38})},
		want:    []string{"The rule of thumb is too short: at 4s it drops refused 38"},
		notWant: []string{"expires"},
	}, {
		name: "too short by expiry: the tail is blamed",
		cfg:  explainCfg(model.EC2),
		rec: Recommendation{Status: "recommended", RecommendedDelayS: f(40), Recommended: &Row{DelayS: 40, Replications: 30},
			RequestP99S: 3, RuleOfThumbDelayS: 4, RuleOfThumb: dropped(4, 2, map[string]float64{"delay_expired": 2})},
		want: []string{"is cut when the delay expires"},
	}, {
		name: "too short by expiry over a day: the rate is the horizon's mean, not 0",
		cfg: func() *model.Config {
			c := explainCfg(model.EC2)
			c.ScaleIn, c.Horizon = nil, 24*time.Hour
			c.Traffic[0].Rate = 0
			c.Traffic[0].Diurnal = &model.Diurnal{Peak: 200, Trough: 20, PeakHour: 14}
			return c
		}(),
		rec: Recommendation{Status: "recommended", RecommendedDelayS: f(40), Recommended: &Row{DelayS: 40, Replications: 30},
			RequestP99S: 3, RuleOfThumbDelayS: 4, RuleOfThumb: dropped(4, 2, map[string]float64{"delay_expired": 2})},
		want:    []string{"at 110 requests/s (the mean over the horizon)"},
		notWant: []string{"at 0 requests/s"},
	}, {
		name: "connections saved at some delay: not 'cannot save them'",
		cfg:  explainCfg("", stream30s()),
		rec: Recommendation{Status: "none", RequestP99S: 30, RuleOfThumbDelayS: 38,
			Rows:   []Row{dropped(200, 3, map[string]float64{"delay_expired": 3}), dropped(300, 1, map[string]float64{"refused": 1})},
			Probes: []Row{dropped(244, 0, nil)}},
		want:    []string{"at 244s no replication dropped anything"},
		notWant: []string{"cannot save"},
	}, {
		name: "connections cut at every delay: 'cannot save them'",
		cfg:  explainCfg("", stream30s()),
		rec: Recommendation{Status: "none", RequestP99S: 30, RuleOfThumbDelayS: 38,
			Rows: []Row{dropped(300, 1, map[string]float64{"delay_expired": 1})}},
		want: []string{"the delay cannot save them"},
	}, {
		name: "retries hide failures",
		cfg:  explainCfg(""),
		rec: Recommendation{Status: "recommended", RecommendedDelayS: f(4), Recommended: &Row{DelayS: 4, Replications: 30, ELB5xxMean: 84.6, RetriesMean: 84.6},
			RequestP99S: 3, RuleOfThumbDelayS: 4, RuleOfThumb: Row{DelayS: 4, Replications: 30, ELB5xxMean: 84.6, RetriesMean: 84.6}},
		want: []string{"Retries hide failures: at 4s, 0 dropped but 84.6 ELB 5xx and 84.6 retries per scale-in"},
	}, {
		name: "no retries: nothing hidden",
		cfg:  explainCfg(""),
		rec: Recommendation{Status: "recommended", RecommendedDelayS: f(4), Recommended: &Row{DelayS: 4, Replications: 30, ELB5xxMean: 3, DroppedMean: 3},
			RequestP99S: 3, RuleOfThumbDelayS: 4, RuleOfThumb: Row{DelayS: 4, Replications: 30}},
		notWant: []string{"Retries hide"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NotEmpty(t, append(tc.want, tc.notWant...), "a case checks something")
			text := strings.Join(explain(tc.cfg, &tc.rec), "\n")
			for _, w := range tc.want {
				assert.Contains(t, text, w)
			}
			for _, w := range tc.notWant {
				assert.NotContains(t, text, w)
			}
		})
	}
}

func stream30s() model.Traffic {
	return model.Traffic{Name: "stream", Kind: model.KindConnection, Rate: 1,
		Duration: model.Distribution{Distribution: model.Constant, Value: 30 * time.Second}}
}

// explainCfg is a 3 s (p99) request class on platform pt, plus extra
// classes.
func explainCfg(pt model.PlatformType, extra ...model.Traffic) *model.Config {
	c := small()
	c.Platform.Type = pt
	c.Traffic = append([]model.Traffic{{Name: "api", Rate: 20, Duration: model.Distribution{
		Distribution: model.LogNormal, Median: 300 * time.Millisecond, P99: 3 * time.Second}}}, extra...)
	return c
}
