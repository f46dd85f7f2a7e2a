package main

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/spf13/pflag"
)

// flagValueError turns pflag's parse error for a bad flag value ("invalid
// argument "x" for "--seed" flag: strconv.ParseUint: …") into a sentence
// that names the flag, the value and the form it takes; other errors
// (unknown flags, a missing value) pass through.
func flagValueError(err error) error {
	var ive *pflag.InvalidValueError
	if !errors.As(err, &ive) || ive.GetFlag() == nil {
		return err
	}
	f := ive.GetFlag()
	return fmt.Errorf("invalid --%s %q: %s", f.Name, ive.GetValue(), flagForm(f))
}

// flagRange finds the range a flag's help text states: "1–100000",
// "0–1", "0 or more", "more than 0".
var flagRange = regexp.MustCompile(`\d[\d.]*–\d[\d.]*|0 or more|more than 0`)

// flagForm says what a value of flag f looks like, from its type, and
// the range its help text states, if any.
func flagForm(f *pflag.Flag) string {
	var s string
	switch f.Value.Type() {
	case "uint64":
		return "must be a whole number from 0 to 18446744073709551615"
	case "int", "int64":
		s = "must be a whole number"
	case "float64":
		s = "must be a number"
	case "bool":
		return "must be true or false"
	case "duration":
		s = "must be a duration such as 30s"
	default:
		s = "must be a " + f.Value.Type()
	}
	if r := flagRange.FindString(f.Usage); r != "" {
		s += ", " + r
	} else if f.Value.Type() == "float64" {
		s += " such as 0.5"
	}
	return s
}
