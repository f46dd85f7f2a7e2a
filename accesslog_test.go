package drainsim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim"
	"github.com/drainsim/drainsim/accesslog"
	"github.com/drainsim/drainsim/model"
)

// The library writes the access log the command line writes (the CLI
// calls it): a line per attempt that ended, which accesslog.Parse reads
// back, 5xx lines matching the run's ELB 5xx count, times from the
// epoch. Before, only cmd/drainsim could write one.
func TestWriteAccessLog(t *testing.T) {
	t.Parallel()
	s, err := drainsim.Load("payments-api")
	require.NoError(t, err)
	epoch := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	st, err := s.WriteAccessLog(context.Background(), &buf, drainsim.AccessLogOptions{Replication: 1, Epoch: epoch})
	require.NoError(t, err)
	require.NotNil(t, st.Result)
	require.Positive(t, st.Lines)

	var fivexx, cuts int64
	first := time.Time{}
	pst, err := accesslog.Parse(bytes.NewReader(buf.Bytes()), "log", func(e accesslog.Entry) error {
		if e.ELBStatus >= 500 {
			fivexx++
		}
		if e.Type == "ws" && e.TargetStatus == 0 {
			cuts++
		}
		if first.IsZero() || e.Time.Before(first) {
			first = e.Time
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, st.Lines, int64(pst.Entries))
	assert.Zero(t, pst.MalformedLines)
	res := st.Result
	assert.Equal(t, res.ELB5xx, fivexx)
	assert.Equal(t, res.Completed+res.ELB5xx+res.ConnectionCuts, st.Lines)
	assert.False(t, first.Before(epoch), "no line before the epoch on an empty start")

	// Deterministic, and the same replication as Metrics and Run.
	var again bytes.Buffer
	_, err = s.WriteAccessLog(context.Background(), &again, drainsim.AccessLogOptions{Replication: 1, Epoch: epoch})
	require.NoError(t, err)
	assert.Equal(t, buf.Bytes(), again.Bytes())
	r1, err := model.Run(s.Config, 1)
	require.NoError(t, err)
	assert.Equal(t, r1.Arrivals, res.Arrivals)
}

func TestWriteAccessLogInvalid(t *testing.T) {
	t.Parallel()
	s, err := drainsim.Load("payments-api")
	require.NoError(t, err)
	var inv *drainsim.InvalidError
	var buf bytes.Buffer
	for _, o := range []drainsim.AccessLogOptions{
		{Replication: -1},
		{Epoch: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
		{Epoch: time.Date(9001, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		_, err := s.WriteAccessLog(context.Background(), &buf, o)
		require.ErrorAs(t, err, &inv, "%+v", o)
		assert.NotEmpty(t, inv.Problems[0].Option)
	}
	nlb, err := drainsim.Load("nlb-tcp-flows")
	require.NoError(t, err)
	_, err = nlb.WriteAccessLog(context.Background(), &buf, drainsim.AccessLogOptions{})
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, "load_balancer.type", inv.Problems[0].Key)
	assert.EqualError(t, err, `access log of scenario "nlb-tcp-flows": load_balancer.type: a network load balancer writes no HTTP access log`)
	assert.Zero(t, buf.Len(), "nothing written")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.WriteAccessLog(ctx, &buf, drainsim.AccessLogOptions{})
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

// Write a replication's access log, then read it back as an AWS one:
// accesslog.Parse for the lines, accesslog.FitFile (or `drainsim fit`) to
// fit a scenario's traffic to it.
func ExampleScenario_WriteAccessLog() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	s.Config.TargetGroup.DeregistrationDelay = 5 * time.Second // too short: some requests are cut
	var log bytes.Buffer                                       // or a file, or a gzip.Writer over one
	st, err := s.WriteAccessLog(context.Background(), &log, drainsim.AccessLogOptions{})
	if err != nil {
		panic(err)
	}
	byStatus := map[int]int{}
	parsed, err := accesslog.Parse(&log, "access.log", func(e accesslog.Entry) error {
		byStatus[e.ELBStatus]++
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(parsed.Entries, "lines read back of", st.Lines, "written;", parsed.MalformedLines, "malformed")
	fmt.Println("200:", byStatus[200], "502:", byStatus[502], "503:", byStatus[503], "504:", byStatus[504], "ELB 5xx of the run:", st.Result.ELB5xx)
	// Output:
	// 21281 lines read back of 21281 written; 0 malformed
	// 200: 20221 502: 80 503: 0 504: 980 ELB 5xx of the run: 1060
}
