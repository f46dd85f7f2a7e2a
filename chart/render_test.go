package chart_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/chart"
)

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		svg  bool
		want []string
	}{
		{"png", false, []string{"cost_vs_delay.png", "drain_vs_delay.png", "drops_vs_delay.png"}},
		{"png and svg", true, []string{
			"cost_vs_delay.png", "cost_vs_delay.svg", "drain_vs_delay.png", "drain_vs_delay.svg",
			"drops_vs_delay.png", "drops_vs_delay.svg",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "charts") // created by WriteFiles
			paths, err := chart.WriteFiles(dir, handRows(), handMarks, chart.Options{Width: 640, Height: 400}, tc.svg)
			require.NoError(t, err)
			var want []string
			for _, n := range tc.want {
				want = append(want, filepath.Join(dir, n))
			}
			assert.Equal(t, want, paths, "paths written, sorted")
			assert.True(t, slices.IsSorted(paths))
			assert.Equal(t, tc.want, listDir(t, dir), "exactly these files, no temporary files left")
			for _, p := range paths {
				b, err := os.ReadFile(p)
				require.NoError(t, err)
				fi, err := os.Stat(p)
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), p)
				if filepath.Ext(p) == ".png" {
					img := decodePNG(t, b)
					assert.Equal(t, 640, img.Bounds().Dx(), p)
					assert.Equal(t, 400, img.Bounds().Dy(), p)
				} else {
					assert.Contains(t, string(b[:100]), "<svg", p)
				}
			}
		})
	}
}

func TestWriteFilesDefaultSizeAndOverwrite(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "drops_vs_delay.png")
	require.NoError(t, os.WriteFile(stale, []byte("not a png"), 0o644))
	paths, err := chart.WriteFiles(dir, handRows(), chart.NoMarks(), chart.Options{}, false)
	require.NoError(t, err)
	require.Len(t, paths, 3)
	b, err := os.ReadFile(stale)
	require.NoError(t, err)
	img := decodePNG(t, b)
	assert.Equal(t, 800, img.Bounds().Dx())
	assert.Equal(t, 500, img.Bounds().Dy())
	assert.Len(t, listDir(t, dir), 3)
}

func TestWriteFilesEmptyRows(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	var err error
	require.NotPanics(t, func() { paths, err = chart.WriteFiles(dir, nil, handMarks, chart.Options{}, true) })
	assert.Error(t, err)
	assert.Nil(t, paths)
	assert.Empty(t, listDir(t, dir), "nothing written")
}

func TestWriteFilesUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := chart.WriteFiles(filepath.Join(file, "sub"), handRows(), handMarks, chart.Options{}, false)
	assert.Error(t, err, "a file is in the way of the directory")
}
