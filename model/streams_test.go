package model

import (
	"sort"
	"testing"
)

// TestStreamsDistinct checks that no two random components share a PCG
// stream: each component's stream id, or range of ids for per-class and
// per-client families, must not overlap another's. Two components on one
// stream draw correlated numbers, and adding draws to one shifts the
// other (the rule of model.Source). Merged branches once gave the keep-
// alive node choice and the importance-sampled lag both stream 7, and the
// fast path's minute counts the closed-loop think times' base 5 << 20.
func TestStreamsDistinct(t *testing.T) {
	// A family's width: class i uses base+i (and base+1<<16+i for a second
	// draw kind), so a family spans 1<<17 ids; scalar streams span one.
	const family = 1 << 17
	type span struct {
		name      string
		base, end uint64 // [base, end)
	}
	spans := []span{
		{"streamRoute", streamRoute, streamRoute + 1},
		{"streamPick", streamPick, streamPick + 1},
		{"streamLag", streamLag, streamLag + 1},
		{"streamHealth", streamHealth, streamHealth + 1},
		{"streamUnhealthy", streamUnhealthy, streamUnhealthy + 1},
		{"streamLaunch", streamLaunch, streamLaunch + 1},
		{"streamNode", streamNode, streamNode + 1},
		{"streamPool", streamPool, streamPool + 1},
		{"streamRareLag", streamRareLag, streamRareLag + 1},
		// Class i's arrivals 16+2i and durations 17+2i.
		{"streamClassBase", streamClassBase, streamClassBase + 2*maxClasses},
		{"streamClientBase", streamClientBase, streamClientBase + family},
		{"streamStationary", streamStationary, streamStationary + family},
		{"streamThinBase", streamThinBase, streamThinBase + family},
		{"streamThinkBase", streamThinkBase, streamThinkBase + family},
		{"streamFastCount", streamFastCount, streamFastCount + family},
		{"streamFastTimes", streamFastTimes, streamFastTimes + family},
		{"streamFastSplit", streamFastSplit, streamFastSplit + family},
		{"streamFastRegen", streamFastRegen, streamFastRegen + family},
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].base < spans[j].base })
	for i := 1; i < len(spans); i++ {
		if spans[i].base < spans[i-1].end {
			t.Errorf("%s [%d, %d) overlaps %s [%d, %d)", spans[i].name, spans[i].base, spans[i].end,
				spans[i-1].name, spans[i-1].base, spans[i-1].end)
		}
	}
}
