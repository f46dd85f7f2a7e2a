package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drainsim/drainsim/awsimport"
	"github.com/drainsim/drainsim/scenarios"
)

type importFlags struct {
	targetGroup string
	region      string
	profile     string
	since       string
	out         string
}

func newImportCmd() *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "import --target-group ARN|NAME [--region R] [--profile P] [--since 14d] [-o scenario.toml]",
		Short: "Write a scenario from a target group's settings and CloudWatch metrics in AWS",
		Long: `Import reads, with the AWS SDK's standard credential chain (environment,
shared files and --profile, SSO, instance roles; AWS_ENDPOINT_URL is honoured):

  - the target group's load balancer (type, idle timeout), its attributes
    (deregistration delay, NLB connection termination, algorithm) and health
    check;
  - the Auto Scaling group behind it (desired size, termination policy,
    terminating lifecycle hook, instance type, scaling policies and
    activities) or the ECS service (launch type, stopTimeout, task size);
  - CloudWatch over --since: RequestCount per minute (mean rate, hourly
    profile, per-minute CSV), TargetResponseTime p50/p90/p99 (a fitted
    lognormal, with its errors), 5XX counts and scale-ins per day;

and writes a scenario whose every value says in a comment where it came
from; what could not be read is listed with the default used. Prices come
from a dated table shipped with drainsim, never a silent 0. With -o, the
per-minute series goes to FILE.rate.csv beside it. The scenario is checked
with the loader before it is written. docs/data.md lists the read-only IAM
policy it needs. Exit status 2 for missing credentials, a denied action,
an unknown target group or throttling that outlasted the retries.`,
		Example: `  drainsim import --target-group payments-tg --region us-east-1 -o payments.toml
  drainsim validate payments.toml && drainsim run payments.toml
  AWS_ENDPOINT_URL=http://127.0.0.1:5000 drainsim import --target-group arn:aws:elasticloadbalancing:... --since 1d`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runImport(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.targetGroup, "target-group", "", "the target group's ARN or name (required)")
	fl.StringVar(&f.region, "region", "", "AWS region (default: the SDK's, e.g. AWS_REGION)")
	fl.StringVar(&f.profile, "profile", "", "shared configuration profile (default: the SDK's, e.g. AWS_PROFILE)")
	fl.StringVar(&f.since, "since", "14d", "CloudWatch window ending now: a duration such as 14d, 36h or 90m (1h–63d)")
	fl.StringVarP(&f.out, "output", "o", "", "write the scenario to FILE (and the per-minute rates to FILE.rate.csv); default standard output")
	return cmd
}

// parseSince reads a duration that may be given in days ("14d").
func parseSince(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil || !(n > 0) {
			return 0, usagef("--since %q: want a duration such as 14d, 36h or 90m", s)
		}
		return time.Duration(n * 24 * float64(time.Hour)), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return 0, usagef("--since %q: want a duration such as 14d, 36h or 90m", s)
	}
	return v, nil
}

func runImport(ctx context.Context, stdout, stderr io.Writer, f importFlags) error {
	if f.targetGroup == "" {
		return usagef("import needs --target-group ARN|NAME")
	}
	since, err := parseSince(f.since)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cfg, err := awsimport.LoadConfig(ctx, f.region, f.profile)
	if err != nil {
		return importError(err)
	}
	res, err := awsimport.Import(ctx, awsimport.NewClients(cfg), awsimport.Options{TargetGroup: f.targetGroup, Since: since, End: time.Now()})
	if err != nil {
		return importError(err)
	}
	rateCSV := ""
	if f.out != "" && len(res.Requests) > 0 {
		rateCSV = strings.TrimSuffix(f.out, ".toml") + ".rate.csv"
	}
	var buf strings.Builder
	if err := res.WriteTOML(&buf, baseName(rateCSV)); err != nil {
		return &runError{err}
	}
	// The scenario must load as written: check it before anyone runs it.
	if _, err := scenarios.Parse("imported.toml", []byte(buf.String()), nil); err != nil {
		return &runError{fmt.Errorf("the imported scenario does not load (a drainsim bug): %w", err)}
	}
	if f.out == "" {
		_, err := io.WriteString(stdout, buf.String())
		return err
	}
	if err := writeFileAtomic(f.out, func(w io.Writer) error { _, err := io.WriteString(w, buf.String()); return err }); err != nil {
		return &runError{fmt.Errorf("write %s: %w", f.out, err)}
	}
	if rateCSV != "" {
		if err := writeFileAtomic(rateCSV, res.WriteRateCSV); err != nil {
			return &runError{fmt.Errorf("write %s: %w", rateCSV, err)}
		}
	}
	fmt.Fprintf(stderr, "drainsim: wrote %s (%d values; %d not read, defaults listed at its top)\n", f.out, len(res.Values), len(res.Missing))
	return nil
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// importError makes an import failure exit 2 with its message, or 1 if
// it was interrupted.
func importError(err error) error {
	if errors.Is(err, context.Canceled) {
		return &runError{err}
	}
	var ae *awsimport.Error
	if errors.As(err, &ae) {
		return &inputError{err: ae}
	}
	return &inputError{err: err}
}
