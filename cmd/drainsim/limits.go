package main

import (
	"fmt"
	"io"
)

// maxPartBytes is the largest part file or checkpoint drainsim reads: a
// sweep of maxCells cells writes a few hundred MiB, so 1 GiB is beyond any
// it writes, and a larger file (or /dev/zero) is refused rather than read
// without end. docs/reliability.md, "CLI limits and signals".
const maxPartBytes = 1 << 30

// capReader reads from r and fails once more than limit bytes were read.
type capReader struct {
	r     io.Reader
	limit int64 // bytes still allowed
	max   int64
}

func newCapReader(r io.Reader, limit int64) *capReader {
	return &capReader{r: io.LimitReader(r, limit+1), limit: limit, max: limit}
}

func (c *capReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.limit -= int64(n)
	if c.limit < 0 {
		return n, fmt.Errorf("larger than the %d MiB limit", c.max>>20)
	}
	return n, err
}
