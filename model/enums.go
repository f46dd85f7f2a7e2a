package model

import (
	"fmt"
	"slices"
	"strings"
)

// LBType is a load balancer type: [ALB], [NLB] or [CLB]. The zero value ""
// means the default, ALB. Its text (TOML, JSON) is the lower-case name.
type LBType string

// Algorithm is a routing algorithm: [RoundRobin],
// [LeastOutstandingRequests] or [Random]. The zero value "" means the
// default, round robin.
type Algorithm string

// Pick is which targets a scale-in removes: [PickOldest], [PickNewest] or
// [PickRandom]. The zero value "" means the platform's choice: the oldest,
// or on EC2 what platform.termination_policy says.
type Pick string

// PlatformType is the compute platform: [EC2], [ECS] or [EKS]. The zero
// value "" means the default, EC2.
type PlatformType string

var (
	lbTypes      = []LBType{ALB, NLB, CLB}
	algorithms   = []Algorithm{RoundRobin, LeastOutstandingRequests, Random}
	picks        = []Pick{PickOldest, PickNewest, PickRandom}
	platformType = []PlatformType{EC2, ECS, EKS}
)

// oneOf returns nil if v is "" or one of allowed, else the error every
// scenario reader gives: `must be alb, nlb or clb (got "elb")`.
func oneOf[T ~string](v T, allowed []T) error {
	if v == "" || slices.Contains(allowed, v) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	return fmt.Errorf("must be %s (got %q)", list, string(v))
}

func (t LBType) String() string       { return string(t) }
func (a Algorithm) String() string    { return string(a) }
func (p Pick) String() string         { return string(p) }
func (t PlatformType) String() string { return string(t) }

// Valid returns nil if t is "" or a known type, else an error listing them.
func (t LBType) Valid() error { return oneOf(t, lbTypes) }

// Valid returns nil if a is "" or a known algorithm, else an error listing
// them.
func (a Algorithm) Valid() error { return oneOf(a, algorithms) }

// Valid returns nil if p is "" or a known pick, else an error listing them.
func (p Pick) Valid() error { return oneOf(p, picks) }

// Valid returns nil if t is "" or a known platform, else an error listing
// them.
func (t PlatformType) Valid() error { return oneOf(t, platformType) }

// MarshalText returns the name ("alb"), or an error for an unknown type.
// It implements encoding.TextMarshaler.
func (t LBType) MarshalText() ([]byte, error) { return marshalEnum(t, t.Valid()) }

// UnmarshalText sets t to the type named text; "" is the default, and an
// unknown name is an error listing the names. It implements
// encoding.TextUnmarshaler.
func (t *LBType) UnmarshalText(text []byte) error { return unmarshalEnum(t, text, lbTypes) }

// MarshalText returns the name ("round_robin"), or an error for an
// unknown algorithm. It implements encoding.TextMarshaler.
func (a Algorithm) MarshalText() ([]byte, error) { return marshalEnum(a, a.Valid()) }

// UnmarshalText sets a to the algorithm named text; "" is the default,
// and an unknown name is an error listing the names. It implements
// encoding.TextUnmarshaler.
func (a *Algorithm) UnmarshalText(text []byte) error {
	return unmarshalEnum(a, text, algorithms)
}

// MarshalText returns the name ("oldest"), or an error for an unknown
// pick. It implements encoding.TextMarshaler.
func (p Pick) MarshalText() ([]byte, error) { return marshalEnum(p, p.Valid()) }

// UnmarshalText sets p to the pick named text; "" is the default, and an
// unknown name is an error listing the names. It implements
// encoding.TextUnmarshaler.
func (p *Pick) UnmarshalText(text []byte) error { return unmarshalEnum(p, text, picks) }

// MarshalText returns the name ("ecs"), or an error for an unknown
// platform. It implements encoding.TextMarshaler.
func (t PlatformType) MarshalText() ([]byte, error) { return marshalEnum(t, t.Valid()) }

// UnmarshalText sets t to the platform named text; "" is the default, and
// an unknown name is an error listing the names. It implements
// encoding.TextUnmarshaler.
func (t *PlatformType) UnmarshalText(text []byte) error {
	return unmarshalEnum(t, text, platformType)
}

func marshalEnum[T ~string](v T, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

func unmarshalEnum[T ~string](p *T, text []byte, allowed []T) error {
	v := T(text)
	if err := oneOf(v, allowed); err != nil {
		return err
	}
	*p = v
	return nil
}
