package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	hello := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := fmt.Fprint(w, s); return err }
	}

	// A new file.
	require.NoError(t, writeFileAtomic(path, hello("one\n")))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "one\n", string(b))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())

	// Replacing it keeps its mode.
	require.NoError(t, os.Chmod(path, 0o600))
	require.NoError(t, writeFileAtomic(path, hello("two\n")))
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "two\n", string(b))
	fi, err = os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// A failing write leaves the old file and no temporary file.
	boom := errors.New("boom")
	err = writeFileAtomic(path, func(w io.Writer) error {
		fmt.Fprint(w, "partial")
		return boom
	})
	assert.ErrorIs(t, err, boom)
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "two\n", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "temporary files left behind: %v", entries)

	// A missing directory and a directory in the way are errors.
	assert.Error(t, writeFileAtomic(filepath.Join(dir, "no", "such", "x"), hello("x")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	assert.Error(t, writeFileAtomic(filepath.Join(dir, "sub"), hello("x")))
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2)
}

func TestWriteFileAtomicRelative(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, writeFileAtomic("rel.txt", func(w io.Writer) error {
		_, err := io.WriteString(w, "ok")
		return err
	}))
	b, err := os.ReadFile("rel.txt")
	require.NoError(t, err)
	assert.Equal(t, "ok", string(b))
}
