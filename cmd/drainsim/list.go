package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/scenarios"
)

func newScenariosCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "name\tdescription")
			for _, n := range scenarios.Names() {
				fmt.Fprintf(tw, "%s\t%s\n", n, strings.Join(strings.Fields(scenarios.Describe(n)), " "))
			}
			if err := tw.Flush(); err != nil {
				return &runError{fmt.Errorf("write list: %w", err)}
			}
			return nil
		},
	}
}
