package report

import (
	"bytes"
	"encoding/json"
	"io"
)

// WriteJSON writes v to w as JSON indented by two spaces, followed by a
// newline. Struct fields appear in declaration order and map keys sorted,
// with encoding/json's formatting of numbers; HTML characters such as <
// and & are not escaped. Nothing is written if v cannot be encoded (for
// example a NaN float); otherwise the output is written with a single call
// to w.Write and its error is returned.
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode adds the newline.
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
