package model

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseRateCSV reads a CSV of request counts per period into a profile:
// each row's count spread evenly over its period (a step), a period with
// no row counting zero. name is the file's name for errors, which read
// "name:line: message".
//
// The first column is the period's start: seconds of simulated time
// (drainsim's --metrics CSV, column time_s) or a timestamp (RFC 3339,
// or "2006-01-02 15:04:05" in UTC, as a CloudWatch export writes it),
// timestamps counted from the earliest row. The count is the column
// named RequestCount (or one whose name contains it, such as a
// CloudWatch export's label), else the second column. A first line whose
// first field is not a time is a header. Rows may come in any order (a
// CloudWatch export lists the newest first). The period is the smallest
// gap between rows, 60 s for a single row. After the last row its rate
// holds; before the first (seconds only) the first row's rate holds.
func ParseRateCSV(name string, data []byte) ([]RatePoint, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = -1
	rd.Comment = '#'
	rd.TrimLeadingSpace = true
	type row struct {
		at    float64 // seconds
		count float64
		line  int
	}
	var rows []row
	col, first, stamps := 1, true, false
	var errs []error
	bad := func(line int, format string, args ...any) {
		if len(errs) < 10 {
			errs = append(errs, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
		}
	}
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := rd.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		at, isStamp, okAt := parseRateTime(rec[0])
		if first {
			first = false
			if !okAt {
				// A header: find the count column.
				for i, h := range rec {
					if strings.Contains(strings.ToLower(h), "requestcount") {
						col = i
						break
					}
				}
				continue
			}
		}
		if !okAt {
			bad(line, "want a time in seconds or a timestamp such as 2024-05-01T10:00:00Z (got %q)", clip(rec[0]))
			continue
		}
		if len(rows) > 0 && isStamp != stamps {
			bad(line, "mixes timestamps and seconds in the time column")
			continue
		}
		stamps = isStamp
		if col >= len(rec) {
			bad(line, "has %d fields; the request count is field %d", len(rec), col+1)
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[col]), 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			bad(line, "want a request count, a number ≥ 0 (got %q)", clip(rec[col]))
			continue
		}
		rows = append(rows, row{at: at, count: v, line: line})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: holds no rows; want one line per period: time,count", name)
	}
	slices.SortStableFunc(rows, func(a, b row) int { return cmpFloat(a.at, b.at) })
	period := math.Inf(1)
	for i := 1; i < len(rows); i++ {
		g := rows[i].at - rows[i-1].at
		if g == 0 {
			return nil, fmt.Errorf("%s:%d: repeats the time of line %d", name, max(rows[i].line, rows[i-1].line), min(rows[i].line, rows[i-1].line))
		}
		period = min(period, g)
	}
	if math.IsInf(period, 1) {
		period = 60
	}
	origin := 0.0
	if stamps {
		origin = rows[0].at
	}
	pts := make([]RatePoint, 0, 2*len(rows)+2)
	sec := func(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }
	for i, r := range rows {
		a := r.at - origin
		if a < 0 || a > MaxTime.Seconds() {
			return nil, fmt.Errorf("%s:%d: time %v s is outside 0–87600h", name, r.line, a)
		}
		rate := r.count / period
		if rate > maxRate {
			return nil, fmt.Errorf("%s:%d: %v requests in %v s is above %g per second", name, r.line, r.count, period, float64(maxRate))
		}
		if i > 0 && rows[i-1].at+period < r.at {
			// A gap: no requests.
			end := rows[i-1].at + period - origin
			pts = append(pts, RatePoint{At: sec(end), Rate: 0}, RatePoint{At: sec(a), Rate: 0})
		}
		pts = append(pts, RatePoint{At: sec(a), Rate: rate}, RatePoint{At: sec(a + period), Rate: rate})
	}
	if len(pts) > maxProfilePoints {
		return nil, fmt.Errorf("%s: %d rows is more than a profile holds (%d points)", name, len(rows), maxProfilePoints)
	}
	return pts, nil
}

// parseRateTime reads a time column: seconds, or a timestamp (returned
// as Unix seconds with isStamp).
func parseRateTime(s string) (sec float64, isStamp, ok bool) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
		return v, false, true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return float64(t.Unix()) + float64(t.Nanosecond())/1e9, true, true
		}
	}
	return 0, false, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
