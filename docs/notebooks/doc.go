// Package notebooks holds drainsim's Jupyter notebooks (GoNB, the Go
// kernel) and the test that runs them.
//
// The test reads each notebook's code cells as GoNB would: shell lines
// ("!…") and magics ("%…") are left out, declarations (imports, functions,
// types, variables) are shared by all cells, and a cell that starts with
// "%%" is the body of a main function. It writes them as one Go program in
// a fresh module in a temporary directory, as GoNB does (a replace
// directive to the checkout, then go mod tidy, which must not raise the
// go line above the library's), with the imports hoisted, one function per
// "%%" cell, and github.com/janpfeifer/gonb/gonbui replaced by a stand-in
// that checks what would be displayed (a PNG must decode to a non-empty
// image). It builds the program against the checkout's code and
// runs each "%%" cell in a process of its own, as GoNB does, from this
// directory, and fails if any cell fails. So the notebooks cannot rot
// unnoticed.
package notebooks
