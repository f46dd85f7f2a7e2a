package main

import (
	"compress/gzip"
	"context"
	"io"
	"strings"
	"time"

	lib "github.com/drainsim/drainsim"
	"github.com/drainsim/drainsim/model"
)

// logCounts counts the lines of an access log.
type logCounts struct {
	lines int64 // all of them
	early int64 // those in flight at a stationary start (arrived before it)
}

// writeAccessLog runs replication rep of cfg and writes its access log
// to path (gzip if path ends in .gz), atomically. It returns the run's
// result and the number of lines.
func writeAccessLog(path string, cfg *model.Config, rep int, epoch time.Time) (*model.Result, logCounts, error) {
	var (
		res *model.Result
		n   logCounts
	)
	err := writeFileAtomic(path, func(w io.Writer) error {
		var zw *gzip.Writer
		if strings.HasSuffix(path, ".gz") {
			zw = gzip.NewWriter(w)
			w = zw
		}
		st, err := (&lib.Scenario{Config: cfg}).WriteAccessLog(context.Background(), w, lib.AccessLogOptions{Replication: rep, Epoch: epoch})
		if err != nil {
			return err
		}
		if zw != nil {
			if err := zw.Close(); err != nil {
				return err
			}
		}
		res, n = st.Result, logCounts{lines: st.Lines, early: st.InFlightAtStart}
		return nil
	})
	return res, n, err
}
