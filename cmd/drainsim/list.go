package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/report"
	"github.com/drainsim/drainsim/scenarios"
)

// scenarioInfo is one built-in scenario in 'drainsim scenarios --format
// json'. JSON names are part of drainsim's interface.
type scenarioInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func newScenariosCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Long: `Scenarios lists the built-in scenarios by name with a one-line description.
With --format json it prints an array of objects with name and description.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usagef("invalid --format %q: must be table or json", format)
			}
			list := make([]scenarioInfo, 0, len(scenarios.Names()))
			for _, n := range scenarios.Names() {
				list = append(list, scenarioInfo{n, strings.Join(strings.Fields(scenarios.Describe(n)), " ")})
			}
			if format == "json" {
				if err := report.WriteJSON(cmd.OutOrStdout(), list); err != nil {
					return &runError{fmt.Errorf("write list: %w", err)}
				}
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "name\tdescription")
			for _, s := range list {
				fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Description)
			}
			if err := tw.Flush(); err != nil {
				return &runError{fmt.Errorf("write list: %w", err)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output `format`: table or json")
	return cmd
}
