package model

import (
	"fmt"
	"strings"
)

// MarshalText returns the cause's name ("delay_expired"), so that a
// Cause reads as a word in JSON, TOML, CSV and as a map key. It
// implements encoding.TextMarshaler.
func (c Cause) MarshalText() ([]byte, error) {
	if int(c) >= len(causeNames) {
		return nil, fmt.Errorf("cause %d: not one of the %d causes", uint8(c), NumCauses)
	}
	return []byte(causeNames[c]), nil
}

// UnmarshalText sets c to the cause named text, one of the names String
// returns. It implements encoding.TextUnmarshaler.
func (c *Cause) UnmarshalText(text []byte) error {
	p, err := ParseCause(string(text))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// ParseCause returns the cause named s ("delay_expired", "killed", …),
// or an error listing the names.
func ParseCause(s string) (Cause, error) {
	for i, n := range causeNames {
		if n == s {
			return Cause(i), nil
		}
	}
	return 0, fmt.Errorf("cause %q: must be one of %s", s, strings.Join(causeNames[:], ", "))
}

// MarshalText returns the state's name ("draining"). It implements
// encoding.TextMarshaler.
func (s TargetState) MarshalText() ([]byte, error) {
	if int(s) >= len(stateNames) {
		return nil, fmt.Errorf("target state %d: not one of the %d states", uint8(s), len(stateNames))
	}
	return []byte(stateNames[s]), nil
}

// UnmarshalText sets s to the state named text, one of the names String
// returns. It implements encoding.TextUnmarshaler.
func (s *TargetState) UnmarshalText(text []byte) error {
	for i, n := range stateNames {
		if n == string(text) {
			*s = TargetState(i)
			return nil
		}
	}
	return fmt.Errorf("target state %q: must be one of %s", text, strings.Join(stateNames[:], ", "))
}
