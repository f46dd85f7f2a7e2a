package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/plot"
)

// timelineFormat returns the image format of a --timeline file from its
// extension, png or svg, or "" for another.
func timelineFormat(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return "png"
	case ".svg":
		return "svg"
	}
	return ""
}

// writeMetrics runs replication rep of cfg with a metrics recorder of
// the given period and writes its series as CSV to csvPath and its
// timeline to timelinePath (either may be ""), each atomically. It
// returns the run's result and the files written.
func writeMetrics(csvPath, timelinePath string, cfg *model.Config, rep int, period time.Duration) (*model.Result, []string, error) {
	s, res, err := metrics.Record(cfg, rep, period)
	if err != nil {
		return nil, nil, fmt.Errorf("run replication %d: %w", rep, err)
	}
	var files []string
	if csvPath != "" {
		if err := writeFileAtomic(csvPath, s.WriteCSV); err != nil {
			return res, files, fmt.Errorf("write %s: %w", csvPath, err)
		}
		files = append(files, csvPath)
	}
	if timelinePath != "" {
		// The run stops when the last scale-in finishes; the timeline
		// goes on past it (same run, a later horizon) to show what
		// follows, such as a reconnect storm.
		ts, tres := s, res
		if cfg.Horizon == 0 {
			if ts, tres, err = metrics.Record(metrics.Story(cfg, res, period), rep, period); err != nil {
				return res, files, fmt.Errorf("run replication %d: %w", rep, err)
			}
		}
		ps, err := plot.TimelinePanels(ts, cfg, metrics.TimelineOptions{Result: tres})
		if err != nil {
			return res, files, fmt.Errorf("plot %s: %w", timelinePath, err)
		}
		err = writeFileAtomic(timelinePath, func(w io.Writer) error {
			return chart.RenderStack(ps, plot.PanelHeights, w, chart.DefaultWidth, chart.DefaultHeight, timelineFormat(timelinePath))
		})
		if err != nil {
			return res, files, fmt.Errorf("write %s: %w", timelinePath, err)
		}
		files = append(files, timelinePath)
	}
	return res, files, nil
}
