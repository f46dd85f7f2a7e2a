package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutLock: a sweep whose --out another drainsim holds refuses,
// naming the holder and how to clear a stale lock (before, both ran and
// overwrote each other's results and checkpoint); one that finishes
// leaves no lock behind.
func TestOutLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lock := filepath.Join(dir, lockName)
	require.NoError(t, os.WriteFile(lock, []byte("12345\n"), 0o644))
	args := []string{"sweep", "testdata/sweep.toml", "--delays", "0s,10s", "--replications", "2", "--out", dir, "--quiet"}
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	assert.Equal(t, exitRun, code)
	assert.Empty(t, out.String())
	assert.Contains(t, errb.String(), "is in use by another drainsim (process 12345)")
	assert.Contains(t, errb.String(), "remove "+lock)
	assert.NoFileExists(t, filepath.Join(dir, resultsJSON), "a locked directory is not written")
	assert.FileExists(t, lock, "another's lock is left alone")

	require.NoError(t, os.Remove(lock))
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
