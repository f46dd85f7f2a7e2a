package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/sweep"
)

// TestWriteTableClosedLoop: a summary with closed-loop clients shows
// their errors and the failure window; one without shows neither (the
// table of an open-loop scenario is unchanged).
func TestWriteTableClosedLoop(t *testing.T) {
	t.Parallel()
	s := testSummary()
	var b bytes.Buffer
	require.NoError(t, WriteTable(&b, s))
	assert.NotContains(t, b.String(), "failure window")
	s.ClosedLoop = &sweep.ClosedLoopSummary{Clients: 20, ErrorsPerClientMean: 1.25, ErrorsPerClientMax: 4,
		FailureWindowSMean: 21.5, ClientFailureWindowSMean: 10.25}
	b.Reset()
	require.NoError(t, WriteTable(&b, s))
	out := b.String()
	assert.Regexp(t, `closed-loop clients +20\n`, out)
	assert.Regexp(t, `errors per client per replication, mean / max +1\.25 / 4\n`, out)
	assert.Regexp(t, `failure window \(s\), first to last drop, mean / per client +21\.500 / 10\.250\n`, out)
}
