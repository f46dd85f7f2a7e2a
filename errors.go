package drainsim

import (
	"errors"
	"fmt"
	"strings"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/scenarios"
)

// Error is one problem with a scenario or with the options of a call:
// a field out of range, an unknown key, a bad delay grid. Every function
// of the package that rejects its input returns an *[InvalidError]
// holding one Error per problem; errors.As finds either:
//
//	var inv *drainsim.InvalidError
//	if errors.As(err, &inv) {
//		for _, p := range inv.Problems { … p.Key, p.Line, p.Allowed … }
//	}
//	var first *drainsim.Error
//	if errors.As(err, &first) { … } // the first problem
//
// An error that is not an InvalidError (a cancelled context, an
// unreadable file, an unknown built-in) is not about the input's values.
type Error struct {
	// Option names the option at fault, such as "SweepOptions.Delays";
	// empty for a problem of the scenario itself.
	Option string
	// Key is the scenario's key path, such as "traffic[1].duration.p99";
	// empty for an option, or for a TOML syntax error.
	Key string
	// File, Line and Col are where the problem sits in a scenario file
	// ([Load], [Parse]); Line and Col are 1-based, and zero when unknown
	// (a scenario built in code, a key absent from the file).
	File      string
	Line, Col int
	// Msg says what is wrong, with the allowed range where there is one:
	// "must be 1–100000 (got 0)".
	Msg string
	// Allowed is the allowed range or values when Msg states them in the
	// form "must be … (got …)", such as "1–100000"; else empty.
	Allowed string

	// text is Error()'s value: the message of the error it came from.
	text string
	// err is that error (a *scenarios.Error or *model.FieldError), for
	// errors.As.
	err error
}

func (e *Error) Error() string {
	if e.text != "" {
		return e.text
	}
	var b strings.Builder
	for _, s := range []string{e.Option, e.Key} {
		if s != "" {
			b.WriteString(s)
			b.WriteString(": ")
		}
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the error of package scenarios or model that e stands
// for, if any.
func (e *Error) Unwrap() error { return e.err }

// InvalidError is a scenario or options that cannot be run, with every
// problem found. Its Error() is one line per problem. errors.As(err,
// &e) with e an *Error finds the first problem; errors.Is and errors.As
// also see the errors of packages scenarios and model it was made from.
type InvalidError struct {
	// Problems holds one *Error per problem, at least one, in the order
	// they were found (for a scenario file, by their place in it).
	Problems []*Error
	// err is the error the problems were read from, if any.
	err error
}

func (e *InvalidError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, then the error they were read from.
func (e *InvalidError) Unwrap() []error {
	out := make([]error, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		out = append(out, p)
	}
	if e.err != nil {
		out = append(out, e.err)
	}
	return out
}

// allowed returns the range stated in a message "must be X (got Y)".
func allowed(msg string) string {
	rest, ok := strings.CutPrefix(msg, "must be ")
	if !ok {
		return ""
	}
	if i := strings.Index(rest, " (got "); i >= 0 {
		return rest[:i]
	}
	return ""
}

// invalid turns the error of package scenarios (Errors) or of
// model.Config.Validate (joined *model.FieldError) into an
// *InvalidError with the same text; any other error is returned as it
// is.
func invalid(err error) error {
	if err == nil {
		return nil
	}
	var ses scenarios.Errors
	if errors.As(err, &ses) {
		inv := &InvalidError{err: err}
		for _, se := range ses {
			inv.Problems = append(inv.Problems, &Error{Key: se.Key, File: se.File, Line: se.Line, Col: se.Col,
				Msg: se.Msg, Allowed: allowed(se.Msg), text: se.Error(), err: se})
		}
		return inv
	}
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	inv := &InvalidError{err: err}
	for _, e := range list {
		var fe *model.FieldError
		if !errors.As(e, &fe) {
			return err // not (only) field errors: leave it alone
		}
		inv.Problems = append(inv.Problems, &Error{Key: fe.Path, Msg: fe.Msg, Allowed: allowed(fe.Msg), text: e.Error(), err: fe})
	}
	return inv
}

// badOption returns an *InvalidError for option name (such as
// "SweepOptions.Replications"), allowed being its range.
func badOption(name, allowed string, got any) error {
	msg := fmt.Sprintf("must be %s (got %v)", allowed, got)
	return &InvalidError{Problems: []*Error{{Option: name, Msg: msg, Allowed: allowed}}}
}
