package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCapReader: part files and checkpoints are read through a capReader,
// which fails once more than its limit was read (before it, a part file
// was read without end).
func TestCapReader(t *testing.T) {
	data, err := io.ReadAll(newCapReader(strings.NewReader("12345678"), 8))
	require.NoError(t, err)
	assert.Equal(t, "12345678", string(data))
	_, err = io.ReadAll(newCapReader(strings.NewReader("123456789"), 8))
	require.Error(t, err)
	assert.Equal(t, "larger than the 0 MiB limit", err.Error())
	_, err = io.ReadAll(newCapReader(strings.NewReader(strings.Repeat("x", 2<<20+1)), 2<<20))
	assert.EqualError(t, err, "larger than the 2 MiB limit")
}
