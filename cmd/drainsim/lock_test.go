package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutLock: a sweep whose --out another drainsim holds refuses,
// naming the holder and how to clear a stale lock (before, both ran and
// overwrote each other's results and checkpoint); a lock whose process
// is gone is taken over; one that finishes leaves no lock behind.
func TestOutLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lock := filepath.Join(dir, lockName)
	// A live holder: this test process itself.
	holder := os.Getpid()
	require.NoError(t, os.WriteFile(lock, []byte(strconv.Itoa(holder)+"\n"), 0o644))
	args := []string{"sweep", "testdata/sweep.toml", "--delays", "0s,10s", "--replications", "2", "--out", dir, "--quiet"}
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	assert.Equal(t, exitRun, code)
	assert.Empty(t, out.String())
	assert.Contains(t, errb.String(), fmt.Sprintf("is in use by another drainsim (process %d)", holder))
	assert.Contains(t, errb.String(), "remove "+lock)
	assert.NoFileExists(t, filepath.Join(dir, resultsJSON), "a locked directory is not written")
	assert.FileExists(t, lock, "another's lock is left alone")

	// A stale lock: its process has exited (kill -9 leaves the file).
	done := exec.Command("true")
	require.NoError(t, done.Run())
	require.NoError(t, os.WriteFile(lock, []byte(strconv.Itoa(done.Process.Pid)+"\n"), 0o644))
	out.Reset()
	errb.Reset()
	require.Equal(t, exitOK, run(args, &out, &errb), errb.String())
	assert.FileExists(t, filepath.Join(dir, resultsJSON))
	assert.NoFileExists(t, lock, "the lock is removed at exit")

	// merge --out takes the same lock.
	require.NoError(t, os.WriteFile(lock, []byte("garbage"), 0o644))
	errb.Reset()
	assert.Equal(t, exitRun, run([]string{"merge", "testdata/missing.json", "--out", dir}, &out, &errb))
	assert.Contains(t, errb.String(), "is in use by another drainsim:")
}

// TestTakeLockNeverEmpty: the lock file appears with its holder's id
// already in it (written to a temporary file, then linked), and a second
// take fails with fs.ErrExist, leaving no temporary file behind. A lock
// created empty and written afterwards could be left empty by a kill -9
// between the two steps; an empty lock is never taken over as stale.
func TestTakeLockNeverEmpty(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, lockName)
	require.NoError(t, takeLock(dir, path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%d\n", os.Getpid()), string(data))
	assert.ErrorIs(t, takeLock(dir, path), fs.ErrExist)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the lock file is left")
	assert.Equal(t, lockName, entries[0].Name())
}
