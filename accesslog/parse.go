package accesslog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// MaxMalformed is how many malformed lines [Stats] keeps, with their file
// and line, before it only counts them.
const MaxMalformed = 5

// MaxLineBytes is the longest line Parse reads; a longer line is
// malformed. ALB request lines and user agents are limited to a few
// tens of kilobytes.
const MaxLineBytes = 1 << 20

// ErrNoEntries is returned, wrapped with the file name, by [Parse] for
// input without a single well-formed entry.
var ErrNoEntries = errors.New("no ALB access log entries")

// LineError is a malformed line: its file (the name given to [Parse]),
// its line number from 1 and what is wrong.
type LineError struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Msg  string `json:"msg"`
}

// Error returns "file:line: msg".
func (e LineError) Error() string { return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg }

// Stats counts the lines of one parse.
type Stats struct {
	// File is the name given to Parse.
	File string `json:"file"`
	// Lines is the number of lines read: Entries + Blank + MalformedLines.
	Lines int `json:"lines"`
	// Entries is the number of well-formed lines passed to the callback.
	Entries int `json:"entries"`
	// Blank is the number of empty or all-space lines, which are skipped.
	Blank int `json:"blank"`
	// MalformedLines is the number of lines that could not be parsed.
	MalformedLines int `json:"malformed_lines"`
	// Malformed holds the first MaxMalformed of them.
	Malformed []LineError `json:"malformed,omitempty"`
}

// ParseFile parses the log at path, plain or gzip, with [Parse], naming
// it by path in errors.
func ParseFile(path string, fn func(Entry) error) (Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return Stats{File: path}, err
	}
	defer f.Close()
	return Parse(f, path, fn)
}

// Parse reads an ALB access log from r, plain or gzip (recognised by its
// magic bytes), and calls fn with each well-formed entry in order. name
// is the file name used in each [LineError] and in errors.
//
// A line needs at least [MinFields] fields, a known type, RFC 3339 times
// and numbers where AWS writes them; fields after the documented ones are
// kept in [Entry.Extra]. Other lines are counted in the returned Stats,
// the first [MaxMalformed] with their line numbers, and skipped. CR LF
// line ends are accepted.
//
// Parse returns an error when r fails (the Stats then count what was read
// before), when fn returns one (wrapped with "name:line: "; parsing stops)
// or when no line is well-formed (wrapping [ErrNoEntries], with the first
// problem found). It reads r in one pass, keeping one line in memory.
func Parse(r io.Reader, name string, fn func(Entry) error) (Stats, error) {
	st := Stats{File: name}
	br, closeFn, err := decompress(r)
	if err != nil {
		return st, fmt.Errorf("read %s: %w", name, err)
	}
	defer closeFn()
	var (
		buf    []byte
		fields []string
	)
	for {
		var tooLong bool
		var rerr error
		buf, tooLong, rerr = readLine(br, buf[:0])
		if rerr != nil && rerr != io.EOF {
			return st, fmt.Errorf("read %s: %w", name, rerr)
		}
		if rerr == io.EOF && len(buf) == 0 && !tooLong {
			break
		}
		st.Lines++
		line := strings.TrimSuffix(string(buf), "\r")
		switch {
		case tooLong:
			st.malformed(fmt.Errorf("line longer than %d bytes", MaxLineBytes))
		case strings.TrimSpace(line) == "":
			st.Blank++
		default:
			var e Entry
			var perr error
			e, fields, perr = parseLine(line, fields[:0])
			if perr != nil {
				st.malformed(perr)
				break
			}
			st.Entries++
			if err := fn(e); err != nil {
				return st, fmt.Errorf("%s:%d: %w", name, st.Lines, err)
			}
		}
		if rerr == io.EOF {
			break
		}
	}
	if st.Entries == 0 {
		if len(st.Malformed) > 0 {
			return st, fmt.Errorf("%s: %w in %d lines (first problem: line %d: %s)",
				name, ErrNoEntries, st.Lines, st.Malformed[0].Line, st.Malformed[0].Msg)
		}
		return st, fmt.Errorf("%s: %w (%d lines)", name, ErrNoEntries, st.Lines)
	}
	return st, nil
}

// malformed counts the current line as malformed.
func (st *Stats) malformed(err error) {
	st.MalformedLines++
	if len(st.Malformed) < MaxMalformed {
		st.Malformed = append(st.Malformed, LineError{File: st.File, Line: st.Lines, Msg: err.Error()})
	}
}

// readLine appends the next line of br to buf, without its "\n". tooLong
// reports a line over MaxLineBytes, which is read to its end but not kept.
// err is io.EOF after the last line.
func readLine(br *bufio.Reader, buf []byte) (line []byte, tooLong bool, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		if err == nil {
			frag = frag[:len(frag)-1]
		}
		if !tooLong {
			if len(buf)+len(frag) > MaxLineBytes {
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return buf, tooLong, err
	}
}

// parseLine parses one non-blank line, using fields as scratch space.
func parseLine(line string, fields []string) (Entry, []string, error) {
	var e Entry
	fields, err := split(line, fields)
	if err != nil {
		return e, fields, err
	}
	if len(fields) < MinFields {
		return e, fields, fmt.Errorf("truncated: %d fields, want at least %d (up to %s)", len(fields), MinFields, fieldNames[MinFields-1])
	}
	p := fieldParser{fields: fields}
	e.Type = fields[fType]
	if _, ok := types[e.Type]; !ok {
		return e, fields, fmt.Errorf("field 1 (type): want http, https, h2, grpcs, ws or wss, got %s", quoteShort(e.Type))
	}
	e.Time = p.time(fTime, false)
	e.ELB = p.str(fELB)
	e.Client = p.str(fClient)
	e.Target = p.str(fTarget)
	e.RequestProcessing = p.seconds(fRequestProcessing)
	e.TargetProcessing = p.seconds(fTargetProcessing)
	e.ResponseProcessing = p.seconds(fResponseProcessing)
	e.ELBStatus = p.status(fELBStatus)
	e.TargetStatus = p.status(fTargetStatus)
	e.ReceivedBytes = p.bytes(fReceivedBytes)
	e.SentBytes = p.bytes(fSentBytes)
	e.Request = p.str(fRequest)
	e.UserAgent = p.str(fUserAgent)
	e.SSLCipher = p.str(fSSLCipher)
	e.SSLProtocol = p.str(fSSLProtocol)
	e.TargetGroupARN = p.str(fTargetGroupARN)
	e.TraceID = p.str(fTraceID)
	e.DomainName = p.str(fDomainName)
	e.ChosenCertARN = p.str(fChosenCertARN)
	e.MatchedRulePriority = p.str(fMatchedRulePriority)
	e.RequestCreated = p.time(fRequestCreated, true)
	e.ActionsExecuted = p.str(fActionsExecuted)
	e.RedirectURL = p.str(fRedirectURL)
	e.ErrorReason = p.str(fErrorReason)
	e.TargetList = p.str(fTargetList)
	e.TargetStatusList = p.str(fTargetStatusList)
	e.Classification = p.str(fClassification)
	e.ClassificationReason = p.str(fClassificationReason)
	e.ConnTraceID = p.str(fConnTraceID)
	if len(fields) > numFields {
		e.Extra = append([]string(nil), fields[numFields:]...)
	}
	if p.err == nil && !e.RequestCreated.IsZero() && e.Time.Before(e.RequestCreated) {
		// The load balancer writes time when it sends the response
		// (closes the connection), after request_creation_time: a line
		// ending before it began is damaged or edited, and measuring
		// its duration would be wrong either way (issue 11: such a
		// line made fit report a p99 of 64,441 s).
		return e, fields, fmt.Errorf("field 2 (time) %s is before field 22 (request_creation_time) %s: a request cannot end before it began",
			p.fields[fTime], p.fields[fRequestCreated])
	}
	return e, fields, p.err
}

// fieldParser converts fields, remembering the first error.
type fieldParser struct {
	fields []string
	err    error
}

func (p *fieldParser) fail(i int, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("field %d (%s): want %s, got %s", i+1, fieldNames[i], want, quoteShort(p.fields[i]))
	}
}

// str returns field i, "" for "-" or a field the line does not have.
func (p *fieldParser) str(i int) string {
	if i >= len(p.fields) || p.fields[i] == "-" {
		return ""
	}
	return p.fields[i]
}

// time parses an RFC 3339 time; "-" is the zero time if dash is true.
func (p *fieldParser) time(i int, dash bool) time.Time {
	s := p.fields[i]
	if dash && s == "-" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if dash {
			p.fail(i, "an RFC 3339 time or -")
		} else {
			p.fail(i, "an RFC 3339 time")
		}
		return time.Time{}
	}
	return t.UTC()
}

// seconds parses a processing time: seconds ≥ 0, or −1.
func (p *fieldParser) seconds(i int) float64 {
	v, err := strconv.ParseFloat(p.fields[i], 64)
	if err != nil || !(v >= 0 || v == -1) || math.IsInf(v, 0) {
		p.fail(i, "seconds or -1")
		return -1
	}
	return v
}

// status parses a status code of up to three digits; "-" is 0.
func (p *fieldParser) status(i int) int {
	s := p.fields[i]
	if s == "-" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 || v > 999 || s[0] == '+' {
		p.fail(i, "a status code or -")
		return 0
	}
	return v
}

// bytes parses a byte count; "-" is 0.
func (p *fieldParser) bytes(i int) int64 {
	s := p.fields[i]
	if s == "-" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || s[0] == '+' {
		p.fail(i, "a byte count or -")
		return 0
	}
	return v
}
