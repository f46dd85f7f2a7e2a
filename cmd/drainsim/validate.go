package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/scenarios"
)

func newValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE|NAME...",
		Short: "Check scenarios without running them",
		Long: `Validate loads and checks each scenario (a file or a built-in name) and
prints "FILE: ok" for each good one. Problems go to standard error, one per
line, as "file:line:col: key: message"; the exit status is then 2.`,
		Example: `  drainsim validate scenarios/*.toml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("validate needs at least one scenario, a built-in name or a file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var bad []error
			for _, arg := range args {
				if _, err := scenarios.Open(arg); err != nil {
					bad = append(bad, err)
					printProblems(cmd.ErrOrStderr(), err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", arg)
			}
			if len(bad) > 0 {
				return &inputError{err: errors.Join(bad...), printed: true}
			}
			return nil
		},
	}
}

// printProblems prints the problems of a scenario one per line as
// "file:line:col: key: message", like a compiler, so that editors can jump
// to them; other errors (such as a missing file) get the "drainsim: "
// prefix.
func printProblems(w io.Writer, err error) {
	var es scenarios.Errors
	if !errors.As(err, &es) {
		fmt.Fprintf(w, "drainsim: %v\n", err)
		return
	}
	for _, e := range es {
		fmt.Fprintln(w, e)
	}
}
