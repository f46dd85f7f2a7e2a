package scenarios

import (
	"sort"
	"strconv"
	"strings"
)

// pos is a 1-based line and byte column; the zero value means unknown.
type pos struct{ Line, Col int }

// locator maps key paths to where they appear in a TOML text.
// BurntSushi/toml keeps key positions private, so the locator scans the
// text itself. It understands just enough TOML to follow keys: comments,
// strings of all four kinds, [table] and [[array]] headers (counting the
// elements of each array of tables), dotted keys, inline tables and
// arrays (counting their elements). It expects valid TOML (it runs after
// the parser has accepted the text) but never panics on any input.
//
// A path is the keys joined by dots, with the index of an element of an
// array of tables or of an inline array after its key, and keys that are
// not bare quoted as TOML quotes them: traffic[1].duration.p99,
// target_group.deregistration_delay, "odd key".x.
type locator struct {
	src   string
	lines []int          // byte offset of the start of each line
	at    map[string]int // path → byte offset of its first appearance
	count map[string]int // array-of-tables path → elements so far
	i     int            // scanner's byte offset
}

// newLocator scans src.
func newLocator(src string) *locator {
	src = strings.TrimPrefix(src, "\ufeff") // as the TOML parser does
	l := &locator{src: src, lines: []int{0}, at: map[string]int{}, count: map[string]int{}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			l.lines = append(l.lines, i+1)
		}
	}
	l.document()
	return l
}

// find returns where path appears, if it does.
func (l *locator) find(path string) (pos, bool) {
	off, ok := l.at[path]
	if !ok {
		return pos{}, false
	}
	line := sort.Search(len(l.lines), func(i int) bool { return l.lines[i] > off })
	return pos{Line: line, Col: off - l.lines[line-1] + 1}, true
}

// nearest returns where path appears or, if it is absent (its value is a
// default), where its nearest enclosing table or array element appears:
// for "fleet.targets" the [fleet] header. The zero pos means none of them
// appears.
func (l *locator) nearest(path string) pos {
	for path != "" {
		if p, ok := l.find(path); ok {
			return p
		}
		path = parent(path)
	}
	return pos{}
}

// parent drops the last key or index of a path: traffic[1].rate →
// traffic[1] → traffic → "".
func parent(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	// Skip back over a quoted last key, which may hold dots.
	end := len(path)
	if strings.HasSuffix(path, `"`) && len(path) >= 2 {
		j := len(path) - 2
		for j >= 0 && !(path[j] == '"' && (j == 0 || path[j-1] == '.')) {
			j--
		}
		if j >= 0 {
			end = j
		}
	}
	if i := strings.LastIndexByte(path[:end], '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// quoteKey writes one key as it appears in a path: bare if it can be,
// else quoted.
func quoteKey(k string) string {
	if k == "" {
		return `""`
	}
	for i := 0; i < len(k); i++ {
		if !isBare(k[i]) {
			return strconv.Quote(k)
		}
	}
	return k
}

// join appends key k to path.
func join(path, k string) string {
	if path == "" {
		return quoteKey(k)
	}
	return path + "." + quoteKey(k)
}

// index appends an element index to path.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (l *locator) record(path string, off int) {
	if _, ok := l.at[path]; !ok {
		l.at[path] = off
	}
}

func (l *locator) eof() bool { return l.i >= len(l.src) }

func (l *locator) peek() byte {
	if l.eof() {
		return 0
	}
	return l.src[l.i]
}

// space skips blanks; with newlines, also line ends and comments.
func (l *locator) space(newlines bool) {
	for !l.eof() {
		switch c := l.src[l.i]; {
		case c == ' ' || c == '\t':
			l.i++
		case newlines && (c == '\n' || c == '\r'):
			l.i++
		case newlines && c == '#':
			l.skipLine()
		default:
			return
		}
	}
}

// skipLine moves to the start of the next line.
func (l *locator) skipLine() {
	if j := strings.IndexByte(l.src[l.i:], '\n'); j >= 0 {
		l.i += j + 1
	} else {
		l.i = len(l.src)
	}
}

// document scans the whole text.
func (l *locator) document() {
	table := "" // path of the current table
	for {
		l.space(true)
		if l.eof() {
			return
		}
		start := l.i
		if l.peek() == '[' {
			table = l.header()
		} else {
			l.keyval(table)
		}
		l.skipLine() // a comment or the newline after the statement
		if l.i == start {
			l.i++ // cannot happen after skipLine, but never loop
		}
	}
}

// header reads a [table] or [[array]] header and returns the path of the
// table it opens.
func (l *locator) header() string {
	l.i++ // [
	array := l.peek() == '['
	if array {
		l.i++
	}
	keys, offs := l.key()
	path := ""
	for n, k := range keys {
		path = join(path, k)
		l.record(path, offs[n])
		if n == len(keys)-1 && array {
			i := l.count[path]
			l.count[path] = i + 1
			path = index(path, i)
			l.record(path, offs[n])
		} else if c := l.count[path]; c > 0 {
			path = index(path, c-1) // inside the latest element
		}
	}
	return path
}

// key reads a possibly dotted key and returns its parts and their
// offsets.
func (l *locator) key() (keys []string, offs []int) {
	for {
		l.space(false)
		off := l.i
		var k string
		switch l.peek() {
		case '"':
			k = unquote(l.basic())
		case '\'':
			s := l.literal()
			k = strings.TrimSuffix(strings.TrimPrefix(s, "'"), "'")
		default:
			for !l.eof() && isBare(l.src[l.i]) {
				l.i++
			}
			k = l.src[off:l.i]
			if k == "" {
				return keys, offs
			}
		}
		keys, offs = append(keys, k), append(offs, off)
		l.space(false)
		if l.peek() != '.' {
			return keys, offs
		}
		l.i++
	}
}

// keyval reads `key = value` in the table at path base.
func (l *locator) keyval(base string) {
	keys, offs := l.key()
	if len(keys) == 0 {
		return
	}
	path := base
	for n, k := range keys {
		path = join(path, k)
		l.record(path, offs[n])
	}
	l.space(false)
	if l.peek() != '=' {
		return
	}
	l.i++
	l.space(false)
	l.value(path)
}

// value reads one value belonging to path.
func (l *locator) value(path string) {
	switch l.peek() {
	case '"':
		l.basic()
	case '\'':
		l.literal()
	case '{':
		l.i++
		for {
			l.space(true)
			switch l.peek() {
			case 0:
				return
			case '}':
				l.i++
				return
			case ',':
				l.i++
			default:
				start := l.i
				l.keyval(path)
				if l.i == start {
					l.i++
				}
			}
		}
	case '[':
		l.i++
		for n := 0; ; {
			l.space(true)
			switch l.peek() {
			case 0:
				return
			case ']':
				l.i++
				return
			case ',':
				l.i++
			default:
				start := l.i
				p := index(path, n)
				l.record(p, start)
				l.value(p)
				n++
				if l.i == start {
					l.i++
				}
			}
		}
	default: // number, boolean or date-time: up to a delimiter
		for !l.eof() && !strings.ContainsRune(",]}#\r\n", rune(l.src[l.i])) {
			l.i++
		}
	}
}

// basic skips a basic string, single- or multi-line, and returns its
// text with the quotes.
func (l *locator) basic() string {
	return l.str(`"`, true)
}

// literal skips a literal string, single- or multi-line, and returns its
// text with the quotes.
func (l *locator) literal() string {
	return l.str(`'`, false)
}

func (l *locator) str(q string, escapes bool) string {
	start := l.i
	multi := strings.HasPrefix(l.src[l.i:], q+q+q)
	if multi {
		l.i += 3
	} else {
		l.i++
	}
	for !l.eof() {
		c := l.src[l.i]
		switch {
		case escapes && c == '\\':
			l.i += 2
		case !multi && c == q[0]:
			l.i++
			return l.src[start:l.i]
		case !multi && c == '\n':
			return l.src[start:l.i] // unterminated
		case multi && strings.HasPrefix(l.src[l.i:], q+q+q):
			l.i += 3
			// Up to two more quotes belong to the content: """a""""".
			for n := 0; n < 2 && l.peek() == q[0]; n++ {
				l.i++
			}
			return l.src[start:l.i]
		default:
			l.i++
		}
	}
	l.i = len(l.src)
	return l.src[start:]
}

// unquote decodes a quoted key; TOML's escapes are nearly Go's. A key
// Go cannot decode is kept as written (it will just not be found).
func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return strings.Trim(s, `"`)
}
