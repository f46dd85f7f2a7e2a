package accesslog

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

// Open opens the log file at path for reading and decompresses it if it
// is gzip, as AWS delivers logs. Gzip is recognised by its magic bytes,
// not by the name. The caller must close the result.
func Open(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, closeFn, err := decompress(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &readCloser{Reader: r, close: func() error { return errors.Join(closeFn(), f.Close()) }}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }

// gzipMagic starts every gzip stream (RFC 1952); no log line does.
var gzipMagic = [2]byte{0x1f, 0x8b}

// decompress returns a buffered reader of r's content, gunzipped if r
// starts with the gzip magic bytes, and the function that releases the
// gzip reader. Concatenated gzip members are read as one stream.
func decompress(r io.Reader) (*bufio.Reader, func() error, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(2)
	if len(magic) < 2 || magic[0] != gzipMagic[0] || magic[1] != gzipMagic[1] {
		return br, func() error { return nil }, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, nil, err
	}
	return bufio.NewReaderSize(zr, 64<<10), zr.Close, nil
}
