package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the figures quoted in README.md and docs/*.md and the images in docs/img (make docs)")

// The figures quoted in the docs are generated here from the code, between
// <!-- figures:NAME --> and <!-- /figures --> markers, so they cannot go
// stale: TestDocsFigures fails when a marked region differs from what the
// code gives now, and `make docs` (go test -run 'TestDocs(Figures|Images)'
// -update-docs) rewrites them, and the docs/img PNGs (docimages_test.go). Replication counts are small enough for
// `make test`; each region shows its command or says what it ran.
var docFigures = map[string]func(t *testing.T) string{
	"README.md first-screen": func(t *testing.T) string {
		// The run that also draws docs/img/payments-api-drops.png (TestDocsImages).
		return "```console\n$ drainsim " + firstScreenArgs + "\n" + runDoc(t, firstScreenArgs+" --out OUT/").stdout + "```\n"
	},
	"README.md heavy-tail": func(t *testing.T) string {
		out := cliFigure(t, "run heavy-tail --replications 50")
		var keep []string
		lag := false // within the wrapped propagation_delay assumption
		for _, l := range strings.Split(out, "\n") {
			lag = strings.HasPrefix(l, "  load_balancer.propagation_delay") || lag && strings.HasPrefix(l, "      ")
			if lag || strings.HasPrefix(l, "```") || strings.HasPrefix(l, "$ ") || strings.HasPrefix(l, "dropped per replication") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n") + "\n"
	},
	"docs/scenarios.md day-sweep": func(t *testing.T) string {
		// The sweep that also draws docs/img/diurnal-api-sweep-*.png
		// (TestDocsImages): its table and recommendation.
		out := runDoc(t, daySweepArgs).stdout
		if i := strings.Index(out, "delay (s)"); i >= 0 {
			out = out[i:]
		}
		return "```console\n$ drainsim " + strings.ReplaceAll(daySweepArgs, "OUT/", "results/") + "\n…\n" + out + "```\n"
	},
	"docs/model.md observed":      observedTable,
	"docs/data.md storm":          stormFigures,
	"docs/data.md fit-sample":     fitSampleFigure,
	"docs/data.md access-log":     accessLogFigure,
	"docs/data.md stationary-fit": stationaryFitFigure,
	"docs/data.md round-trip":     roundTripFigure,
	"docs/estimate.md worked":     estimateFigure,
	"docs/sweeps.md sweeps-example": func(t *testing.T) string {
		return cliFigure(t, "recommend testdata/sweep.toml --delays 0s:120s:30s --replications 8 --max-p-any-drop 0.05 --max-replications 512") +
			"\n" + cliFigure(t, "recommend testdata/sweep.toml --delays 0s:120s:30s --replications 8 --max-dropped 0.5 --max-replications 512")
	},
}

var regionRE = regexp.MustCompile(`(?s)<!-- figures:([a-z0-9-]+) -->\n(.*?)<!-- /figures -->`)

func TestDocsFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates every quoted figure")
	}
	t.Parallel()
	seen := map[string]bool{}
	for _, file := range []string{"README.md", "docs/model.md", "docs/sweeps.md", "docs/data.md", "docs/estimate.md", "docs/scenarios.md"} {
		path := filepath.Join("..", "..", file)
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		text := string(raw)
		var failed []string
		out := regionRE.ReplaceAllStringFunc(text, func(m string) string {
			sub := regionRE.FindStringSubmatch(m)
			key := file + " " + sub[1]
			gen, ok := docFigures[key]
			if !ok {
				failed = append(failed, key+": no generator")
				return m
			}
			seen[key] = true
			got := gen(t)
			if got != sub[2] {
				failed = append(failed, fmt.Sprintf("%s differs from the code's figures (run make docs-figures); want:\n%s", key, got))
			}
			return "<!-- figures:" + sub[1] + " -->\n" + got + "<!-- /figures -->"
		})
		if *updateDocs {
			if out != text {
				require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
			}
			continue
		}
		for _, f := range failed {
			t.Error(f)
		}
	}
	for key := range docFigures {
		if !seen[key] {
			t.Errorf("%s: no <!-- figures:NAME --> region for this generator", key)
		}
	}
}

// cliFigure runs drainsim with args and returns the command and its
// standard output as a fenced block.
func cliFigure(t *testing.T, args string) string {
	t.Helper()
	stdout, _ := runOK(t, strings.Fields(args)...)
	return "```console\n$ drainsim " + args + "\n" + stdout + "```\n"
}

// observedReps is the replication count of the docs/model.md table.
const observedReps = 20

// variant is one setting of a built-in in the table: an edit of its
// configuration, nil for the built-in as it is.
type variant struct {
	edit func(*model.Config)
}

// tally is the mean per replication of a variant's runs.
type tally struct {
	by                     model.ByCause
	dropped, cost, scaleIn float64
	peak, reconnects       float64
}

func runVariant(name string, v variant) (tally, error) {
	c, err := scenarios.Builtin(name)
	if err != nil {
		return tally{}, err
	}
	if v.edit != nil {
		v.edit(c)
	}
	var s tally
	var by [model.NumCauses]float64
	for r := range observedReps {
		res, err := model.Run(c, r)
		if err != nil {
			return tally{}, err
		}
		for k := range by {
			by[k] += float64(res.DroppedByCause[k])
		}
		s.dropped += float64(res.Dropped)
		s.cost += res.CostUSD
		s.peak += res.ReconnectPeakPerS
		s.reconnects += float64(res.Reconnects)
		for _, si := range res.ScaleIns {
			s.scaleIn += si.Duration().Seconds() / float64(len(res.ScaleIns))
		}
	}
	n := float64(observedReps)
	s.dropped, s.cost, s.scaleIn, s.peak, s.reconnects = s.dropped/n, s.cost/n, s.scaleIn/n, s.peak/n, s.reconnects/n
	for k := range by {
		s.by[k] = int64(by[k]) // totals; causes() divides
	}
	return s, nil
}

// causes writes the drops of s: "12.5 (refused 12.5)", or "0".
func (s tally) causes() string {
	if s.dropped == 0 {
		return "0"
	}
	var parts []string
	for k := range model.NumCauses {
		if n := s.by[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %.3g", k, float64(n)/observedReps))
		}
	}
	return fmt.Sprintf("%.3g (%s)", s.dropped, strings.Join(parts, ", "))
}

func observedTable(t *testing.T) string {
	prestop := func(sleep, grace time.Duration) func(*model.Config) {
		return func(c *model.Config) { c.Platform.PreStopSleep, c.Platform.TerminationGracePeriod = sleep, grace }
	}
	type row struct {
		name, observed string
		variants       []variant
		cell           func(ts []tally) string
	}
	drops := func(labels ...string) func(ts []tally) string {
		return func(ts []tally) string {
			var parts []string
			for i, s := range ts {
				parts = append(parts, labels[i]+": "+s.causes())
			}
			return strings.Join(parts, "; ")
		}
	}
	rows := []row{
		{"eks-prestop", "EKS, ALB with **instance** targets (the report's Ingress used target-type instance), 300 s delay: preStop 0 → some 502s, 40 s → rare, 70 s with a 100 s grace → none (#2106). The ALB never deregisters the pod; the errors come from kube-proxy forwarding to it until its endpoint update lands (lag lognormal median 10 s, p99 40 s, calibrated to the report)",
			[]variant{{nil}, {prestop(40*time.Second, 60*time.Second)}, {prestop(70*time.Second, 100*time.Second)}},
			drops("preStop 0", "40 s / 60 s grace", "70 s / 100 s")},
		{"eks-short-delay", "EKS, 30 s delay: preStop 5 s still drops; 25 s with a 60 s grace → none (#1064, govuk-helm-charts #4033)",
			[]variant{{nil}, {prestop(25*time.Second, 60*time.Second)}},
			drops("preStop 5 s", "25 s / 60 s")},
		{"ecs-stop-task", "StopTask drops requests for a few seconds at 2–3 requests/s; a service scale-in drops none",
			[]variant{{nil}, {func(c *model.Config) { c.Platform.Stop = model.StopService }}},
			drops("`stop_task`", "`service`")},
		{"nlb-flows-hook", "NLB termination off keeps flows past the delay until the instance goes; on closes them at expiry [NLB-TG]; the NLB's ~2 min lag keeps opening flows on a drained target (containers-roadmap #470)",
			[]variant{{nil}, {func(c *model.Config) { c.TargetGroup.ConnectionTermination = true }}},
			func(ts []tally) string {
				return fmt.Sprintf("off: %s, scale-in %.0f s; on: %s", ts[0].causes(), ts[0].scaleIn, ts[1].causes())
			}},
		{"websocket-storm", "8 targets, half drained at once: reconnect storm without jitter (omi #5518)",
			[]variant{{nil}, {func(c *model.Config) {
				rc := *c.Traffic[0].Reconnect
				rc.Jitter = model.JitterFull
				c.Traffic[0].Reconnect = &rc
			}}},
			func(ts []tally) string {
				return fmt.Sprintf("%.0f reconnects; peak %.0f/s without jitter vs %.0f/s with full jitter (%.1f×)",
					ts[0].reconnects, ts[0].peak, ts[1].peak, ts[0].peak/ts[1].peak)
			}},
		{"keepalive-race", "keep-alive 5 s under a 60 s idle timeout: a small steady 502 rate; 75 s: none (medplum #2253)",
			[]variant{{nil}, {func(c *model.Config) { c.App.KeepaliveTimeout = 75 * time.Second }}},
			drops("5 s, per 2-hour run of ~7,200 requests", "75 s")},
		{"ec2-lifecycle-hook", "the hook runs after draining: adds billed time and no drops [ASG-LC]",
			[]variant{{nil}, {func(c *model.Config) { c.Platform.LifecycleHook = nil }}},
			func(ts []tally) string {
				return fmt.Sprintf("drops %s with the 20 s hook, %s without; scale-in %.1f s vs %.1f s; cost $%.5f vs $%.5f",
					ts[0].causes(), ts[1].causes(), ts[0].scaleIn, ts[1].scaleIn, ts[0].cost, ts[1].cost)
			}},
		{"ecs-fargate-spot", "a stop timeout shorter than the requests still running at SIGTERM kills them [ECS-CD]",
			[]variant{{nil}, {func(c *model.Config) { c.Platform.StopTimeout = 120 * time.Second }}},
			drops("stop_timeout 30 s", "120 s")},
	}
	// Every variant runs in a goroutine of its own (each run is
	// deterministic, so the table does not depend on the order).
	ts := make([][]tally, len(rows))
	errs := make([][]error, len(rows))
	var wg sync.WaitGroup
	for i, r := range rows {
		ts[i], errs[i] = make([]tally, len(r.variants)), make([]error, len(r.variants))
		for j, v := range r.variants {
			wg.Go(func() { ts[i][j], errs[i][j] = runVariant(r.name, v) })
		}
	}
	wg.Wait()
	var b strings.Builder
	b.WriteString("| built-in | observed (source) | drainsim |\n|---|---|---|\n")
	for i, r := range rows {
		for _, err := range errs[i] {
			require.NoError(t, err, r.name)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.name, r.observed, r.cell(ts[i]))
	}
	return b.String()
}
