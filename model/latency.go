package model

import (
	"math"
	"time"
)

// LatencyHistogram counts the latencies of completed requests (arrival at
// the target to completion: a queued request's wait in the backlog plus
// its service) in bins of 1 % relative width: bin 0 holds latencies
// below 1 µs, bin k ≥ 1 those in [LatencyBinLower(k), LatencyBinLower(k+1)).
// A quantile read from it is within 1 % of the exact one. Result.Latency
// holds one when fleet.max_concurrency is set (issue #16: p99 latency
// when capacity is finite).
type LatencyHistogram struct {
	// Counts[k] is the number of latencies in bin k; trailing empty bins
	// are not stored.
	Counts []int64
	// N is the sum of Counts.
	N int64
}

// latencyRatio is the ratio of a bin's upper edge to its lower edge.
const latencyRatio = 1.01

var logLatencyRatio = math.Log(latencyRatio)

// latencyBin returns the bin of d.
func latencyBin(d time.Duration) int {
	if d < time.Microsecond {
		return 0
	}
	k := 1 + int(math.Log(float64(d)/float64(time.Microsecond))/logLatencyRatio)
	// Guard the edges against rounding in the logarithm.
	for k > 1 && d < LatencyBinLower(k) {
		k--
	}
	for d >= LatencyBinLower(k+1) {
		k++
	}
	return k
}

// LatencyBinLower returns the lower edge of bin k ≥ 1: 1 µs × 1.01^(k−1);
// 0 for bin 0.
func LatencyBinLower(k int) time.Duration {
	if k <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(float64(time.Microsecond) * math.Pow(latencyRatio, float64(k-1))))
}

// Add counts latency d.
func (h *LatencyHistogram) Add(d time.Duration) {
	k := latencyBin(d)
	for len(h.Counts) <= k {
		h.Counts = append(h.Counts, 0)
	}
	h.Counts[k]++
	h.N++
}

// Merge adds o's counts to h.
func (h *LatencyHistogram) Merge(o *LatencyHistogram) {
	if o == nil {
		return
	}
	for len(h.Counts) < len(o.Counts) {
		h.Counts = append(h.Counts, 0)
	}
	for k, n := range o.Counts {
		h.Counts[k] += n
	}
	h.N += o.N
}

// AtLeast returns how many latencies lie in bin k or above: those of at
// least LatencyBinLower(k).
func (h *LatencyHistogram) AtLeast(k int) int64 {
	var n int64
	for j := max(k, 0); j < len(h.Counts); j++ {
		n += h.Counts[j]
	}
	return n
}

// Quantile returns the q-quantile (0 < q < 1) of the counted latencies:
// the geometric middle of the bin holding the ⌈q·N⌉-th smallest, -1 if
// none was counted.
func (h *LatencyHistogram) Quantile(q float64) time.Duration {
	if h == nil || h.N == 0 {
		return -1
	}
	rank := int64(math.Ceil(q * float64(h.N)))
	rank = min(max(rank, 1), h.N)
	var seen int64
	for k, n := range h.Counts {
		seen += n
		if seen >= rank {
			if k == 0 {
				return 0
			}
			return time.Duration(float64(LatencyBinLower(k)) * math.Sqrt(latencyRatio))
		}
	}
	return -1
}
