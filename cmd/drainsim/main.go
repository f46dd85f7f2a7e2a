// Command drainsim simulates AWS load-balancer scale-in: how many requests
// and connections a deregistration delay drops, how long draining and
// scale-in take, and what the draining instances cost.
//
// Usage:
//
//	drainsim run FILE|NAME [--delay D] [--seed N] [--replications R] [--format table|json] [--workers N]
//		[--access-log FILE [--log-epoch TIME]] [--metrics FILE] [--timeline FILE] [--period P] [--stats]
//	drainsim sweep FILE|NAME [--delays GRID] [--replications R] [--drop-cost USD] [--max-dropped N]
//		[--seed N] [--workers N] [--format table|json|csv] [--out DIR] [--svg] [--log-y] [--quiet]
//		[--shard K/N|auto/N [--part FILE]] [--stats]
//	drainsim estimate FILE|NAME [--delay D | --delays GRID] [--format table|json]
//	drainsim merge PART... [--format table|json|csv] [--out DIR] [--svg] [--log-y] [--workers N] [--quiet] [--stats]
//	drainsim recommend FILE|NAME [--delays GRID] [--replications R] [--max-dropped N] [--drop-cost USD]
//		[--format table|json] [--workers N] [--seed N] [--quiet]
//	drainsim fit LOG... [--format table|json] [--traffic FILE] [--distribution auto|lognormal|empirical] [--name PREFIX]
//	drainsim validate FILE|NAME... [--format table|json]
//	drainsim scenarios [--format table|json]
//
// Exit status: 0 on success, 1 if a run fails (or is interrupted), 2 on bad
// usage or bad input (an invalid scenario, an unknown flag, a bad flag
// value), 130 on a second Ctrl-C. The first Ctrl-C (SIGINT or SIGTERM)
// stops after the current replications (a sweep saves its finished cells
// to resume from); the second quits at once.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/internal/cli"
)

// Exit codes.
const (
	exitOK    = 0 // success
	exitRun   = 1 // the simulation or writing its output failed
	exitUsage = 2 // bad command line or bad input
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args (without the program name), writing
// results to stdout and diagnostics to stderr, and returns the exit code.
// It is safe to call concurrently: all state lives in the command tree it
// builds.
func run(args []string, stdout, stderr io.Writer) int {
	out, errOut := &cli.CheckedWriter{W: stdout}, &cli.CheckedWriter{W: stderr}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, stop := cli.HandleSignals(context.Background(), sigs, errOut, os.Exit)
	defer stop()

	root := newRootCmd(out, errOut)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return checkWrites(exitOK, out, errOut)
	}
	return fail(errOut, cmd, err)
}

// fail prints err to stderr and returns its exit code.
func fail(stderr io.Writer, cmd *cobra.Command, err error) int {
	var (
		ue *usageError
		ie *inputError
		re *runError
	)
	switch {
	case errors.As(err, &ie):
		// Already printed (validate) or one problem per line.
		if !ie.printed {
			printLines(stderr, ie.err)
		}
		return exitUsage
	case errors.As(err, &re):
		fmt.Fprintf(stderr, "drainsim: %v\n", re.err)
		return exitRun
	case errors.As(err, &ue):
		printLines(stderr, ue.err)
	default:
		// Cobra's own usage errors (unknown command or flag), whose
		// message may go on with suggestions.
		fmt.Fprintf(stderr, "drainsim: %s\n", strings.TrimRight(err.Error(), "\n"))
	}
	path := "drainsim"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", path)
	return exitUsage
}

// printLines prints err with one "drainsim: " line per line of its
// message, so that each problem of a scenario gets its own line.
func printLines(w io.Writer, err error) {
	for _, l := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		fmt.Fprintf(w, "drainsim: %s\n", l)
	}
}

// usageError is a bad command line: exit 2 with a hint to run --help.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// inputError is a bad scenario: exit 2. printed says the problems were
// already written to stderr.
type inputError struct {
	err     error
	printed bool
}

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// runError is a failure while running or writing the results: exit 1.
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "drainsim",
		Short: "Simulate AWS load-balancer scale-in and connection draining",
		Long: `drainsim simulates a fleet of targets behind an AWS load balancer (ALB, NLB
or Classic) while it scales in, and reports what the deregistration delay
costs: dropped requests and connections by cause, draining and scale-in
times, and instance cost.

A scenario is a built-in name (see 'drainsim scenarios') or a TOML file.`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("drainsim {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{flagValueError(err)}
	})
	root.AddCommand(newRunCmd(), newEstimateCmd(), newSweepCmd(), newRecommendCmd(), newMergeCmd(), newFitCmd(), newValidateCmd(), newScenariosCmd())
	root.AddCommand(newImportCmd())
	return root
}

// version returns the module version drainsim was built from and, when
// the build recorded it, the VCS revision and whether the tree had
// uncommitted changes.
func version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi)
}

// versionOf formats bi as "v1.2.0 (revision 32647d4…, modified)";
// "(devel)" stands for an unknown module version.
func versionOf(bi *debug.BuildInfo) string {
	if bi == nil {
		return "(devel)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	switch {
	case rev != "" && modified:
		v += " (revision " + rev + ", modified)"
	case rev != "":
		v += " (revision " + rev + ")"
	}
	return v
}
