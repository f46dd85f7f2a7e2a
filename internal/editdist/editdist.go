// Package editdist measures how far apart two short names are, for the
// "did you mean" suggestions of the scenario loader and drainsim import.
package editdist

import "math"

// Distance is the Levenshtein distance between a and b, in bytes:
// O(len(a)·len(b)) time, O(len(b)) space. Names longer than 64 bytes are
// never close: Distance returns math.MaxInt for them, which bounds the
// work user input can cause.
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return math.MaxInt
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
