package accesslog

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Record is what [Writer] needs to write one access log line: the
// fields drainsim simulates. Any other field of the line gets a plausible
// constant.
type Record struct {
	// Type is http, https, h2, grpcs, ws or wss.
	Type string
	// Time is when the response ended (a WebSocket closed); required.
	Time time.Time
	// RequestCreated is when the request arrived; zero writes "-".
	RequestCreated time.Time
	// Client and Target are ip:port; "" or "-" writes "-" (a request
	// not forwarded to a target). They must not hold spaces or quotes.
	Client, Target string
	// RequestProcessing, TargetProcessing and ResponseProcessing are
	// seconds ≥ 0, written with millisecond precision, or −1.
	RequestProcessing, TargetProcessing, ResponseProcessing float64
	// ELBStatus and TargetStatus are status codes 0–999; 0 writes "-".
	ELBStatus, TargetStatus int
	// ReceivedBytes and SentBytes are byte counts ≥ 0.
	ReceivedBytes, SentBytes int64
	// Request is the request line; "" writes "-".
	Request string
	// UserAgent is the User-Agent header; "" writes "-".
	UserAgent string
	// ErrorReason is AWS's error reason code, e.g. "TargetConnectionError";
	// "" writes "-".
	ErrorReason string
}

// Writer writes each [Record] as an ALB access log line, in AWS's field order
// and formats: times in UTC to the microsecond (truncated), processing
// times in seconds with three decimals, quoted strings with " and \
// escaped by a backslash and control characters as \xHH. [Parse] reads
// the lines back: the values come back as written, except control
// characters, which stay escaped.
//
// Each Write makes one Write call of one whole line; wrap the writer in a
// [bufio.Writer] for speed. A Writer is not safe for concurrent use.
type Writer struct {
	// ELB is the load balancer resource ID written in every line; it
	// must not hold spaces.
	ELB string
	// TargetGroupARN is written in every line; it must not hold spaces.
	TargetGroupARN string

	w   io.Writer
	buf []byte
	seq uint64
}

// NewWriter returns a Writer to w, with a made-up load balancer and
// target group named drainsim.
func NewWriter(w io.Writer) *Writer {
	return &Writer{
		ELB:            "app/drainsim/0123456789abcdef",
		TargetGroupARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/drainsim/0123456789abcdef",
		w:              w,
	}
}

// timeLayout is AWS's: RFC 3339 in UTC with microseconds.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Write writes rec as one line. It returns an error, and writes nothing,
// for a record Parse could not read back: an unknown type, a zero Time, a
// negative processing time other than −1, a status code out of range, a
// negative byte count, or a client or target with a space or a quote.
func (w *Writer) Write(rec Record) error {
	if err := rec.check(); err != nil {
		return err
	}
	w.seq++
	b := w.buf[:0]
	b = append(b, rec.Type...)
	b = append(b, ' ')
	b = rec.Time.UTC().AppendFormat(b, timeLayout)
	b = append(b, ' ')
	b = appendBare(b, w.ELB)
	b = append(b, ' ')
	b = appendBare(b, rec.Client)
	b = append(b, ' ')
	b = appendBare(b, rec.Target)
	for _, v := range [...]float64{rec.RequestProcessing, rec.TargetProcessing, rec.ResponseProcessing} {
		b = append(b, ' ')
		b = appendSeconds(b, v)
	}
	b = append(b, ' ')
	b = appendStatus(b, rec.ELBStatus)
	b = append(b, ' ')
	b = appendStatus(b, rec.TargetStatus)
	b = append(b, ' ')
	b = strconv.AppendInt(b, rec.ReceivedBytes, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, rec.SentBytes, 10)
	b = append(b, ' ')
	b = appendQuoted(b, rec.Request)
	b = append(b, ' ')
	b = appendQuoted(b, rec.UserAgent)
	if tlsTypes[rec.Type] {
		b = append(b, " ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "...)
	} else {
		b = append(b, " - - "...)
	}
	b = appendBare(b, w.TargetGroupARN)
	// trace_id: AWS's Root=1-<8 hex digits of Unix seconds>-<24 hex digits>.
	b = append(b, ` "Root=1-`...)
	b = fmt.Appendf(b, "%08x-%024x", uint32(rec.Time.Unix()), w.seq)
	b = append(b, `" "-" "-" `...)
	forwarded := rec.Target != "" && rec.Target != "-"
	if forwarded {
		b = append(b, '0') // matched_rule_priority: the default rule
	} else {
		b = append(b, '-')
	}
	b = append(b, ' ')
	if rec.RequestCreated.IsZero() {
		b = append(b, '-')
	} else {
		b = rec.RequestCreated.UTC().AppendFormat(b, timeLayout)
	}
	if forwarded {
		b = append(b, ` "forward" "-" `...)
	} else {
		b = append(b, ` "-" "-" `...)
	}
	b = appendQuoted(b, rec.ErrorReason)
	b = append(b, ' ')
	if forwarded {
		b = appendQuoted(b, rec.Target)
		b = append(b, ' ')
		if rec.TargetStatus == 0 {
			b = append(b, `"-"`...)
		} else {
			b = append(b, '"')
			b = strconv.AppendInt(b, int64(rec.TargetStatus), 10)
			b = append(b, '"')
		}
	} else {
		b = append(b, `"-" "-"`...)
	}
	b = append(b, ` "-" "-" -`+"\n"...)
	w.buf = b
	_, err := w.w.Write(b)
	return err
}

// check reports why Parse could not read rec back, if it could not.
func (rec *Record) check() error {
	if _, ok := types[rec.Type]; !ok {
		return fmt.Errorf("accesslog: record type must be http, https, h2, grpcs, ws or wss (got %q)", rec.Type)
	}
	if rec.Time.IsZero() {
		return errors.New("accesslog: record has no time")
	}
	for _, v := range [...]float64{rec.RequestProcessing, rec.TargetProcessing, rec.ResponseProcessing} {
		if !(v >= 0 || v == -1) || math.IsInf(v, 0) {
			return fmt.Errorf("accesslog: processing time must be seconds ≥ 0 or -1 (got %v)", v)
		}
	}
	for _, v := range [...]int{rec.ELBStatus, rec.TargetStatus} {
		if v < 0 || v > 999 {
			return fmt.Errorf("accesslog: status code must be 0–999 (got %d)", v)
		}
	}
	if rec.ReceivedBytes < 0 || rec.SentBytes < 0 {
		return fmt.Errorf("accesslog: byte counts must not be negative (got %d, %d)", rec.ReceivedBytes, rec.SentBytes)
	}
	for _, s := range [...]string{rec.Client, rec.Target} {
		if strings.ContainsAny(s, " \"\t\r\n") {
			return fmt.Errorf("accesslog: client and target must be ip:port without spaces or quotes (got %q)", s)
		}
	}
	return nil
}

// appendBare appends an unquoted field, "-" for "".
func appendBare(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	return append(b, s...)
}

// appendSeconds appends seconds with three decimals, or -1.
func appendSeconds(b []byte, v float64) []byte {
	if v == -1 {
		return append(b, "-1"...)
	}
	return strconv.AppendFloat(b, v, 'f', 3, 64)
}

// appendStatus appends a status code, "-" for 0.
func appendStatus(b []byte, v int) []byte {
	if v == 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, int64(v), 10)
}

// appendQuoted appends s in double quotes, "-" for "", escaping " and \
// with a backslash and control bytes as \xHH.
func appendQuoted(b []byte, s string) []byte {
	if s == "" {
		s = "-"
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

const hex = "0123456789abcdef"
