package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/drainsim/drainsim/model"
)

// maxBadLines is how many bad lines of an empirical file are reported
// one by one before the rest are counted.
const maxBadLines = 10

// empirical reads the file of each empirical distribution into its
// Samples.
func (p *parser) empirical(cfg *model.Config) {
	for i := range cfg.Traffic {
		d := &cfg.Traffic[i].Duration
		if d.Distribution != model.Empirical || d.File == "" {
			continue // Validate says what is missing
		}
		d.Samples = p.samples(fmt.Sprintf("traffic[%d].duration.file", i), d.File)
	}
	for i := range cfg.Traffic {
		d := &cfg.Traffic[i].ThinkTime // closed-loop clients' think times
		if d.Distribution != model.Empirical || d.File == "" {
			continue
		}
		d.Samples = p.samples(fmt.Sprintf("traffic[%d].think_time.file", i), d.File)
	}
}

// readFile reads the file name that the key at path refers to, relative
// to the scenario's directory, and returns its data and the name as the
// user can find it. It reports a problem and returns ok = false if the
// file cannot be read.
// A file larger than limit bytes is a problem too.
func (p *parser) readFile(path, name string, limit int64) (data []byte, shown string, ok bool) {
	shown = name
	if dir := filepath.Dir(p.file); p.file != "" && dir != "." {
		shown = filepath.Join(dir, filepath.FromSlash(name))
	}
	if p.fsys == nil {
		p.add(path, fmt.Sprintf("cannot read %q: files are only read for a scenario loaded from a directory", name))
		return nil, shown, false
	}
	if !fs.ValidPath(name) || name == "." {
		p.add(path, fmt.Sprintf(`must name a file in the scenario's directory or below it, with / separators and no ".." (got %q)`, name))
		return nil, shown, false
	}
	data, err := readFS(p.fsys, name, limit)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		p.add(path, fmt.Sprintf("cannot read %s: %v", shown, err))
		return nil, shown, false
	}
	return data, shown, true
}

// readFS reads the file name of fsys, up to limit bytes.
func readFS(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, limit)
}

// samples reads the durations file name for the key at path: one
// duration in seconds per line; blank lines and # comments are ignored.
func (p *parser) samples(path, name string) []float64 {
	data, shown, ok := p.readFile(path, name, MaxSamplesBytes)
	if !ok {
		return nil
	}

	at := p.loc.nearest(path)
	var samples []float64
	bad := 0
	text := strings.TrimPrefix(string(data), "\ufeff") // a BOM from a spreadsheet export
	for n, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		v, err := strconv.ParseFloat(line, 64)
		if err == nil && v >= 0 && !math.IsInf(v, 0) {
			samples = append(samples, v)
			continue
		}
		bad++
		if bad <= maxBadLines {
			if len(line) > 40 {
				line = line[:40] + "…"
			}
			p.errs = append(p.errs, &Error{File: shown, Line: n + 1, Key: path,
				Msg: fmt.Sprintf("want a duration in seconds, a number ≥ 0 without a unit (got %q)", line), at: at})
		}
	}
	switch {
	case bad > maxBadLines:
		p.add(path, fmt.Sprintf("%s has %d more bad lines", shown, bad-maxBadLines))
	case bad > 0:
		p.reported[path] = true
	case len(samples) == 0:
		p.add(path, fmt.Sprintf("%s holds no durations; write one number of seconds per line", shown))
	}
	return samples
}
