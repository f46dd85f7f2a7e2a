// Package cli holds the parts of the drainsim command (cmd/drainsim) that
// run concurrently: the store of a sweep's finished cells, which the
// sweep's workers add to while a goroutine of its own saves it (Store);
// the handling of Ctrl-C, which a goroutine watches for (HandleSignals,
// OnExit); and the writer that remembers its first error, which a
// progress bar and the main goroutine share (CheckedWriter).
//
// They live apart from cmd/drainsim so that make test can run them under
// the race detector without race-compiling what the command links besides
// (the AWS SDK's clients for drainsim import, gonum/plot for the charts):
// cmd/drainsim's non-test code starts no goroutine and holds no lock of
// its own, and its tests run without -race (the Makefile's NORACE,
// docs/performance.md, "make test cold").
package cli
