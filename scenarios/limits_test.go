package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sparse creates the file name of size bytes in dir without writing them.
func sparse(t *testing.T, name string, size int64) {
	t.Helper()
	f, err := os.Create(name)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(size))
	require.NoError(t, f.Close())
}

// TestLoadTooLarge: a scenario file over the limit is refused, not read
// into memory (before the limit, Load read any file whole).
func TestLoadTooLarge(t *testing.T) {
	file := filepath.Join(t.TempDir(), "huge.toml")
	sparse(t, file, MaxScenarioBytes+1)
	_, err := Load(file)
	require.Error(t, err)
	var tl *TooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, file+": larger than the 16 MiB limit", err.Error())
}

// TestReferencedFilesTooLarge: an empirical sample file and an AWS CLI
// JSON file over their limits are problems at their keys.
func TestReferencedFilesTooLarge(t *testing.T) {
	dir := t.TempDir()
	sparse(t, filepath.Join(dir, "durations.txt"), MaxSamplesBytes+1)
	sparse(t, filepath.Join(dir, "tg-attributes.json"), MaxJSONBytes+1)
	src := strings.Replace(minimal, `{ distribution = "constant", value = "1s" }`,
		`{ distribution = "empirical", file = "durations.txt" }`, 1)
	src = strings.Replace(src, "[fleet]", "[target_group]\nattributes_file = \"tg-attributes.json\"\n[fleet]", 1)
	file := filepath.Join(dir, "s.toml")
	require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
	_, err := Load(file)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "traffic[0].duration.file: cannot read "+filepath.Join(dir, "durations.txt")+": larger than the 256 MiB limit")
	assert.Contains(t, err.Error(), "target_group.attributes_file: cannot read "+filepath.Join(dir, "tg-attributes.json")+": larger than the 16 MiB limit")
}

// TestReadLimitedStream: a stream with no size (a device such as
// /dev/zero, a pipe) is read up to the limit and no further.
func TestReadLimitedStream(t *testing.T) {
	data, err := readLimited(strings.NewReader("12345678"), 8)
	require.NoError(t, err)
	assert.Equal(t, "12345678", string(data))
	_, err = readLimited(strings.NewReader("123456789"), 8)
	var tl *TooLargeError
	require.ErrorAs(t, err, &tl)

	fsys := fstest.MapFS{"a.txt": {Data: []byte("123456789")}}
	_, err = readFS(fsys, "a.txt", 8)
	require.ErrorAs(t, err, &tl)
	_, err = readFS(fsys, "a.txt", 9)
	require.NoError(t, err)
}

// TestLoadDevZero: /dev/zero, endless, is refused at the limit.
func TestLoadDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := Load("/dev/zero")
	require.Error(t, err)
	assert.Equal(t, "/dev/zero: larger than the 16 MiB limit", err.Error())
}
