package metrics

import (
	"bufio"
	"io"
	"strconv"
)

// CloudWatch metric names, used as CSV column names (aws-behaviour §6).
const (
	RequestCount          = "RequestCount"
	ELB502Count           = "HTTPCode_ELB_502_Count"
	ELB503Count           = "HTTPCode_ELB_503_Count"
	ELB504Count           = "HTTPCode_ELB_504_Count"
	ELB5XXCount           = "HTTPCode_ELB_5XX_Count"
	ActiveConnectionCount = "ActiveConnectionCount"
	HealthyHostCount      = "HealthyHostCount"
	// NLB [NLB-CW]: resets the load balancer sent, and those a target
	// sent, to clients.
	TCPELBResetCount    = "TCP_ELB_Reset_Count"
	TCPTargetResetCount = "TCP_Target_Reset_Count"
)

// TimeColumn is the first CSV column: the period start in seconds.
const TimeColumn = "time_s"

// InFlightColumn returns the name of target t's in-flight column,
// "InFlight_target_<t>".
func InFlightColumn(t int) string { return "InFlight_target_" + strconv.Itoa(t) }

// Columns returns the CSV header: TimeColumn, the nine CloudWatch metrics
// in the order of the package documentation, then one InFlightColumn per
// target in launch order.
func (s *Series) Columns() []string {
	cols := []string{TimeColumn, RequestCount, ELB502Count, ELB503Count, ELB504Count, ELB5XXCount, ActiveConnectionCount, HealthyHostCount,
		TCPELBResetCount, TCPTargetResetCount}
	for t := range s.InFlight {
		cols = append(cols, InFlightColumn(t))
	}
	return cols
}

// WriteCSV writes s as comma-separated values: a header line of
// [Series.Columns], then one line per period. Times are seconds in the
// shortest decimal form that reads back exactly ("540", "12.5"); counts
// are integers. Lines end in "\n" and nothing needs quoting, so the same
// Series always gives the same bytes. A metric column left nil (a Series
// built by hand before a column existed) is written as zeros.
func (s *Series) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var line []byte
	for i, c := range s.Columns() {
		if i > 0 {
			line = append(line, ',')
		}
		line = append(line, c...)
	}
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return err
	}
	for k := range s.Len() {
		line = strconv.AppendFloat(line[:0], s.Start[k].Seconds(), 'f', -1, 64)
		for _, col := range [][]int64{s.RequestCount, s.ELB502, s.ELB503, s.ELB504, s.ELB5XX, s.ActiveConnectionCount, s.HealthyHostCount,
			s.TCPELBReset, s.TCPTargetReset} {
			line = append(line, ',')
			line = strconv.AppendInt(line, value(col, k), 10)
		}
		for _, col := range s.InFlight {
			line = append(line, ',')
			line = strconv.AppendInt(line, col[k], 10)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// value returns col[k], or 0 for a column too short (nil).
func value(col []int64, k int) int64 {
	if k < len(col) {
		return col[k]
	}
	return 0
}
