package main

import (
	"fmt"
	"io"
	"sync"
)

// checkedWriter passes writes on to w and remembers the first error, so
// that a write nobody checked (a line printed with fmt.Fprintf) still
// makes drainsim fail: `drainsim validate x.toml > /dev/full` must not
// exit 0. After an error every write fails with it.
type checkedWriter struct {
	mu  sync.Mutex // writes may come from a progress bar or a checkpoint saver
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// Unwrap returns the writer written to (isTerminal looks through it).
func (c *checkedWriter) Unwrap() io.Writer { return c.w }

// checkWrites turns the exit code of a command into a failure if writing
// its output failed unnoticed: exitRun, with a message on stderr if
// stderr still takes one. A command that failed already keeps its code.
func checkWrites(code int, stdout, stderr *checkedWriter) int {
	if code != exitOK {
		return code
	}
	if err := stdout.firstErr(); err != nil {
		fmt.Fprintf(stderr, "drainsim: write standard output: %v\n", err)
		return exitRun
	}
	if stderr.firstErr() != nil {
		return exitRun
	}
	return code
}

// firstErr returns the first error of a write, or nil.
func (c *checkedWriter) firstErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}
