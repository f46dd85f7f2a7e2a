package main

import (
	"fmt"

	"github.com/drainsim/drainsim/internal/cli"
)

// checkWrites turns the exit code of a command into a failure if writing
// its output failed unnoticed: exitRun, with a message on stderr if
// stderr still takes one. A command that failed already keeps its code.
func checkWrites(code int, stdout, stderr *cli.CheckedWriter) int {
	if code != exitOK {
		return code
	}
	if err := stdout.Err(); err != nil {
		fmt.Fprintf(stderr, "drainsim: write standard output: %v\n", err)
		return exitRun
	}
	if stderr.Err() != nil {
		return exitRun
	}
	return code
}
