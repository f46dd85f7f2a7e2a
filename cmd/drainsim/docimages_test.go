package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
)

// docRun is what one drainsim command quoted in the docs printed and the
// files it wrote.
type docRun struct {
	once           sync.Once
	stdout, stderr string
	files          map[string][]byte
	err            error
}

var (
	docRunsMu sync.Mutex
	docRuns   = map[string]*docRun{}
)

// runDoc runs drainsim with args once per test binary, in a temporary
// directory: every "OUT/" in args is that directory. TestDocsFigures and
// TestDocsImages share the run, so a command whose table and image both
// appear in the docs (the README's sweep) is simulated once.
func runDoc(t *testing.T, args string) *docRun {
	t.Helper()
	docRunsMu.Lock()
	r := docRuns[args]
	if r == nil {
		r = &docRun{}
		docRuns[args] = r
	}
	docRunsMu.Unlock()
	r.once.Do(func() { r.err = r.run(args) })
	require.NoError(t, r.err, args)
	return r
}

func (r *docRun) run(args string) error {
	dir, err := os.MkdirTemp("", "drainsim-docs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	stdout, stderr, code := drainsim(strings.Fields(strings.ReplaceAll(args, "OUT/", dir+"/"))...)
	if code != exitOK {
		return fmt.Errorf("drainsim %s: exit %d\n%s", args, code, stderr)
	}
	r.stdout, r.stderr = stdout, strings.ReplaceAll(stderr, dir+"/", "")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	r.files = map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		r.files[e.Name()] = b
	}
	return nil
}

// The commands that draw docs/img. The README's drops chart is the sweep
// of its first screen with --out; the timeline is docs/data.md's command.
const (
	firstScreenArgs = "sweep payments-api --delays 0s:120s:20s --replications 10 --max-p-any-drop 0.05 --until-decided --max-replications 160"
	stormArgs       = "run websocket-storm --metrics OUT/storm.csv --timeline OUT/storm.png --period 10s"
	dayArgs         = "run diurnal-api --horizon 24h --delay 0s --timeline OUT/day.png"
	daySweepArgs    = "sweep diurnal-api --out OUT/"
)

// docImages maps each file in docs/img to the command that draws it and the
// file of that command's output it is.
var docImages = map[string]struct{ args, file string }{
	"payments-api-drops.png":       {firstScreenArgs + " --out OUT/", "drops_vs_delay.png"},
	"websocket-storm-timeline.png": {stormArgs, "storm.png"},
	"diurnal-api-day.png":          {dayArgs, "day.png"},
	"diurnal-api-sweep-drops.png":  {daySweepArgs, "drops_vs_delay.png"},
	"diurnal-api-sweep-cost.png":   {daySweepArgs, "cost_vs_delay.png"},
}

// pixelHash is the SHA-256 of a PNG's decoded pixels (as RGBA) and size:
// what the image shows, whatever the PNG encoder's compression.
func pixelHash(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	h := sha256.New()
	fmt.Fprintf(h, "%dx%d\n", rgba.Rect.Dx(), rgba.Rect.Dy())
	h.Write(rgba.Pix)
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestDocsImages checks that every docs/img PNG shows what its command
// draws now (`make docs` rewrites them with -update-docs), and that no
// image in docs/img lacks a command or is quoted by no doc.
func TestDocsImages(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates every image's run")
	}
	t.Parallel()
	dir := filepath.Join("..", "..", "docs", "img")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var docsText strings.Builder
	mds, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	require.NoError(t, err)
	for _, f := range append(mds, filepath.Join("..", "..", "README.md")) {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		docsText.Write(b)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for name := range docImages {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		img, ok := docImages[name]
		if !ok {
			t.Errorf("docs/img/%s: no command draws it (add it to docImages or delete it)", name)
			continue
		}
		if !strings.Contains(docsText.String(), "img/"+name) {
			t.Errorf("docs/img/%s: no doc shows it", name)
		}
		got, ok := runDoc(t, img.args).files[img.file]
		require.True(t, ok, "drainsim %s wrote no %s", img.args, img.file)
		path := filepath.Join(dir, name)
		if *updateDocs {
			old, err := os.ReadFile(path)
			if err != nil || pixelHash(t, old) != pixelHash(t, got) {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			continue
		}
		old, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("docs/img/%s: %v (run make docs)", name, err)
			continue
		}
		if pixelHash(t, old) != pixelHash(t, got) {
			t.Errorf("docs/img/%s differs from what `drainsim %s` draws now (run make docs)", name, img.args)
		}
	}
}

// stormFigures is docs/data.md's websocket-storm example: the command, an
// excerpt of its CSV, and the paragraph under the timeline with its
// figures read from the same run (and, for the storm after the cut, from
// the timeline's longer run).
func stormFigures(t *testing.T) string {
	r := runDoc(t, stormArgs)
	rows, err := csv.NewReader(bytes.NewReader(r.files["storm.csv"])).ReadAll()
	require.NoError(t, err)
	head := rows[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		require.GreaterOrEqual(t, i, 0, name)
		return i
	}
	num := func(row []string, name string) int64 {
		v, err := strconv.ParseInt(row[col(name)], 10, 64)
		require.NoError(t, err)
		return v
	}
	cfg, err := scenarios.Builtin("websocket-storm")
	require.NoError(t, err)
	decision := cfg.ScaleIn[0].At
	// The cut: the period in which ActiveConnectionCount falls most.
	cut, fall := 0, int64(0)
	for k := 2; k < len(rows); k++ {
		if d := num(rows[k-1], "ActiveConnectionCount") - num(rows[k], "ActiveConnectionCount"); d > fall {
			cut, fall = k, d
		}
	}
	var dec int
	for k := 1; k < len(rows); k++ {
		if rows[k][0] == strconv.Itoa(int(decision.Seconds())) {
			dec = k
		}
	}
	require.NotZero(t, dec, "no period starts at the scale-in decision")
	// The excerpt: cut -d, -f1-8,11-13 (three targets).
	excerpt := func(row []string) string {
		return strings.Join(append(slices.Clone(row[0:8]), row[10:13]...), ",")
	}
	var b strings.Builder
	b.WriteString("```\n$ drainsim run websocket-storm --metrics storm.csv --timeline storm.png --period 10s\n")
	b.WriteString("drainsim: wrote storm.csv, storm.png of replication 0\n$ cut -d, -f1-8,11-13 storm.csv\n")
	for _, k := range []int{0, 1, 2} {
		b.WriteString(excerpt(rows[k]) + "\n")
	}
	for _, k := range []int{dec, cut} {
		b.WriteString("…\n" + excerpt(rows[k]) + "\n")
	}
	b.WriteString("```\n")

	// The storm: the remaining targets' mean in flight before the cut and
	// at its peak after it, in the timeline's longer run.
	res, err := model.Run(cfg, 0)
	require.NoError(t, err)
	s, _, err := metrics.Record(metrics.Story(cfg, res, 10*time.Second), 0, 10*time.Second)
	require.NoError(t, err)
	var keep []int
	for tg := range s.InFlight {
		if !slices.Contains(s.Removed, tg) {
			keep = append(keep, tg)
		}
	}
	mean := func(k int) float64 {
		var sum int64
		for _, tg := range keep {
			sum += s.InFlight[tg][k]
		}
		return float64(sum) / float64(len(keep))
	}
	cutK := slices.Index(s.Start, time.Duration(mustAtoi(t, rows[cut][0]))*time.Second)
	require.GreaterOrEqual(t, cutK, 1)
	peakK := cutK
	for k := cutK; k < s.Len(); k++ {
		if mean(k) > mean(peakK) {
			peakK = k
		}
	}
	about := func(x float64) int { return int(x/10+0.5) * 10 }
	fmt.Fprintf(&b, "\n![websocket-storm timeline](img/websocket-storm-timeline.png)\n\n")
	fmt.Fprintf(&b, "Half of the %d targets are deregistered at %s s; their WebSockets (median 30 min) outlive the 60 s delay\n", len(s.InFlight), rows[dec][0])
	fmt.Fprintf(&b, "and are all cut when it expires: `ActiveConnectionCount` falls by %s in the period of %s s and the %d\n", commas(fall), rows[cut][0], len(s.Removed))
	fmt.Fprintf(&b, "removed targets' lines drop to zero; in the timeline, which runs on past the cut, the %d remaining targets\n", len(keep))
	fmt.Fprintf(&b, "then go from about %d to about %d each in the period of %d s: the reconnect storm. They are not 5xx: each\n", about(mean(cutK-1)), about(mean(peakK)), int(s.Start[peakK].Seconds()))
	b.WriteString("WebSocket got its 101 when it opened, so CloudWatch's `HTTPCode_ELB_5XX_Count` does not count its cut (the\n")
	b.WriteString("run's `connection_cuts` does; before drainsim counted cuts apart, each showed as a 502 in this period).\n")
	fmt.Fprintf(&b, "`RequestCount` is small because a connection is counted when it ends, in the period it arrived in: the first\n")
	fmt.Fprintf(&b, "period holds the %s of the %s connections open at the stationary start that ended before the run stopped\n", commas(num(rows[1], "RequestCount")), commas(num(rows[1], "ActiveConnectionCount")))
	fmt.Fprintf(&b, "(most of them cut at %s s), and most connections opened later are still open at the end.\n", rows[cut][0])
	return b.String()
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

// commas writes n with thousands separators: 1,304.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// relPaths rewrites the paths of the CLI tests (run in cmd/drainsim) as
// the docs quote them, from the repository's root.
func relPaths(s string) string {
	return strings.ReplaceAll(s, "testdata/", "cmd/drainsim/testdata/")
}

// upTo returns the lines of s up to and including the first one that
// starts with prefix, then "…".
func upTo(t *testing.T, s, prefix string) string {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		b.WriteString(l)
		if strings.HasPrefix(l, prefix) {
			return b.String() + "…\n"
		}
	}
	t.Fatalf("no line starts with %q in\n%s", prefix, s)
	return ""
}

// fitSampleFigure is docs/data.md's fit of the CLI tests' sample logs, up
// to the first [[traffic]] table's duration, and its messages.
func fitSampleFigure(t *testing.T) string {
	args := "fit testdata/fit_sample.log testdata/fit_sample2.log.gz"
	stdout, stderr := runOK(t, strings.Fields(args)...)
	return "```\n$ drainsim " + relPaths(args) + "\n" + relPaths(upTo(t, stdout, "duration = {")) + "```\n\n" +
		"and on standard error:\n\n```\n" + relPaths(stderr) + "```\n"
}

const accessLogArgs = "run payments-api --delay 0s --access-log OUT/access.log.gz"

// accessLogFigure is docs/data.md's access-log example: the command's
// message, the log's first 502 and how many there are.
func accessLogFigure(t *testing.T) string {
	r := runDoc(t, accessLogArgs)
	lines := gunzipLines(t, r.files["access.log.gz"])
	var first string
	n502 := 0
	for _, l := range lines {
		if strings.Contains(l, " 502 ") {
			if n502 == 0 {
				first = l
			}
			n502++
		}
	}
	var b strings.Builder
	b.WriteString("```\n$ drainsim " + strings.ReplaceAll(accessLogArgs, "OUT/", "") + "\n…the summary on standard output…\n")
	b.WriteString(r.stderr)
	b.WriteString("$ zcat access.log.gz | grep -m1 ' 502 '\n" + first + "\n```\n\n")
	fmt.Fprintf(&b, "(payments-api with the delay cut to 0 s: the two removed targets' %d requests in flight are cut at 600 s,\n", n502)
	b.WriteString("ten minutes after the epoch. A stationary run starts one minute before the first scale-in, at 9 min, so the\nlog begins at 00:09:00.)\n")
	return b.String()
}

// stationaryFitFigure is docs/data.md's fit of that log: how many lines
// were in flight at the stationary start, and the fit of the whole log.
func stationaryFitFigure(t *testing.T) string {
	r := runDoc(t, accessLogArgs)
	m := regexp.MustCompile(`wrote access.log.gz: (\d+) lines of replication 0 \((\d+) of them in flight`).FindStringSubmatch(r.stderr)
	require.NotNil(t, m, r.stderr)
	path := filepath.Join(t.TempDir(), "a.log.gz")
	require.NoError(t, os.WriteFile(path, r.files["access.log.gz"], 0o644))
	stdout, _ := runOK(t, "fit", path, "--format", "json")
	var f struct {
		P50   float64 `json:"duration_p50_s"`
		P99   float64 `json:"duration_p99_s"`
		Med   float64 `json:"lognormal_median_s"`
		LP99  float64 `json:"lognormal_p99_s"`
		KSD   float64 `json:"ks_d"`
		Lines int64   `json:"requests"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &f))
	total, _ := strconv.ParseInt(m[1], 10, 64)
	inflight, _ := strconv.ParseInt(m[2], 10, 64)
	var b strings.Builder
	fmt.Fprintf(&b, "For payments-api (median 2 s, p99 5 s) with `--delay 0s`, %s of %s lines are such, and the fit of the\nwhole log is unbiased:\n\n", commas(inflight), commas(total))
	b.WriteString("| log | lines | p50 (s) | p99 (s) | lognormal median, p99 (s) | KS D |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| `drainsim run payments-api --delay 0s --access-log a.log.gz`, then `drainsim fit a.log.gz` | %s | %.3f | %.3f | %.3f, %.3f | %.4f |\n",
		commas(f.Lines), f.P50, f.P99, f.Med, f.LP99, f.KSD)
	return b.String()
}

// roundTripFigure is docs/data.md's round trip: roundtrip.toml's run and
// the fit of its log.
func roundTripFigure(t *testing.T) string {
	args := "run testdata/roundtrip.toml --access-log OUT/rt.log --format json"
	r := runDoc(t, args)
	var b strings.Builder
	b.WriteString("```\n$ drainsim " + relPaths(strings.ReplaceAll(args, "OUT/", "")) + ` | grep -E '^  "(completed|elb_5xx|connection_cuts)"'` + "\n")
	re := regexp.MustCompile(`^  "(completed|elb_5xx|connection_cuts)"`)
	for _, l := range strings.Split(r.stdout, "\n") {
		if re.MatchString(l) {
			b.WriteString(l + "\n")
		}
	}
	path := filepath.Join(t.TempDir(), "rt.log")
	require.NoError(t, os.WriteFile(path, r.files["rt.log"], 0o644))
	stdout, _ := runOK(t, "fit", path)
	b.WriteString("$ drainsim fit rt.log\n" + upTo(t, strings.ReplaceAll(stdout, path, "rt.log"), "suggested distribution") + "```\n")
	return b.String()
}

func gunzipLines(t *testing.T, b []byte) []string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
}

// goldenLines returns the lines of golden file name (testdata/NAME.stdout,
// which TestGolden reruns) that start with one of prefixes, in file order.
func goldenLines(t *testing.T, name string, prefixes ...string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".stdout"))
	require.NoError(t, err)
	var keep []string
	for _, l := range strings.Split(string(raw), "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				keep = append(keep, l)
				break
			}
		}
	}
	require.Len(t, keep, len(prefixes), "%s: %q", name, prefixes)
	return keep
}

// estimateFigure is docs/estimate.md's worked example: the estimate's
// table and the simulation at 20 s, both from their golden files.
func estimateFigure(t *testing.T) string {
	raw, err := os.ReadFile(filepath.Join("testdata", "estimate_docs.stdout"))
	require.NoError(t, err)
	table := string(raw)
	table = table[strings.Index(table, "delay (s)"):]
	run := goldenLines(t, "estimate_docs_run", "dropped per replication, mean", "replications with a drop",
		"drain time per removed target, mean", "analytic dropped per replication", "analytic drain time per removed target")
	var b strings.Builder
	b.WriteString("```\n" + table + "```\n\n")
	b.WriteString("At D = 0 everything in flight is dropped: 25 × E[S] = 25 × 3.26 s = 81.6. At 60 s, 0.15: the figure of\n")
	b.WriteString("oracles.md. Up to D = 20 s the drain is the whole delay (the last request ends within D − c = 10 s only rarely);\n")
	b.WriteString("at 60 s it is the time until nothing is in flight plus about 10 s of idle connection.\n\n")
	b.WriteString("The simulation of the same scenario at 20 s, `drainsim run cmd/drainsim/testdata/estimate.toml --delay 20s\n")
	b.WriteString("--replications 200` (golden file `testdata/estimate_docs_run.stdout`):\n\n")
	b.WriteString("```\n" + strings.Join(run, "\n") + "\n```\n\n")
	field := func(l string) string { f := strings.Fields(l[strings.LastIndex(l, "  "):]); return f[0] }
	ci := regexp.MustCompile(`(\S+) (\[[^]]+\])\s*$`).FindStringSubmatch(run[0])
	require.NotNil(t, ci, run[0])
	frac, err := strconv.ParseFloat(field(run[1]), 64)
	require.NoError(t, err)
	pNo := regexp.MustCompile(`(?m)^\s+20\s+\S+\s+(\S+)`).FindStringSubmatch(table)
	require.NotNil(t, pNo)
	p, err := strconv.ParseFloat(pNo[1], 64)
	require.NoError(t, err)
	fmt.Fprintf(&b, "The simulated %s %s contains the closed form's %s, and 1 − %s = %.3f of the replications drop\n",
		ci[1], ci[2], field(run[3]), field(run[1]), 1-frac)
	fmt.Fprintf(&b, "nothing against P(no drop) = %s (its standard error with 200 replications is %.3f).\n", pNo[1], math.Sqrt(p*(1-p)/200))
	return b.String()
}
