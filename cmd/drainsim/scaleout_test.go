package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/sweep"
)

// scaleCases are golden tests of sweep --shard and merge, like cliCases;
// their files are under testdata/scaleout.
var scaleCases = []struct {
	name string
	args string
	code int
}{
	{"shard_syntax", "sweep testdata/sweep.toml --shard 3 --out testdata/none", exitUsage},
	{"shard_k_range", "sweep testdata/sweep.toml --shard 3/3 --out testdata/none", exitUsage},
	{"shard_n_zero", "sweep testdata/sweep.toml --shard 0/0 --out testdata/none", exitUsage},
	{"shard_no_out", "sweep testdata/sweep.toml --shard 0/2", exitUsage},
	{"shard_result_flags", "sweep testdata/sweep.toml --shard 0/2 --out testdata/none --format json --svg --log-y", exitUsage},
	{"shard_out_and_part", "sweep testdata/sweep.toml --shard 1/2 --out testdata/none --part testdata/none.json", exitUsage},
	{"shard_part_no_dir", "sweep testdata/sweep.toml --shard 1/2 --part testdata/none/part.json", exitUsage},
	{"part_no_shard", "sweep testdata/sweep.toml --part testdata/none.json", exitUsage},
	{"merge_no_args", "merge", exitUsage},
	{"merge_missing", "merge testdata/missing.json", exitUsage},
	{"merge_not_part", "merge testdata/sweep.toml testdata/small.toml", exitUsage},
	{"merge_format_bad", "merge testdata/none.json --format xml", exitUsage},
}

func TestScaleOutCLI(t *testing.T) {
	for _, tc := range scaleCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := drainsim(strings.Fields(tc.args)...)
			golden(t, filepath.Join("scaleout", tc.name+".stdout"), stdout)
			golden(t, filepath.Join("scaleout", tc.name+".stderr"), stderr)
			assert.Equal(t, tc.code, code, "exit code of drainsim %s\nstderr:\n%s", tc.args, stderr)
		})
	}
}

// TestScaleOutGoldenFilesUsed is TestGoldenFilesUsed for scaleCases.
func TestScaleOutGoldenFilesUsed(t *testing.T) {
	known := map[string]bool{}
	for _, tc := range scaleCases {
		known[tc.name] = true
	}
	files, err := filepath.Glob(filepath.Join("testdata", "scaleout", "*"))
	require.NoError(t, err)
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".stdout"), ".stderr")
		assert.True(t, known[name], "%s belongs to no case", f)
	}
}

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1], true
				}
			}
			return "", false
		}
	}
	for _, c := range []struct {
		in   string
		env  []string
		k, n int
		err  string
	}{
		{in: "0/1", k: 0, n: 1},
		{in: "3/8", k: 3, n: 8},
		{in: " 7/8 ", k: 7, n: 8},
		{in: "auto/8", env: []string{"JOB_COMPLETION_INDEX", "5"}, k: 5, n: 8},
		{in: "auto/8", env: []string{"AWS_BATCH_JOB_ARRAY_INDEX", "0"}, k: 0, n: 8},
		{in: "auto/8", env: []string{"AWS_BATCH_JOB_ARRAY_INDEX", "2", "JOB_COMPLETION_INDEX", "6"}, k: 6, n: 8},
		{in: "auto/8", err: "--shard auto/8: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job) is set: give the shard's number, --shard K/8"},
		{in: "auto/8", env: []string{"JOB_COMPLETION_INDEX", "8"}, err: "--shard auto/8: JOB_COMPLETION_INDEX=8 is outside 0–7: the Kubernetes Indexed Job must have exactly 8 children, numbered from 0"},
		{in: "auto/2", env: []string{"AWS_BATCH_JOB_ARRAY_INDEX", "-1"}, err: "AWS_BATCH_JOB_ARRAY_INDEX=-1 is outside 0–1"},
		{in: "auto/2", env: []string{"JOB_COMPLETION_INDEX", "one"}, err: `JOB_COMPLETION_INDEX="one" is not a shard number`},
		{in: "8/8", err: "K must be auto or a shard number, 0–7 (shards are numbered from 0)"},
		{in: "-1/8", err: "K must be auto"},
		{in: "1/0", err: "N must be a number of shards, 1–100000"},
		{in: "1/100001", err: "N must be"},
		{in: "1", err: "want K/N"},
		{in: "1/2/3", err: "N must be"},
	} {
		t.Run(c.in+strings.Join(c.env, "="), func(t *testing.T) {
			k, n, err := parseShard(c.in, env(c.env...))
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, [2]int{c.k, c.n}, [2]int{k, n})
		})
	}
}

// execute runs a command line as run does, under ctx (which may carry
// test hooks and be cancelled) instead of one cancelled by signals.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	return fail(stderr, cmd, err)
}

// drainsimCtx is drainsim under ctx.
func drainsimCtx(ctx context.Context, args string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = execute(ctx, strings.Fields(args), &out, &errb)
	return out.String(), errb.String(), code
}

// Environment of the child processes.
const (
	helperEnv    = "DRAINSIM_TEST_PROCESS"    // "1": TestDrainsimProcess runs drainsim
	saveEveryEnv = "DRAINSIM_TEST_SAVE_EVERY" // replaces saveEvery
	cellSleepEnv = "DRAINSIM_TEST_CELL_SLEEP" // sleep after each cell run
)

// TestDrainsimProcess is not a test: it is drainsim in the child
// processes of the scale-out tests (the test binary runs itself), with
// the arguments after "--". Signals cancel it as they cancel drainsim.
func TestDrainsimProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("drainsim in a child process of the scale-out tests")
	}
	args := os.Args[slices.Index(os.Args, "--")+1:]
	ctx := context.Background()
	if d, err := time.ParseDuration(os.Getenv(saveEveryEnv)); err == nil {
		ctx = context.WithValue(ctx, saveEveryKey{}, d)
	}
	if d, err := time.ParseDuration(os.Getenv(cellSleepEnv)); err == nil {
		ctx = context.WithValue(ctx, cellHookKey{}, func(int) { time.Sleep(d) })
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	code := execute(ctx, args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// process returns drainsim as a child process with args and env (and
// none of the shard index variables of this process's environment).
func process(env []string, args string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestDrainsimProcess$", "--"}, strings.Fields(args)...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JOB_COMPLETION_INDEX=") && !strings.HasPrefix(kv, "AWS_BATCH_JOB_ARRAY_INDEX=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	// The race detector waits a second before exiting, for other
	// goroutines' reports; drainsim has none left at exit.
	cmd.Env = append(cmd.Env, append([]string{helperEnv + "=1", "GORACE=atexit_sleep_ms=0"}, env...)...)
	return cmd
}

// results are the files a sweep writes that must be the same bytes.
type results struct{ stdout, csv, json string }

// readResults reads results.csv and results.json from dir.
func readResults(t *testing.T, stdout, dir string) results {
	t.Helper()
	return results{stdout, readFile(t, filepath.Join(dir, resultsCSV)), readFile(t, filepath.Join(dir, resultsJSON))}
}

// singleRun is smallSweep on one machine, with --out: the bytes every
// sharded, merged, interrupted or resumed sweep must reproduce.
var singleRun = sync.OnceValues(func() (results, error) {
	dir, err := os.MkdirTemp("", "drainsim-single")
	if err != nil {
		return results{}, err
	}
	defer os.RemoveAll(dir)
	stdout, stderr, code := drainsim(strings.Fields(smallSweep + " --quiet --out " + dir)...)
	if code != exitOK {
		return results{}, fmt.Errorf("exit %d: %s", code, stderr)
	}
	csv, err1 := os.ReadFile(filepath.Join(dir, resultsCSV))
	js, err2 := os.ReadFile(filepath.Join(dir, resultsJSON))
	return results{stdout, string(csv), string(js)}, errors.Join(err1, err2)
})

func wantResults(t *testing.T) results {
	t.Helper()
	want, err := singleRun()
	require.NoError(t, err)
	return want
}

// TestShardMergeProcesses runs the shards of a sweep as separate
// processes at once, as a Kubernetes Indexed Job or an AWS Batch array
// job would, and merges them in another: the output and result files are
// those of the sweep on one machine, byte for byte.
func TestShardMergeProcesses(t *testing.T) {
	t.Parallel()
	want := wantResults(t)
	parts := t.TempDir()
	shards := []*exec.Cmd{
		process(nil, smallSweep+" --shard 0/3 --workers 1 --out "+parts),
		process([]string{"JOB_COMPLETION_INDEX=1"}, smallSweep+" --shard auto/3 --out "+parts),
		process([]string{"AWS_BATCH_JOB_ARRAY_INDEX=2"}, smallSweep+" --shard auto/3 --workers 3 --part "+filepath.Join(parts, "two.json")),
	}
	outs := make([]*bytes.Buffer, len(shards))
	for i, c := range shards {
		outs[i] = &bytes.Buffer{}
		c.Stdout, c.Stderr = outs[i], outs[i]
		require.NoError(t, c.Start())
	}
	for i, c := range shards {
		require.NoError(t, c.Wait(), "shard %d: %s", i, outs[i])
	}
	assert.Equal(t, "drainsim: wrote "+filepath.Join(parts, "part-0-of-3.json")+": shard 0 of 3, 4 cells\n", outs[0].String())
	assert.Equal(t, "drainsim: wrote "+filepath.Join(parts, "two.json")+": shard 2 of 3, 4 cells\n", outs[2].String())
	assert.Equal(t, []string{"part-0-of-3.json", "part-1-of-3.json", "two.json"}, dirNames(t, parts))

	dir := t.TempDir()
	merge := process(nil, "merge --quiet --out "+dir+" "+strings.Join([]string{
		filepath.Join(parts, "two.json"), filepath.Join(parts, "part-0-of-3.json"), filepath.Join(parts, "part-1-of-3.json")}, " "))
	var stderr bytes.Buffer
	merge.Stderr = &stderr
	stdout, err := merge.Output()
	require.NoError(t, err, stderr.String())
	assert.Empty(t, stderr.String())
	assert.Equal(t, want, readResults(t, string(stdout), dir))
}

// TestShardMerge shards the sweep in more ways, in process, and merges
// without --out (whose files are those of --format csv and json).
func TestShardMerge(t *testing.T) {
	t.Parallel()
	want := wantResults(t)
	for _, n := range []int{1, 2, 5, 13} { // 13 > 12 cells: an empty shard
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			parts := t.TempDir()
			var files []string
			for k := range n {
				runOK(t, strings.Fields(fmt.Sprintf("%s --quiet --shard %d/%d --workers %d --out %s", smallSweep, k, n, k%3, parts))...)
				files = append(files, filepath.Join(parts, fmt.Sprintf("part-%d-of-%d.json", k, n)))
			}
			slices.Reverse(files) // the order does not matter
			merge := func(flags ...string) (stdout, stderr string) {
				return runOK(t, append(append([]string{"merge"}, flags...), files...)...)
			}
			table, stderr := merge("--stats")
			assert.Equal(t, want.stdout, table)
			assert.Regexp(t, `^drainsim: stats: \d+ runs, \d+ events in \S+ \(\S+ events/s, \d+ workers?\); 12 cells reused from `+fmt.Sprint(n)+` parts?\n$`, stderr)
			csv, _ := merge("--format", "csv", "--workers", "1")
			assert.Equal(t, want.csv, csv, "--format csv")
			js, _ := merge("--format", "json")
			assert.Equal(t, want.json, js, "--format json")
		})
	}
}

// interrupt runs args under a context that is cancelled once the n-th
// cell has finished, as SIGINT or SIGTERM would cancel it, and checks
// that it fails with exit status 1 and leaves a checkpoint or part at
// path with at least n cells, which it returns.
func interrupt(t *testing.T, args string, n int, path string) *sweep.Part {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx = context.WithValue(ctx, cellHookKey{}, func(runs int) {
		if runs == n {
			cancel()
		}
	})
	stdout, stderr, code := drainsimCtx(ctx, args)
	require.Equal(t, exitRun, code, stderr)
	assert.Empty(t, stdout)
	assert.Regexp(t, `interrupted; \d+ finished cells? saved in `+path+`: run the same command to resume\n$`, stderr)
	p := readPartFile(t, path)
	assert.False(t, p.Complete)
	assert.GreaterOrEqual(t, len(p.Cells), n)
	return p
}

// rewritePart reads the part at path, changes it and writes it back, as
// another run or build of drainsim would have written it (a hand edit
// would fail its checksum).
func rewritePart(t *testing.T, path string, change func(*sweep.Part)) {
	t.Helper()
	p := readPartFile(t, path)
	change(p)
	var b bytes.Buffer
	require.NoError(t, sweep.WritePart(&b, p))
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
}

func readPartFile(t *testing.T, path string) *sweep.Part {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	p, err := sweep.ReadPart(f)
	require.NoError(t, err)
	return p
}

// TestSweepResume interrupts a sweep after k cells, in the grid and in the
// refinement, once or twice, and resumes it: the output is that of an
// uninterrupted sweep and the checkpoint is gone.
func TestSweepResume(t *testing.T) {
	t.Parallel()
	want := wantResults(t)
	for _, ks := range [][]int{{1}, {5, 30}} { // 12 cells in the grid, 72 in all
		t.Run(fmt.Sprint(ks), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ckpt := filepath.Join(dir, checkpointFile)
			args := smallSweep + " --workers 2 --out " + dir
			done := 0
			for _, k := range ks {
				p := interrupt(t, args, k, ckpt)
				assert.Zero(t, p.Shards)
				assert.Greater(t, len(p.Cells), done)
				done = len(p.Cells)
				assert.Equal(t, []string{checkpointFile}, dirNames(t, dir), "no results yet")
			}
			stdout, stderr := runOK(t, strings.Fields(args+" --stats")...)
			assert.Equal(t, want, readResults(t, stdout, dir))
			assert.NotContains(t, dirNames(t, dir), checkpointFile)
			cells := nounFor(done, "cell", "cells")
			assert.Contains(t, stderr, fmt.Sprintf("drainsim: resuming from %s: %d %s done\n", ckpt, done, cells))
			assert.Contains(t, stderr, fmt.Sprintf("; %d %s reused from %s\n", done, cells, ckpt))
		})
	}
}

func TestSweepResumeRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ckpt := filepath.Join(dir, checkpointFile)
	interrupt(t, smallSweep+" --out "+dir, 3, ckpt)
	before := readFile(t, ckpt)
	for _, c := range []struct{ flags, err string }{
		{"--replications 5", "(4 replications, not 5)"},
		{"--seed 9 --drop-cost 1", "(a different configuration of the scenario (sha256 "},
		{"--max-dropped 2 --delays 0s,20s", "(delays 0s,20s,40s, not 0s,20s; max dropped 0, not 2)"},
	} {
		args := strings.Replace(smallSweep, "--replications 4", "--replications 4 "+c.flags, 1) + " --out " + dir
		stdout, stderr, code := drainsim(strings.Fields(args)...)
		assert.Equal(t, exitUsage, code, c.flags)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "drainsim: "+ckpt+": a checkpoint of another sweep ", c.flags)
		assert.Contains(t, stderr, c.err, c.flags)
		assert.Contains(t, stderr, ": remove it or choose another --out\n", c.flags)
	}
	assert.Equal(t, before, readFile(t, ckpt), "left as it was")

	// A part file is not a checkpoint (nor the reverse).
	rewritePart(t, ckpt, func(p *sweep.Part) { p.Shards = 2 })
	_, stderr, code := drainsim(strings.Fields(smallSweep + " --out " + dir)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "a checkpoint of shard 0/2, not of a sweep that is not sharded")
	require.NoError(t, os.WriteFile(ckpt, []byte("{}"), 0o644))
	_, stderr, code = drainsim(strings.Fields(smallSweep + " --out " + dir)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "cannot resume from it: format \"\", not \"drainsim-part/2\"")
}

// TestShardResume interrupts a shard, which merge then refuses, and runs
// it again: the part is the one an uninterrupted shard writes.
func TestShardResume(t *testing.T) {
	t.Parallel()
	want := wantResults(t)
	parts, other := t.TempDir(), t.TempDir()
	part := filepath.Join(parts, "part-1-of-2.json")
	runOK(t, strings.Fields(smallSweep+" --quiet --shard 0/2 --out "+parts)...)
	p := interrupt(t, smallSweep+" --workers 1 --shard 1/2 --out "+parts, 2, part)
	assert.Equal(t, 1, p.Shard)
	assert.Equal(t, 2, p.Shards)

	_, stderr, code := drainsim("merge", filepath.Join(parts, "part-0-of-2.json"), part)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, fmt.Sprintf("drainsim: %s: shard 1/2 is incomplete (%d of 6 cells): run it again, the same command, to finish it\n", part, len(p.Cells)), stderr)

	_, stderr = runOK(t, strings.Fields(smallSweep+" --shard 1/2 --out "+parts)...)
	assert.Equal(t, fmt.Sprintf("drainsim: resuming from %s: %d of 6 cells done\ndrainsim: wrote %s: shard 1 of 2, 6 cells\n", part, len(p.Cells), part), stderr)
	runOK(t, strings.Fields(smallSweep+" --quiet --shard 1/2 --out "+other)...)
	assert.Equal(t, readFile(t, filepath.Join(other, "part-1-of-2.json")), readFile(t, part), "resumed and uninterrupted parts")

	stdout, _ := runOK(t, "merge", "--format", "json", filepath.Join(parts, "part-0-of-2.json"), part)
	assert.Equal(t, want.json, stdout)

	// Running a complete shard again runs nothing and writes the same.
	_, stderr = runOK(t, strings.Fields(smallSweep+" --stats --shard 1/2 --out "+other)...)
	assert.Contains(t, stderr, "drainsim: stats: 0 runs, 0 events in ")
	assert.Equal(t, readFile(t, part), readFile(t, filepath.Join(other, "part-1-of-2.json")))
}

func TestMergeRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	shard := func(flags, out string) {
		runOK(t, strings.Fields(smallSweep+" --quiet "+flags+" --part "+path(out))...)
	}
	shard("--shard 0/2", "a0.json")
	shard("--shard 1/2", "a1.json")
	shard("--shard 1/2 --seed 4", "seed1.json")
	shard("--shard 1/3", "b1.json")
	shard("--shard 1/2", "build1.json")
	// The same sweep run by another build: before issue 11 both called
	// themselves "drainsim (devel)" and merge mixed their cells.
	rewritePart(t, path("build1.json"), func(p *sweep.Part) {
		require.Equal(t, program(), p.Program)
		p.Program = "drainsim (devel) (vcs 0123456789abcdef+modified, binary sha256 feedface)"
	})
	edited := path("edited.json")
	require.NoError(t, os.WriteFile(edited, []byte(strings.Replace(readFile(t, path("a1.json")), `"dropped":`, `"dropped":1000000`, 1)), 0o644))
	interrupt(t, smallSweep+" --out "+path("ck"), 2, path("ck/"+checkpointFile))
	for _, c := range []struct {
		name  string
		files []string
		err   []string
	}{
		{"missing", []string{"a1.json"}, []string{"drainsim: missing shard 0 of 2 (part-K-of-2.json): merge needs every shard's part\n"}},
		{"twice", []string{"a0.json", "a1.json", "a0.json"}, []string{path("a0.json") + ": shard 0/2 again (" + path("a0.json") + " is too)"}},
		{"other sweep", []string{"a0.json", "seed1.json"}, []string{path("seed1.json") + ": a shard of another sweep than " + path("a0.json") + " (a different configuration of the scenario (sha256 ", "seed 4, not 3)"}},
		{"shards", []string{"a0.json", "b1.json"}, []string{path("b1.json") + ": shard 1/3, but " + path("a0.json") + " is one of 2 shards"}},
		{"other build", []string{"a0.json", "build1.json"}, []string{path("build1.json") + ": written by drainsim (devel) (vcs 0123456789abcdef+modified, binary sha256 feedface), but " +
			path("a0.json") + " by " + program() + ": run every shard with one build"}},
		{"edited", []string{"a0.json", "edited.json"}, []string{path("edited.json") + ": its content's sha256 is "}},
		{"checkpoint", []string{"a0.json", "ck/" + checkpointFile}, []string{"the checkpoint of a sweep that is not sharded, not a shard's part"}},
		{"absent", []string{"a0.json", "a9.json"}, []string{path("a9.json") + ": no such file or directory"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var args []string
			for _, f := range c.files {
				args = append(args, path(f))
			}
			stdout, stderr, code := drainsim(append([]string{"merge"}, args...)...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, stdout)
			for _, e := range c.err {
				assert.Contains(t, stderr, e)
			}
		})
	}
}

// TestSweepSignal sends SIGINT or SIGTERM to drainsim in a child process
// once it has saved its first checkpoint: it stops with exit status 1
// and a checkpoint, and running the command again finishes the sweep
// with the output of an uninterrupted one.
func TestSweepSignal(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM to send on Windows")
	}
	want := wantResults(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ckpt := filepath.Join(dir, checkpointFile)
			args := smallSweep + " --workers 1 --out " + dir
			// Slowed down (10 ms a cell, 72 cells) so that the signal
			// comes before the end.
			c := process([]string{saveEveryEnv + "=5ms", cellSleepEnv + "=10ms"}, args)
			var stdout, stderr bytes.Buffer
			c.Stdout, c.Stderr = &stdout, &stderr
			require.NoError(t, c.Start())
			deadline := time.Now().Add(30 * time.Second)
			for {
				if _, err := os.Stat(ckpt); err == nil || time.Now().After(deadline) {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			require.NoError(t, c.Process.Signal(sig))
			err := c.Wait()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "stderr: %s", stderr.String())
			assert.Equal(t, exitRun, ee.ExitCode(), stderr.String())
			assert.Empty(t, stdout.String())
			assert.Regexp(t, `^drainsim: sweep testdata/sweep.toml: interrupted; \d+ finished cells? saved in `+ckpt+`: run the same command to resume\n$`, stderr.String())
			p := readPartFile(t, ckpt)
			assert.NotEmpty(t, p.Cells)
			assert.Equal(t, []string{checkpointFile}, dirNames(t, dir))
			if sig != syscall.SIGTERM {
				return // plots are slow to draw with -race: resume once
			}

			out, _ := runOK(t, strings.Fields(args)...)
			assert.Equal(t, want, readResults(t, out, dir))
			assert.NotContains(t, dirNames(t, dir), checkpointFile)
		})
	}
}

func TestSweepStats(t *testing.T) {
	t.Parallel()
	// --stats goes to stderr, even with --quiet; stdout does not change.
	stdout, stderr := runOK(t, strings.Fields(smallSweep+" --quiet --stats --workers 2")...)
	assert.Equal(t, wantResults(t).stdout, stdout)
	assert.Regexp(t, `^drainsim: stats: \d+ runs, \d+ events in \S+ \(\S+ events/s, 2 workers\)\n$`, stderr)
}

func TestBuildIdentity(t *testing.T) {
	// Parts and checkpoints name the code that wrote them by something
	// that changes when the code does (issue 11: every build from a
	// source tree was "drainsim (devel)").
	dir := t.TempDir()
	bin := filepath.Join(dir, "drainsim")
	require.NoError(t, os.WriteFile(bin, []byte("one build"), 0o755))
	exe := func() (string, error) { return bin, nil }
	vcs := func(rev, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	clean := buildIdentity(vcs("aaaa", "false"), exe)
	assert.Equal(t, "vcs aaaa", clean)
	assert.NotEqual(t, clean, buildIdentity(vcs("bbbb", "false"), exe), "another revision")

	dirty := buildIdentity(vcs("aaaa", "true"), exe)
	none := buildIdentity(&debug.BuildInfo{}, exe)
	assert.Regexp(t, `^vcs aaaa\+modified, binary sha256 [0-9a-f]{64}$`, dirty)
	assert.Regexp(t, `^binary sha256 [0-9a-f]{64}$`, none)
	assert.Equal(t, none, buildIdentity(nil, exe))

	// Uncommitted changes or no VCS information: another binary is
	// another build.
	require.NoError(t, os.WriteFile(bin, []byte("another build"), 0o755))
	assert.NotEqual(t, dirty, buildIdentity(vcs("aaaa", "true"), exe))
	assert.NotEqual(t, none, buildIdentity(nil, exe))
	assert.Equal(t, clean, buildIdentity(vcs("aaaa", "false"), exe), "a clean revision is its code")

	// A binary that cannot be read is like no other build.
	gone := func() (string, error) { return filepath.Join(dir, "gone"), nil }
	a, b := buildIdentity(nil, gone), buildIdentity(nil, gone)
	assert.Contains(t, a, "unidentified build (")
	assert.NotEqual(t, a, b)

	// This test binary has no VCS information: it is named by its hash.
	assert.Regexp(t, `^drainsim \S+ \(binary sha256 [0-9a-f]{64}\)$`, program())
}
