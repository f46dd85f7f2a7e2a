package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/drainsim/drainsim/model"
)

// builtins holds the built-in scenarios, one per file: the examples at
// the top, and under field/ one scenario per public field report of a
// drain failure (issue #17; docs/validation.md), named "field/NAME".
//
//go:embed *.toml field/*.toml
var builtins embed.FS

// Parse reads a scenario from data. It starts from [model.Default],
// applies the TOML keys, reads the files of empirical distributions, and
// validates the result with [model.Config.Validate].
//
// file is the name used in error messages. fsys is the scenario's
// directory: an empirical distribution's file (`duration = {
// distribution = "empirical", file = "durations.txt" }`) is read from it
// with [fs.ReadFile], so the file name must be a valid [fs] path (relative,
// slash-separated, no ".."). With a nil fsys, empirical files are an
// error.
//
// On any problem Parse returns a nil config and an [Errors] value listing
// every problem it found, each an *[Error] with the key path and, where
// the key or its table appears in the text, its line and column. A TOML
// syntax error stops parsing and is the only problem reported; a value of
// the wrong type stops before validation; unknown keys and problems in
// empirical files are reported together with the validation errors.
// Parse never panics.
func Parse(file string, data []byte, fsys fs.FS) (cfg *model.Config, err error) {
	defer func() {
		// The TOML library re-panics on anything but its own parse errors;
		// a scenario must never crash the program that loads it.
		if r := recover(); r != nil {
			cfg, err = nil, Errors{{File: file, Msg: fmt.Sprintf("internal error: %v; please report it with this scenario", r)}}
		}
	}()
	src := string(data)
	var raw map[string]any
	if _, err := toml.Decode(src, &raw); err != nil {
		return nil, syntaxError(file, src, err)
	}
	p := &parser{file: file, loc: newLocator(src), fsys: fsys, reported: map[string]bool{}}
	c := &checker{p: p}
	c.table("", nil, raw, reflect.TypeFor[model.Config]())
	if c.typeErrs > 0 {
		return nil, p.result()
	}

	config := model.Default()
	if c.enumErrs > 0 {
		// An unknown name would stop the decoder (the enum types reject
		// it); decode the checked TOML, where it is "", instead. Positions
		// come from the locator, which read src.
		var buf strings.Builder
		if err := toml.NewEncoder(&buf).Encode(raw); err != nil {
			p.decodeError(err)
			return nil, p.result()
		}
		src = buf.String()
	}
	md, err := toml.Decode(src, &config)
	if err != nil {
		// Values that read themselves (toml.Unmarshaler) report their own
		// errors here; the checker has caught the rest. An unknown key
		// with a case-insensitive match can also get here.
		p.decodeError(err)
		return nil, p.result()
	}
	// The checker has reported the unknown keys with their element
	// indices; this is a backstop for any the decoder left that it missed.
	for _, k := range md.Undecoded() {
		if !slices.ContainsFunc(c.unknown, func(u []string) bool { return hasPrefix(k, u) }) {
			p.add(keyPath(k), "unknown key")
		}
	}
	p.checkKeys(raw)
	p.empirical(&config)
	p.rateFiles(&config)
	p.awsFiles(&config, &md)
	p.validate(&config)
	if len(p.errs) > 0 {
		return nil, p.result()
	}
	return &config, nil
}

// Load reads the scenario file at path with [Parse]. Empirical
// distribution files are read relative to the scenario file's directory.
// A file that cannot be read gives an error wrapping the *[fs.PathError]
// (errors.Is(err, fs.ErrNotExist) reports a missing file); a scenario
// with problems gives [Errors].
//
// A file larger than [MaxScenarioBytes] gives an error wrapping a
// *[TooLargeError]: "PATH: larger than the 16 MiB limit".
func Load(path string) (*model.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	defer f.Close()
	data, err := readLimited(f, MaxScenarioBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, data, os.DirFS(filepath.Dir(path)))
}

// Builtin returns a fresh copy of the built-in scenario name (see
// [Names]), which the caller may change.
func Builtin(name string) (*model.Config, error) {
	data, err := readBuiltin(name)
	if err != nil {
		return nil, err
	}
	return Parse(name+".toml", data, builtins)
}

func readBuiltin(name string) ([]byte, error) {
	if !validName(name) {
		return nil, notBuiltin(name)
	}
	data, err := builtins.ReadFile(name + ".toml")
	if err != nil {
		return nil, notBuiltin(name)
	}
	return data, nil
}

func notBuiltin(name string) error {
	return fmt.Errorf("no built-in scenario %q; the built-ins are %s", name, strings.Join(Names(), ", "))
}

// validName reports whether name can name a built-in: "NAME" or
// "field/NAME", NAME without a separator.
func validName(name string) bool {
	name, _ = strings.CutPrefix(name, "field/")
	return name != "" && !strings.ContainsAny(name, `/\`)
}

// Names returns the names of the built-in scenarios, sorted; the field
// reports are "field/NAME".
func Names() []string {
	files, _ := fs.Glob(builtins, "*.toml")
	field, _ := fs.Glob(builtins, "field/*.toml")
	files = append(files, field...)
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(f, ".toml")
	}
	slices.Sort(names)
	return names
}

// Describe returns the description of the built-in scenario name, or ""
// if there is no such built-in.
func Describe(name string) string {
	data, err := readBuiltin(name)
	if err != nil {
		return ""
	}
	var d struct {
		Description string `toml:"description"`
	}
	_, _ = toml.Decode(string(data), &d)
	return d.Description
}

// Open returns the scenario that arg names: a built-in if arg is one of
// [Names] (a field report's "field/NAME" included);
// otherwise the file at path arg, read with [Load]. If arg is neither, the
// error says so, lists the built-ins and wraps [fs.ErrNotExist].
func Open(arg string) (*model.Config, error) {
	isPath := strings.ContainsAny(arg, "/"+string(filepath.Separator)) || strings.HasSuffix(arg, ".toml")
	if slices.Contains(Names(), arg) {
		// A field report's name, "field/NAME", looks like a path and is
		// a built-in first.
		return Builtin(arg)
	}
	cfg, err := Load(arg)
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		hint := ""
		if base := strings.TrimSuffix(filepath.Base(arg), ".toml"); isPath && slices.Contains(Names(), base) {
			hint = fmt.Sprintf(" (did you mean the built-in %q?)", base)
		}
		return nil, fmt.Errorf("scenario %q is neither a file nor a built-in%s; the built-ins are %s: %w",
			arg, hint, strings.Join(Names(), ", "), fs.ErrNotExist)
	}
	return cfg, err
}

// parser gathers the problems of one scenario.
type parser struct {
	file     string
	loc      *locator
	fsys     fs.FS
	errs     Errors
	reported map[string]bool // key paths with a problem found by the loader
}

// add reports a problem with the key at path, placed where the key (or,
// if it is absent, its table) appears.
func (p *parser) add(path, msg string) {
	at := p.loc.nearest(path)
	p.errs = append(p.errs, &Error{File: p.file, Line: at.Line, Col: at.Col, Key: path, Msg: msg, at: at})
	p.reported[path] = true
}

// result returns the problems in file order.
func (p *parser) result() error {
	p.errs.sort()
	return p.errs
}

// validate adds the problems [model.Config.Validate] finds, skipping keys
// the loader has already reported (an empirical file that could not be
// read is also an empty sample to Validate).
func (p *parser) validate(cfg *model.Config) {
	err := cfg.Validate()
	if err == nil {
		return
	}
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	seen := maps.Clone(p.reported)
	for _, e := range list {
		var fe *model.FieldError
		switch {
		case errors.As(e, &fe) && seen[fe.Path]:
		case errors.As(e, &fe):
			p.add(fe.Path, fe.Msg)
		default:
			p.errs = append(p.errs, &Error{File: p.file, Msg: e.Error()})
		}
	}
}

// syntaxError turns the TOML parser's error into an *Error at its
// position.
func syntaxError(file, src string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		at := offsetPos(src, pe.Position)
		return Errors{{File: file, Line: at.Line, Col: at.Col, Msg: pe.Message, at: at}}
	}
	return Errors{{File: file, Msg: err.Error()}}
}

// offsetPos returns the line and column of a parse error from its byte
// offset; the parser's own line is one too far for an unexpected newline.
func offsetPos(src string, p toml.Position) pos {
	src = strings.TrimPrefix(src, "\ufeff") // offsets count from after it
	if p.Start < 0 || p.Start > len(src) || p.Line < 1 {
		return pos{Line: p.Line, Col: p.Col}
	}
	before := src[:p.Start]
	return pos{Line: strings.Count(before, "\n") + 1, Col: p.Start - strings.LastIndexByte(before, '\n')}
}

// decodeError reports an error of the TOML decoder, at its key if it
// names one.
func (p *parser) decodeError(err error) {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		if len(p.errs) == 0 {
			p.errs = append(p.errs, &Error{File: p.file, Msg: strings.TrimPrefix(err.Error(), "toml: ")})
		}
		return
	}
	if p.reported[pe.LastKey] {
		return
	}
	if _, ok := p.loc.find(pe.LastKey); ok || pe.LastKey == "" {
		p.add(pe.LastKey, pe.Message)
		return
	}
	at := pos{Line: pe.Position.Line, Col: pe.Position.Col}
	p.errs = append(p.errs, &Error{File: p.file, Line: at.Line, Col: at.Col, Key: pe.LastKey, Msg: pe.Message, at: at})
}

// keyPath writes a TOML key as a path (without element indices).
func keyPath(k toml.Key) string {
	path := ""
	for _, part := range k {
		path = join(path, part)
	}
	return path
}

// hasPrefix reports whether key k starts with the keys of prefix.
func hasPrefix(k toml.Key, prefix []string) bool {
	return len(k) >= len(prefix) && slices.Equal(k[:len(prefix)], prefix)
}
