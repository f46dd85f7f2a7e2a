package scenarios

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a scenario, with its position. Error() reads
// "file:line:col: key: message" and leaves out the parts that are unknown:
// "file: key: message" when the key is absent from the file (a default),
// "file:line:col: message" for a TOML syntax error, which names no key.
type Error struct {
	// File is the scenario file's name as given to [Parse] or [Load], or
	// the name of an empirical durations file.
	File string
	// Line and Col are 1-based; Col counts bytes. Zero means unknown.
	Line, Col int
	// Key is the key path, such as "traffic[1].duration.p99"; empty for
	// syntax errors.
	Key string
	// Msg says what is wrong and, where there is one, the allowed range.
	Msg string

	// at is where the problem sits in the scenario file, for sorting; it
	// differs from Line and Col for a bad line of an empirical file.
	at pos
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Col))
		}
	}
	if e.Key != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Key)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is the error [Parse], [Load], [Builtin] and [Open] return for a
// scenario with problems: always an Errors value, even for one problem,
// never a bare *Error. It holds one *Error per problem (at least one),
// ordered by their place in the scenario file; problems without a line
// come last. errors.As(err, &e) with e of type *Error finds the first.
// (A scenario file that cannot be read, an unknown built-in name and an
// [Open] argument that is neither are plain errors, not Errors.)
type Errors []*Error

// Error returns one line per problem.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, so that errors.As and errors.Is look at
// each of them.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sort orders the problems by file position, keeping the order of those
// at the same position; problems without a line go last.
func (es Errors) sort() {
	slices.SortStableFunc(es, func(a, b *Error) int {
		if (a.at.Line == 0) != (b.at.Line == 0) {
			if a.at.Line == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.at.Line, b.at.Line), cmp.Compare(a.at.Col, b.at.Col))
	})
}
