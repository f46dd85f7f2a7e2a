package drainsim_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noRacePackages returns the Makefile's NORACE list: the packages make test
// runs without the race detector.
func noRacePackages(t *testing.T) []string {
	t.Helper()
	return strings.Fields(makeVar(t, "NORACE"))
}

// goStatements returns the positions of the go statements, and of the
// uses of sync's locks, wait groups and conditions and of sync/atomic, in
// the non-test Go files of dir: code that starts goroutines or is written
// to be shared between them. sync.Once and its OnceFunc, OnceValue and
// OnceValues are allowed (a lazily computed, then read-only value).
func goStatements(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	fset, files := parseDir(t, dir, false)
	for _, file := range files {
		found = append(found, goStmts(fset, file)...)
	}
	return found
}

// parseDir parses the Go files of dir: the _test.go files if tests, else
// the others.
func parseDir(t *testing.T, dir string, tests bool) (*token.FileSet, []*ast.File) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") != tests {
			continue
		}
		file, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		files = append(files, file)
	}
	return fset, files
}

func goStmts(fset *token.FileSet, file *ast.File) []string {
	var found []string
	// The names sync, time and context are imported as.
	var syncName, timeName, contextName string
	for _, imp := range file.Imports {
		path := strings.Trim(imp.Path.Value, `"`)
		name := path
		if imp.Name != nil {
			name = imp.Name.Name
		}
		switch path {
		case "sync/atomic":
			found = append(found, fset.Position(imp.Pos()).String()+" (sync/atomic)")
		case "sync":
			syncName = name
		case "time":
			timeName = name
		case "context":
			contextName = name
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			found = append(found, fset.Position(n.Pos()).String())
		case *ast.SelectorExpr:
			x, ok := n.X.(*ast.Ident)
			if !ok {
				break
			}
			switch {
			case syncName != "" && x.Name == syncName:
				switch n.Sel.Name {
				case "Once", "OnceFunc", "OnceValue", "OnceValues":
				default:
					found = append(found, fset.Position(n.Pos()).String()+" ("+syncName+"."+n.Sel.Name+")")
				}
			case n.Sel.Name == "AfterFunc" && (timeName != "" && x.Name == timeName || contextName != "" && x.Name == contextName):
				// Their function runs on a goroutine of its own.
				found = append(found, fset.Position(n.Pos()).String()+" ("+x.Name+".AfterFunc)")
			}
		}
		return true
	})
	return found
}

// make test runs the NORACE packages without the race detector because
// their non-test code starts no goroutine (the Makefile's comment): this
// fails when one of them gains a go statement, so that the choice cannot go
// stale silently. Move such a package out of NORACE.
func TestNoRacePackagesStartNoGoroutines(t *testing.T) {
	t.Parallel()
	pkgs := noRacePackages(t)
	require.NotEmpty(t, pkgs)
	for _, p := range pkgs {
		matches, err := filepath.Glob(filepath.Join(p, "*.go"))
		require.NoError(t, err)
		require.NotEmpty(t, matches, "NORACE names %s, which has no Go files", p)
		assert.Empty(t, goStatements(t, p), "package %s starts goroutines or shares state between them: take it out of the Makefile's NORACE (make test must race-test it), or move that code to a race-tested package (as internal/cli is for cmd/drainsim)", p)
	}
}

// The check itself finds go statements, in a function literal too.
func TestGoStatementsFound(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	src := "package p\nfunc f() {\n\tgo f()\n\tx := func() { go func() {}() }\n\t_ = x\n}\n"
	file, err := parser.ParseFile(fset, "p.go", src, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"p.go:3:2", "p.go:4:16"}, goStmts(fset, file))

	// Locks, wait groups, conditions, atomics and AfterFuncs are found
	// too; sync.Once and its functions are not.
	src = "package p\nimport (\n\ts \"sync\"\n\t\"sync/atomic\"\n\t\"time\"\n\tc \"context\"\n)\n" +
		"var mu s.Mutex\nvar rw s.RWMutex\nvar wg s.WaitGroup\nvar cond = s.NewCond(&mu)\nvar n atomic.Int64\n" +
		"var once s.Once\nvar f = s.OnceFunc(func() {})\nvar v = s.OnceValue(func() int { return 1 })\nvar vs = s.OnceValues(func() (int, error) { return 1, nil })\n" +
		"var t = time.AfterFunc(time.Second, func() {})\nvar stop = c.AfterFunc(c.Background(), func() {})\nvar d = time.Second\n"
	file, err = parser.ParseFile(fset, "q.go", src, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"q.go:4:2 (sync/atomic)", "q.go:8:8 (s.Mutex)", "q.go:9:8 (s.RWMutex)", "q.go:10:8 (s.WaitGroup)",
		"q.go:11:12 (s.NewCond)", "q.go:17:9 (time.AfterFunc)", "q.go:18:12 (c.AfterFunc)"}, goStmts(fset, file))
}

// makeVar returns the value of the Makefile's `NAME := value` line.
func makeVar(t *testing.T, name string) string {
	t.Helper()
	mk, err := os.ReadFile("Makefile")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^` + name + `\s*:=(.*)$`).FindSubmatch(mk)
	require.NotNil(t, m, "the Makefile has no %s := line", name)
	return strings.TrimSpace(string(m[1]))
}

// testFuncs returns the names of the Test and Example functions in the
// _test.go files of dir.
func testFuncs(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	_, files := parseDir(t, dir, true)
	for _, file := range files {
		for _, d := range file.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil &&
				(strings.HasPrefix(fn.Name.Name, "Test") || strings.HasPrefix(fn.Name.Name, "Example")) {
				names = append(names, fn.Name.Name)
			}
		}
	}
	return names
}

// make test skips the SLOW tests in its race run and runs them in SLOWPKGS
// only (TestHAProxy apart, which runs on its own): a SLOW test in a
// race-tested package that SLOWPKGS lacks would never run. This fails on
// one, and on a SLOW alternative that names no test of a race-tested
// package (a stale entry).
func TestSlowTestsRun(t *testing.T) {
	t.Parallel()
	slow := makeVar(t, "SLOW")
	require.True(t, strings.HasSuffix(slow, "$$"), "SLOW ends in $$ (make's $)")
	re, err := regexp.Compile(strings.TrimSuffix(slow, "$$") + "$")
	require.NoError(t, err)
	inRun := map[string]bool{}
	for _, p := range strings.Fields(makeVar(t, "SLOWPKGS")) {
		inRun[filepath.Clean(p)] = true
	}
	noRace := map[string]bool{}
	for _, p := range noRacePackages(t) {
		noRace[p] = true
	}
	alts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(slow, "$$"), "^("), ")"), "|")
	used := map[string]bool{}
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if noRace[filepath.ToSlash(path)] {
			return nil // every test runs, without -race
		}
		for _, name := range testFuncs(t, path) {
			if !re.MatchString(name) {
				continue
			}
			for _, a := range alts {
				if regexp.MustCompile("^(" + a + ")$").MatchString(name) {
					used[a] = true
				}
			}
			if name == "TestHAProxy" && filepath.ToSlash(path) == "validation/haproxy" {
				continue
			}
			assert.True(t, inRun[path], "%s (%s) is in the Makefile's SLOW but %s is not in SLOWPKGS: it would never run", name, path, path)
		}
		return nil
	})
	require.NoError(t, err)
	for _, a := range alts {
		assert.True(t, used[a], "SLOW names %s, which matches no test of a race-tested package", a)
	}
}
