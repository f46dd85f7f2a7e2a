package accesslog_test

import (
	"bufio"
	"compress/gzip"
	"io"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/drainsim/drainsim/accesslog"
)

// z99 is the standard normal's 0.99 quantile.
var z99 = distuv.UnitNormal.Quantile(0.99)

// start is when generated logs begin.
var start = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

// genLog writes n entries of type typ arriving as a Poisson process of
// rate per second from start, with durations drawn from law, and returns
// the durations as written (to the microsecond). Arrivals and stream ids
// come from seed.
func genLog(t testing.TB, w io.Writer, seed uint64, typ string, n int, rate float64, law func() float64) []float64 {
	t.Helper()
	bw := bufio.NewWriter(w)
	lw := accesslog.NewWriter(bw)
	r := rand.New(rand.NewPCG(seed, 1))
	at := start
	ds := make([]float64, n)
	for i := range n {
		at = at.Add(time.Duration(r.ExpFloat64() / rate * 1e9)).Truncate(time.Microsecond)
		d := time.Duration(math.Round(law()*1e6)) * time.Microsecond
		ds[i] = d.Seconds()
		require.NoError(t, lw.Write(accesslog.Record{
			Type:               typ,
			Time:               at.Add(d),
			RequestCreated:     at,
			Client:             "192.0.2.1:40000",
			Target:             "10.0.0.1:80",
			RequestProcessing:  0,
			TargetProcessing:   max(d.Seconds()-0.001, 0),
			ResponseProcessing: 0,
			ELBStatus:          200,
			TargetStatus:       200,
			Request:            "GET https://api.example.com:443/ HTTP/1.1",
		}))
	}
	require.NoError(t, bw.Flush())
	return ds
}

// lognormalLaw returns a lognormal draw with the given median and p99 in
// seconds, from its own stream.
func lognormalLaw(seed uint64, median, p99 float64) func() float64 {
	mu := math.Log(median)
	l := distuv.LogNormal{Mu: mu, Sigma: (math.Log(p99) - mu) / z99, Src: rand.NewPCG(seed, 2)}
	return l.Rand
}

// genGzip writes b gzipped to w.
func genGzip(t testing.TB, w io.Writer, b []byte) {
	t.Helper()
	zw := gzip.NewWriter(w)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
}
