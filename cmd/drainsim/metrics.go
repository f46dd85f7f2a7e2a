package main

import (
	"context"
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
// returns the run's result and the files written; cancelling ctx
// (Ctrl-C) stops the run.
func writeMetrics(ctx context.Context, csvPath, timelinePath string, cfg *model.Config, rep int, period time.Duration) (*model.Result, []string, error) {
	s, res, err := metrics.RecordContext(ctx, cfg, rep, period)
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
	if timelinePath != "" && cfg.Autoscaling.Max > 0 {
		// A run under a scaling policy (a day): the fleet by state over
		// the horizon, not what each target has in flight.
		if err := writeDayTimeline(ctx, timelinePath, cfg, rep, period); err != nil {
			return res, files, err
		}
		files = append(files, timelinePath)
	} else if timelinePath != "" {
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

// writeDayTimeline plots replication rep of cfg, a run under a scaling
// policy, with chart.DayPanels (rate, fleet by target state, failed
// attempts per period) to path, atomically.
func writeDayTimeline(ctx context.Context, path string, cfg *model.Config, rep int, period time.Duration) error {
	d, _, err := plot.RecordDay(ctx, cfg, rep, period)
	if err != nil {
		return fmt.Errorf("run replication %d: %w", rep, err)
	}
	ps, err := chart.DayPanels(d, chart.Options{Title: cfg.Name})
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	err = writeFileAtomic(path, func(w io.Writer) error {
		return chart.RenderStack(ps, chart.DayPanelHeights, w, chart.DefaultWidth, chart.DefaultHeight, timelineFormat(path))
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
