package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Environment of TestSweepSoak.
const (
	soakEnv     = "DRAINSIM_SOAK"      // how many interruptions; default soakDefault
	soakSeedEnv = "DRAINSIM_SOAK_SEED" // seed of the signal schedule; default 1
	soakDefault = 8
)

// TestSweepSoak runs smallSweep in a child process and interrupts it at
// random moments with SIGINT, SIGTERM or SIGKILL, many times, running
// the same command again after each interruption as a user would. After
// every interruption the checkpoint, if there is one, must be readable,
// incomplete and hold at least the cells of the one before (SIGKILL can
// only lose the cells since the last save); and a copy of it, resumed to
// the end in another directory, must give the uninterrupted sweep's
// output and files byte for byte. A run the signal comes too late for
// must have finished with those same bytes; the soak then starts over.
//
// `go test` makes soakDefault interruptions; DRAINSIM_SOAK=200 makes 200
// (docs/reliability.md records such a run), DRAINSIM_SOAK_SEED picks
// another schedule.
func TestSweepSoak(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM or SIGKILL to send on Windows")
	}
	n, seed := soakDefault, uint64(1)
	if s := os.Getenv(soakEnv); s != "" {
		v, err := strconv.Atoi(s)
		require.NoError(t, err, soakEnv)
		n = v
	}
	if s := os.Getenv(soakSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, soakSeedEnv)
		seed = v
	}
	want := wantResults(t)
	// The schedule of signals is random but repeatable; it is the test's
	// own, not the simulation's.
	rng := rand.New(rand.NewPCG(seed, 0x50a4))
	signals := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL}

	dir := t.TempDir()
	ckpt := filepath.Join(dir, checkpointFile)
	args := smallSweep + " --workers 2 --out " + dir
	// Slowed down (2 ms a cell, 72 cells; a checkpoint every 1 ms) so
	// that signals land before, during and between checkpoint writes.
	env := []string{saveEveryEnv + "=1ms", cellSleepEnv + "=2ms"}

	type tally struct{ interrupted, killedEarly, finished, resumed int }
	outcomes := map[syscall.Signal]*tally{}
	for _, s := range signals {
		outcomes[s] = &tally{}
	}
	start := time.Now()
	var cycles, checked, lastCells int
	maxWait := 400 * time.Millisecond
	for interruptions := 0; interruptions < n; {
		sig := signals[rng.IntN(len(signals))]
		wait := time.Duration(rng.Int64N(int64(maxWait)))
		c := process(env, args)
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		require.NoError(t, c.Start())
		time.Sleep(wait)
		if err := c.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Fatalf("signal %v: %v", sig, err)
		}
		err := c.Wait()
		ws := c.ProcessState.Sys().(syscall.WaitStatus)
		o := outcomes[sig]
		switch {
		case err == nil:
			// The signal came after the sweep had finished.
			o.finished++
			assert.Equal(t, want, readResults(t, stdout.String(), dir), "a sweep finished after %d interruptions", interruptions)
			assert.NotContains(t, dirNames(t, dir), checkpointFile)
			cycles++
			lastCells = 0
			require.NoError(t, os.RemoveAll(dir))
			require.NoError(t, os.Mkdir(dir, 0o755))
			continue
		case ws.Signaled():
			// SIGKILL, or SIGINT/SIGTERM before drainsim handles them.
			require.Equal(t, sig, ws.Signal(), "stderr: %s", stderr.String())
			if sig != syscall.SIGKILL {
				o.killedEarly++
			}
		default:
			require.Equal(t, exitRun, ws.ExitStatus(), "%v after %v; stderr: %s", sig, wait, stderr.String())
			require.NotEqual(t, syscall.SIGKILL, sig)
			assert.Empty(t, stdout.String())
			assert.Regexp(t, `interrupted; \d+ finished cells? saved in `+ckpt+`: run the same command to resume\n$`, stderr.String())
		}
		interruptions++
		o.interrupted++
		if _, err := os.Stat(ckpt); errors.Is(err, os.ErrNotExist) {
			require.Zero(t, lastCells, "%v after %v: the checkpoint of %d cells is gone", sig, wait, lastCells)
			continue
		}
		p := readPartFile(t, ckpt)
		require.False(t, p.Complete, "%v after %v", sig, wait)
		require.GreaterOrEqual(t, len(p.Cells), lastCells, "%v after %v: cells lost", sig, wait)
		lastCells = len(p.Cells)

		// Resume a copy to the end, in process: the uninterrupted bytes.
		other := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(other, checkpointFile), []byte(readFile(t, ckpt)), 0o644))
		out, stderrResume := runOK(t, strings.Fields(smallSweep+" --workers 2 --out "+other)...)
		assert.Contains(t, stderrResume, fmt.Sprintf("drainsim: resuming from %s: %d ", filepath.Join(other, checkpointFile), lastCells))
		require.Equal(t, want, readResults(t, out, other), "resumed after %v at %v with %d cells", sig, wait, lastCells)
		o.resumed++
		checked++
	}
	// Finish the last one in place.
	out, _ := runOK(t, strings.Fields(args)...)
	assert.Equal(t, want, readResults(t, out, dir))
	var leftover []string
	for _, name := range dirNames(t, dir) {
		if strings.HasPrefix(name, ".") {
			leftover = append(leftover, name)
		}
	}
	for _, s := range signals {
		o := outcomes[s]
		t.Logf("%v: %d interruptions (%d before drainsim handled the signal), %d resumed copies checked, %d runs finished first",
			s, o.interrupted, o.killedEarly, o.resumed, o.finished)
	}
	t.Logf("soak: %d interruptions, %d resumes checked byte-identical, %d sweeps completed under fire, seed %d, %v; temporary files left by SIGKILL: %d %v",
		n, checked, cycles, seed, time.Since(start).Round(time.Millisecond), len(leftover), leftover)
}
