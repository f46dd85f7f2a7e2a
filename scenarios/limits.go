package scenarios

import (
	"fmt"
	"io"
	"io/fs"
)

// The largest files the loader reads: a scenario is a page of TOML and an
// AWS CLI JSON output a few KiB, so 16 MiB is far beyond any real one; an
// empirical sample file holds one duration per line, and 256 MiB is tens
// of millions of samples. A larger file (or /dev/zero) is refused rather
// than read into memory without end. docs/reliability.md, "CLI limits and
// signals".
const (
	MaxScenarioBytes = 16 << 20  // a scenario file
	MaxJSONBytes     = 16 << 20  // an AWS CLI JSON file a scenario names
	MaxSamplesBytes  = 256 << 20 // an empirical distribution's sample file
)

// TooLargeError is a file larger than the loader's limit for its kind.
type TooLargeError struct {
	Limit int64 // bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("larger than the %d MiB limit", e.Limit>>20)
}

// readLimited reads r to its end, or fails with a *[TooLargeError] once
// it has read more than limit bytes. A regular file (r has a Stat method,
// as *os.File and fs.File do) whose size is over the limit fails before
// reading; others (a device, a pipe) are read up to the limit.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	if s, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := s.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
			return nil, &TooLargeError{Limit: limit}
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return data, nil
}
