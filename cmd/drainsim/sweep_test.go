package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/report"
	"github.com/drainsim/drainsim/sweep"
)

// smallSweep is the sweep of the golden tests.
const smallSweep = "sweep testdata/sweep.toml --delays 0s:40s:20s --replications 4"

// runOK runs drainsim, requiring success, and returns its stdout and
// stderr.
func runOK(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, code := drainsim(args...)
	require.Equal(t, exitOK, code, "drainsim %s\nstderr:\n%s", strings.Join(args, " "), stderr)
	return stdout, stderr
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestSweepOut(t *testing.T) {
	t.Parallel()
	for _, svg := range []bool{false, true} {
		name := "png"
		if svg {
			name = "svg"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "results", "new") // created, parents too
			args := strings.Fields(smallSweep + " --format json --out " + dir)
			if svg {
				args = append(args, "--svg", "--log-y")
			}
			stdout, stderr := runOK(t, args...)

			want := []string{"cost_vs_delay.png", "drain_vs_delay.png", "drops_vs_delay.png", "results.csv", "results.json"}
			if svg {
				want = append(want, "cost_vs_delay.svg", "drain_vs_delay.svg", "drops_vs_delay.svg")
				slices.Sort(want)
			}
			assert.Equal(t, want, dirNames(t, dir), "exactly these files, no temporary ones")
			for _, n := range want {
				assert.Contains(t, stderr, filepath.Join(dir, n), "stderr names every file written")
			}
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line on stderr: %q", stderr)

			// results.json is the --format json output; results.csv the
			// --format csv output.
			assert.Equal(t, stdout, readFile(t, filepath.Join(dir, "results.json")))
			csvOut, _ := runOK(t, strings.Fields(smallSweep+" --format csv")...)
			assert.Equal(t, csvOut, readFile(t, filepath.Join(dir, "results.csv")))

			// The JSON holds the rows and the recommendation, whose own
			// rows are left out.
			var res report.Sweep
			require.NoError(t, json.Unmarshal([]byte(stdout), &res))
			assert.Equal(t, "sweep-small", res.Scenario)
			assert.Equal(t, 4, res.Replications)
			assert.Len(t, res.Rows, 3)
			require.NotNil(t, res.Recommendation)
			assert.Nil(t, res.Recommendation.Rows)
			assert.NotContains(t, stdout, `"rows": null`)

			// The plots decode at the default size.
			for _, n := range []string{chart.DropsFile, chart.CostFile, chart.DrainFile} {
				f, err := os.Open(filepath.Join(dir, n+".png"))
				require.NoError(t, err)
				img, err := png.Decode(f)
				f.Close()
				require.NoError(t, err, n)
				assert.Equal(t, chart.DefaultWidth, img.Bounds().Dx(), n)
				assert.Equal(t, chart.DefaultHeight, img.Bounds().Dy(), n)
				if svg {
					assert.Contains(t, readFile(t, filepath.Join(dir, n+".svg")), "<svg")
				}
			}
		})
	}
}

func TestSweepOutReplaces(t *testing.T) {
	t.Parallel()
	// Files of an earlier sweep are replaced, keeping their mode; other
	// files are left alone. Standard output still gets the table, and
	// --quiet leaves standard error empty.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "results.csv"), []byte("old"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
	stdout, stderr := runOK(t, strings.Fields(smallSweep+" --quiet --out "+dir)...)
	plain, _ := runOK(t, strings.Fields(smallSweep)...)
	assert.Equal(t, plain, stdout)
	assert.Empty(t, stderr, "--quiet")
	csvText := readFile(t, filepath.Join(dir, "results.csv"))
	assert.True(t, strings.HasPrefix(csvText, "# assumptions (* = default): "), "the assumptions head the CSV")
	assert.Contains(t, csvText, "\nscenario,seed,criterion,delay_s,")
	fi, err := os.Stat(filepath.Join(dir, "results.csv"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	assert.Equal(t, "mine", readFile(t, filepath.Join(dir, "notes.txt")))
	assert.Len(t, dirNames(t, dir), 6)
}

func TestSweepOutInTheWay(t *testing.T) {
	t.Parallel()
	// A directory where a result file goes is bad usage, found before
	// anything runs: nothing is written.
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "results.json"), 0o755))
	stdout, stderr, code := drainsim(strings.Fields(smallSweep + " --out " + dir)...)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "drainsim: invalid --out "+dir+": "+filepath.Join(dir, "results.json")+" is in the way: not a regular file\n"+
		"Run 'drainsim sweep --help' for usage.\n", stderr)
	assert.Equal(t, []string{"results.json"}, dirNames(t, dir))
}

func TestSweepBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	for _, bad := range []string{"--delays 0s:10s", "--drop-cost=-1", "--max-dropped=-1", "--delays 4000s"} {
		_, _, code := drainsim(strings.Fields(smallSweep + " --out " + dir + " " + bad)...)
		assert.Equal(t, exitUsage, code, bad)
		assert.NoDirExists(t, dir, bad)
	}
}

func TestSweepWorkers(t *testing.T) {
	t.Parallel()
	// The output and the result files do not depend on --workers (the
	// PNG bytes are not compared: rendering is not the sweep's). The JSON
	// output and the results.csv/results.json files hold every figure of
	// the rows; the table and CSV renderings of them are the golden cases'
	// (sweep_table, sweep_csv), so one format is run per worker count.
	outs := map[string][]string{}
	for _, w := range []string{"1", "3"} {
		dir := t.TempDir()
		stdout, _ := runOK(t, strings.Fields(smallSweep+" --quiet --format json --workers "+w+" --out "+dir)...)
		got := []string{stdout, readFile(t, filepath.Join(dir, "results.csv")), readFile(t, filepath.Join(dir, "results.json"))}
		rec, _ := runOK(t, strings.Fields("recommend testdata/sweep.toml --delays 0s:40s:20s --replications 4 --max-dropped 1 --max-replications 32 --format json --workers "+w)...)
		outs[w] = append(got, rec)
	}
	require.Len(t, outs["1"], 4)
	for i := range outs["1"] {
		assert.Equal(t, outs["1"][i], outs["3"][i], "output %d", i)
	}
}

func TestSweepFlagsOverrideScenario(t *testing.T) {
	t.Parallel()
	// testdata/sweep_defaults.toml's [sweep] table: delays 0s and 30s,
	// 3 replications, $0.25 per drop, at most 0.5 dropped.
	js, _ := runOK(t, "sweep", "testdata/sweep_defaults.toml", "--format", "json")
	var res report.Sweep
	require.NoError(t, json.Unmarshal([]byte(js), &res))
	require.Len(t, res.Rows, 2)
	assert.Equal(t, 30.0, res.Rows[1].DelayS)
	assert.Equal(t, 3, res.Rows[0].Replications)
	assert.Equal(t, 0.25, res.Recommendation.DropCost)
	assert.Equal(t, 0.5, res.Recommendation.MaxDropped)

	js, _ = runOK(t, "sweep", "testdata/sweep_defaults.toml", "--format", "json",
		"--delays", "5s", "--replications", "2", "--drop-cost", "0", "--max-dropped", "3", "--seed", "9")
	res = report.Sweep{}
	require.NoError(t, json.Unmarshal([]byte(js), &res))
	require.Len(t, res.Rows, 1)
	assert.Equal(t, 5.0, res.Rows[0].DelayS)
	assert.Equal(t, 2, res.Rows[0].Replications)
	assert.Equal(t, uint64(9), res.Seed)
	assert.Zero(t, res.Recommendation.DropCost)
	assert.Equal(t, 3.0, res.Recommendation.MaxDropped)

	// Without a [sweep] table: 0s:300s:10s and 30 replications.
	p := &gridFlags{}
	cmd := newSweepCmd()
	require.NoError(t, cmd.ParseFlags(nil))
	pl, err := p.load(cmd, "testdata/sweep.toml", nil)
	require.NoError(t, err)
	assert.Len(t, pl.delays, 31)
	assert.Equal(t, 30, pl.reps)
	assert.Zero(t, pl.crit.DropCost)
	assert.Zero(t, pl.crit.MaxDropped)
}

func TestSweepWriteFailureIsRunError(t *testing.T) {
	t.Parallel()
	var errb bytes.Buffer
	code := run(strings.Fields(smallSweep), errWriter{}, &errb)
	assert.Equal(t, exitRun, code)
	assert.Equal(t, "drainsim: write results: broken pipe\n", errb.String())
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	assert.False(t, isTerminal(&bytes.Buffer{}))
	f, err := os.CreateTemp(t.TempDir(), "x")
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f), "a regular file")
}

func TestProgress(t *testing.T) {
	t.Parallel()
	// A grid of 6 runs, then two refinement batches of 2: the bar never
	// reaches its maximum before finish, and counts every run.
	var b bytes.Buffer
	p := newProgress(&b, 6)
	for i := 1; i <= 6; i++ {
		p.update(i, 6)
		assert.Less(t, p.base+p.last, p.bar.GetMax())
	}
	for range 2 {
		for i := 1; i <= 2; i++ {
			p.update(i, 2)
			assert.Less(t, p.base+p.last, p.bar.GetMax())
		}
	}
	assert.Equal(t, 8, p.base)
	assert.Equal(t, 11, p.bar.GetMax())
	assert.Equal(t, int64(10), p.bar.State().CurrentNum)
	assert.Equal(t, "refine", p.bar.State().Description)
	assert.False(t, p.bar.IsFinished())
	p.finish()
	assert.True(t, p.bar.IsFinished())
	assert.NotEmpty(t, b.String())

	// Batches of one run each.
	p = newProgress(&bytes.Buffer{}, 1)
	for range 3 {
		p.update(1, 1)
	}
	assert.Equal(t, 2, p.base)
	p.finish()
}

func TestPlotRows(t *testing.T) {
	t.Parallel()
	row := func(d float64) sweep.Row { return sweep.Row{DelayS: d} }
	rows := []sweep.Row{row(0), row(20), row(40)}
	rec13, rec20 := row(13), row(20)
	res := report.Sweep{Rows: rows, Recommendation: &sweep.Recommendation{
		Recommended: &rec13, CostOptimal: rec20, RuleOfThumb: row(7),
	}}
	var got []float64
	for _, r := range plotRows(res) {
		got = append(got, r.DelayS)
	}
	assert.Equal(t, []float64{0, 7, 13, 20, 40}, got)
	assert.Len(t, rows, 3, "the grid's rows are not changed")

	res.Recommendation.Recommended = nil
	res.Recommendation.RuleOfThumb = row(40)
	assert.Equal(t, rows, plotRows(res))
	assert.Equal(t, rows, plotRows(report.Sweep{Rows: rows}))
}
