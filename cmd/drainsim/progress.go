package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal: progress bars are drawn on
// terminals only, never into pipes, files or test buffers.
func isTerminal(w io.Writer) bool {
	for {
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress draws the replications of a sweep as a bar. A sweep runs in
// batches: the grid first, then one batch per delay tried while refining
// the recommendation, each reported from 1 up to its own total; progress
// adds them up. The bar's maximum is kept one above the count, so that
// the bar does not finish (and vanish) before finish is called.
type progress struct {
	bar             *progressbar.ProgressBar
	base            int // replications of the batches before this one
	last, lastTotal int // the last report of this batch
}

func newProgress(w io.Writer, gridJobs int) *progress {
	bar := progressbar.NewOptions(gridJobs+1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("sweep"),
		progressbar.OptionSetItsString("runs"),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	return &progress{bar: bar}
}

// update is a sweep.Options.Progress: done of total replications of the
// current batch have finished.
func (p *progress) update(done, total int) {
	if done <= p.last { // a new batch
		p.base += p.lastTotal
		p.bar.Describe("refine")
	}
	p.last, p.lastTotal = done, total
	if m := p.base + total + 1; m > p.bar.GetMax() {
		p.bar.ChangeMax(m)
	}
	_ = p.bar.Set(p.base + done)
}

// finish removes the bar.
func (p *progress) finish() {
	_ = p.bar.Finish()
}
