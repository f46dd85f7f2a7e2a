package drainsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim"
)

// The library's results are the command line's, byte for byte: the
// goldens of `drainsim sweep testdata/sweep.toml --delays 0s:40s:20s
// --replications 4 --format json|csv` (cmd/drainsim's tests keep them
// equal to what the CLI prints, which is what it writes to results.json
// and results.csv) against the same sweep made with the library.
func TestSweepResultIsCLIResults(t *testing.T) {
	t.Parallel()
	s, err := drainsim.Load("cmd/drainsim/testdata/sweep.toml")
	require.NoError(t, err)
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s:40s:20s", Replications: 4})
	require.NoError(t, err)

	wantJSON, err := os.ReadFile("cmd/drainsim/testdata/sweep_json.stdout")
	require.NoError(t, err)
	var got bytes.Buffer
	require.NoError(t, sw.WriteJSON(&got))
	assert.Equal(t, string(wantJSON), got.String(), "WriteJSON is results.json")

	// json.Marshal gives the same object, compact.
	b, err := json.Marshal(sw)
	require.NoError(t, err)
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, wantJSON))
	assert.Equal(t, compact.String(), string(b), "json.Marshal(SweepResult) is results.json, compact")
	b, err = json.Marshal(*sw)
	require.NoError(t, err)
	assert.Equal(t, compact.String(), string(b), "by value too")

	// And decodes back to an equal result.
	var back drainsim.SweepResult
	require.NoError(t, json.Unmarshal(wantJSON, &back))
	assert.Equal(t, sw, &back)

	wantCSV, err := os.ReadFile("cmd/drainsim/testdata/sweep_csv.stdout")
	require.NoError(t, err)
	got.Reset()
	require.NoError(t, sw.WriteCSV(&got))
	assert.Equal(t, string(wantCSV), got.String(), "WriteCSV is results.csv")
}
