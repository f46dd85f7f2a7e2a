package cli

import (
	"io"
	"sync"
)

// A CheckedWriter passes writes on to W and remembers the first error, so
// that a write nobody checked (a line printed with fmt.Fprintf) still
// makes drainsim fail: `drainsim validate x.toml > /dev/full` must not
// exit 0. After an error every write fails with it. It is safe for
// concurrent use (a progress bar and a checkpoint saver write beside the
// main goroutine). W must not change after the first Write.
type CheckedWriter struct {
	W io.Writer

	mu  sync.Mutex
	err error
}

// Write writes p to W unless an earlier write failed; a short write is an
// error (io.ErrShortWrite).
func (c *CheckedWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.W.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// Unwrap returns the writer written to (a terminal check looks through
// it).
func (c *CheckedWriter) Unwrap() io.Writer { return c.W }

// Err returns the first error of a write, or nil.
func (c *CheckedWriter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}
