package scenarios

import (
	"encoding"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/drainsim/drainsim/internal/editdist"
	"github.com/drainsim/drainsim/model"
)

var (
	durationType     = reflect.TypeFor[time.Duration]()
	distributionType = reflect.TypeFor[model.Distribution]()
	unmarshalerTypes = []reflect.Type{reflect.TypeFor[toml.Unmarshaler](), reflect.TypeFor[encoding.TextUnmarshaler]()}
)

// decodesItself reports whether type t reads its own TOML value (as
// model.DelayGrid does); the checker leaves such values to the decoder,
// whose errors name the key.
func decodesItself(t reflect.Type) bool {
	return slices.ContainsFunc(unmarshalerTypes, reflect.PointerTo(t).Implements)
}

// checker compares the decoded TOML (maps, slices and scalars) with the
// shape of model.Config, found by reflection over its toml tags, before
// anything is decoded into it: it reports unknown keys, values of the
// wrong type and durations without a unit, each with its indexed key path.
type checker struct {
	p *parser
	// unknown holds the raw key names of each unknown key reported, to
	// check MetaData.Undecoded against.
	unknown [][]string
	// typeErrs counts problems that make decoding into the struct unsafe.
	typeErrs int
	// enumErrs counts unknown names of enum types, replaced by "" in the
	// decoded TOML.
	enumErrs int
}

// field is a TOML key of a struct.
type field struct {
	name string
	typ  reflect.Type
}

// fields returns the TOML keys of struct type t, in declaration order.
func fields(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs = append(fs, field{name, f.Type})
	}
	return fs
}

// table checks the keys of table m at path (raw key names in raw)
// against struct type t.
func (c *checker) table(path string, raw []string, m map[string]any, t reflect.Type) {
	fs := fields(t)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the caller sorts by position; this makes ties stable
	for _, k := range keys {
		p := join(path, k)
		r := append(slices.Clip(raw), k)
		i := slices.IndexFunc(fs, func(f field) bool { return f.name == k })
		if i < 0 {
			c.unknown = append(c.unknown, r)
			c.p.add(p, unknownMsg(k, fs))
			continue
		}
		if c.badEnum(p, m[k], fs[i].typ) {
			m[k] = "" // the default, so that the rest decodes and validates
			continue
		}
		c.value(p, r, m[k], fs[i].typ)
	}
}

// badEnum reports whether v is a string that a named string type with a
// fixed set of names (model.LBType, model.Pick, …) rejects, and if so
// reports the type's error ("must be alb, nlb or clb (got "elb")", the
// text Validate gives) at path. The loader then decodes the default in
// its place, so that the scenario's other problems are reported with it.
func (c *checker) badEnum(path string, v any, t reflect.Type) bool {
	s, ok := v.(string)
	if !ok || t.Kind() != reflect.String || !decodesItself(t) {
		return false
	}
	u, ok := reflect.New(t).Interface().(encoding.TextUnmarshaler)
	if !ok {
		return false
	}
	err := u.UnmarshalText([]byte(s))
	if err == nil {
		return false
	}
	c.p.add(path, err.Error())
	c.enumErrs++
	return true
}

// unknownMsg explains an unknown key and suggests the likely one.
func unknownMsg(k string, fs []field) string {
	best, bestD := "", 3
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
		if d := distance(strings.ToLower(k), f.name); d < bestD {
			best, bestD = f.name, d
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key; did you mean %q?", best)
	}
	return "unknown key; the keys here are " + strings.Join(names, ", ")
}

// distance is editdist.Distance.
func distance(a, b string) int { return editdist.Distance(a, b) }

// value checks one value v at path against Go type t.
func (c *checker) value(path string, raw []string, v any, t reflect.Type) {
	for t.Kind() == reflect.Pointer { // the decoder allocates
		t = t.Elem()
	}
	bad := func(want string) {
		c.typeErrs++
		c.p.add(path, fmt.Sprintf("must be %s (got %s)", want, describe(v)))
	}
	k := t.Kind()
	switch {
	case k == reflect.String && decodesItself(t): // an enum: badEnum checks the name
		if _, ok := v.(string); !ok {
			bad("a string")
		}
	case decodesItself(t):
	case t == durationType:
		c.duration(path, v)
	case k == reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			switch {
			case t == distributionType:
				bad(`a table such as { distribution = "lognormal", median = "2s", p99 = "5s" }`)
			case strings.Contains(path, "["): // no header names an element
				bad("a table")
			default:
				bad(fmt.Sprintf("a table: write a [%s] section", path))
			}
			return
		}
		c.table(path, raw, m, t)
	case (k == reflect.Slice || k == reflect.Array) && isTable(t.Elem()):
		var elems []any
		switch s := v.(type) {
		case []map[string]any:
			for _, m := range s {
				elems = append(elems, m)
			}
		case []any:
			elems = s
		default:
			bad(fmt.Sprintf("an array of tables: write [[%s]] sections", path))
			return
		}
		for i, e := range elems {
			c.value(index(path, i), raw, e, t.Elem())
		}
	case k == reflect.Slice || k == reflect.Array:
		s, ok := v.([]any)
		if !ok {
			bad("an array")
			return
		}
		for i, e := range s {
			c.value(index(path, i), raw, e, t.Elem())
		}
	case k == reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			bad("a table")
			return
		}
		keys := slices.Sorted(maps.Keys(m))
		for _, key := range keys {
			c.value(join(path, key), append(slices.Clip(raw), key), m[key], t.Elem())
		}
	case k == reflect.String:
		if _, ok := v.(string); !ok {
			bad("a string")
		}
	case k == reflect.Bool:
		if _, ok := v.(bool); !ok {
			bad("true or false")
		}
	case k >= reflect.Int && k <= reflect.Uint64:
		n, ok := v.(int64)
		switch {
		case !ok:
			if f, isFloat := v.(float64); isFloat {
				c.typeErrs++
				c.p.add(path, fmt.Sprintf("must be a whole number (got %s)", formatFloat(f)))
				return
			}
			bad("a whole number")
		case k >= reflect.Uint && n < 0:
			c.typeErrs++
			c.p.add(path, fmt.Sprintf("must not be negative (got %d)", n))
		case k <= reflect.Int64 && reflect.Zero(t).OverflowInt(n),
			k >= reflect.Uint && reflect.Zero(t).OverflowUint(uint64(n)):
			bad("a smaller whole number")
		}
	case k == reflect.Float64 || k == reflect.Float32:
		switch n := v.(type) {
		case float64:
		case int64:
			if n > 1<<53 || n < -(1<<53) {
				bad("a number that a float holds exactly")
			}
		default:
			bad("a number")
		}
	default:
		// An interface or another type the scenario format does not
		// describe: left to the decoder, whose errors name the key.
	}
}

// isTable reports whether values of type t are TOML tables (structs that
// do not decode themselves).
func isTable(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t != durationType && !decodesItself(t)
}

// duration checks a duration value: a string with a unit, not negative.
func (c *checker) duration(path string, v any) {
	var msg string
	switch d := v.(type) {
	case int64:
		msg = fmt.Sprintf(`a duration needs a unit, e.g. "%ds" (got %d)`, d, d)
	case float64:
		msg = fmt.Sprintf(`a duration needs a unit, e.g. "%ss" (got %s)`, formatFloat(d), formatFloat(d))
	case string:
		got, err := time.ParseDuration(d)
		switch {
		case err == nil && got < 0:
			msg = fmt.Sprintf("must not be negative (got %q)", d)
		case err == nil:
			return
		case isNumber(d):
			msg = fmt.Sprintf(`a duration needs a unit, e.g. "%ss" (got %q)`, strings.TrimSpace(d), d)
		default:
			msg = fmt.Sprintf(`is not a duration (got %q); write a number and a unit, e.g. "90s", "5m" or "1h30m"; units are ns, us, ms, s, m and h, up to 2562047h`, d)
		}
	default:
		msg = fmt.Sprintf(`must be a duration string such as "90s" (got %s)`, describe(v))
	}
	c.typeErrs++
	c.p.add(path, msg)
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil
}

// describe names a decoded TOML value's type and shows it, briefly.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > 40 {
			return fmt.Sprintf("string %q…", v[:40])
		}
		return fmt.Sprintf("string %q", v)
	case int64:
		return fmt.Sprintf("integer %d", v)
	case float64:
		return "float " + formatFloat(v)
	case bool:
		return fmt.Sprintf("boolean %t", v)
	case time.Time:
		return "date-time " + v.Format(time.RFC3339Nano)
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// formatFloat shows a float as TOML would, with a decimal point.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEnN") { // not 1e+06, NaN, Inf
		s += ".0"
	}
	return s
}
