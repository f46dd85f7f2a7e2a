package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/report"
	"github.com/drainsim/drainsim/scenarios"
)

// validation is one scenario's verdict in 'drainsim validate --format
// json'. JSON names are part of drainsim's interface.
type validation struct {
	Scenario string `json:"scenario"`
	OK       bool   `json:"ok"`
	// Problems are the scenario's problems, one per element, as
	// "file:line:col: key: message" (empty when OK).
	Problems []string `json:"problems"`
}

func newValidateCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "validate FILE|NAME...",
		Short: "Check scenarios without running them",
		Long: `Validate loads and checks each scenario (a file or a built-in name) and
prints "FILE: ok" for each good one. Problems go to standard error, one per
line, as "file:line:col: key: message"; the exit status is then 2.

With --format json it prints instead an array of objects with scenario, ok
and problems (the same lines), and nothing on standard error; the exit
status is the same.`,
		Example: `  drainsim validate scenarios/*.toml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("validate needs at least one scenario, a built-in name or a file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return usagef("invalid --format %q: must be table or json", format)
			}
			var bad []error
			var list []validation
			for _, arg := range args {
				_, err := scenarios.Open(arg)
				v := validation{Scenario: arg, OK: err == nil, Problems: []string{}}
				if err != nil {
					bad = append(bad, err)
					v.Problems = problemLines(err)
				}
				list = append(list, v)
				if format == "json" {
					continue
				}
				if err != nil {
					printProblems(cmd.ErrOrStderr(), err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", arg)
			}
			if format == "json" {
				if err := report.WriteJSON(cmd.OutOrStdout(), list); err != nil {
					return &runError{fmt.Errorf("write results: %w", err)}
				}
			}
			if len(bad) > 0 {
				return &inputError{err: errors.Join(bad...), printed: true}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output `format`: table or json")
	return cmd
}

// problemLines are the problems of a scenario, one per element, as
// printProblems prints them without the "drainsim: " prefix.
func problemLines(err error) []string {
	var es scenarios.Errors
	if !errors.As(err, &es) {
		return []string{err.Error()}
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Error()
	}
	return out
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
