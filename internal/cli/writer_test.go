package cli

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// failAfter accepts n writes, then fails; it is not safe for concurrent
// use (CheckedWriter serialises the writes).
type failAfter struct {
	n    int
	got  int
	err  error
	half bool // a short write instead of an error
}

func (f *failAfter) Write(p []byte) (int, error) {
	if f.got >= f.n {
		if f.half {
			return len(p) / 2, nil
		}
		return 0, f.err
	}
	f.got++
	return len(p), nil
}

// Writes from several goroutines (a progress bar, a saver, the main
// goroutine): the first failure is kept and every later write fails with
// it; under the race detector this checks the writer serialises them.
func TestCheckedWriterFirstError(t *testing.T) {
	disk := errors.New("no space left on device")
	w := &CheckedWriter{W: &failAfter{n: 50, err: disk}}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				fmt.Fprintf(w, "goroutine %d line %d\n", g, i)
			}
		}()
	}
	wg.Wait()
	assert.ErrorIs(t, w.Err(), disk)
	assert.Equal(t, 50, w.W.(*failAfter).got, "no write reaches W after the failure")
	_, err := w.Write([]byte("x"))
	assert.ErrorIs(t, err, disk)
}

// A short write without an error is io.ErrShortWrite; a writer that never
// failed has no error.
func TestCheckedWriterShortWrite(t *testing.T) {
	w := &CheckedWriter{W: &failAfter{n: 1, half: true}}
	_, err := w.Write([]byte("ok"))
	assert.NoError(t, err)
	assert.NoError(t, w.Err())
	_, err = w.Write([]byte("four"))
	assert.ErrorIs(t, err, io.ErrShortWrite)
	assert.ErrorIs(t, w.Err(), io.ErrShortWrite)
	assert.Same(t, w.W, w.Unwrap())
}
