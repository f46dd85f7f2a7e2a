// Package pngcheck smoke-tests a rendered chart: it decodes, has the size
// asked for and is not blank. Tests never compare PNG bytes (fonts and
// rasterisation differ across machines); they check the data behind a
// plot and use this for the image itself.
package pngcheck

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
)

// Check decodes data as PNG and reports an error unless it is w × h
// pixels, uses more than 20 colours and has dark pixels (text and lines),
// sampling every other pixel in each direction.
func Check(data []byte, w, h int) (image.Image, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	b := img.Bounds()
	if b.Dx() != w || b.Dy() != h {
		return img, fmt.Errorf("size %d×%d, want %d×%d", b.Dx(), b.Dy(), w, h)
	}
	colours := map[[4]uint32]bool{}
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
			if r+g+bl < 3*0x8000 {
				dark++
			}
		}
	}
	if len(colours) <= 20 {
		return img, fmt.Errorf("blank: %d colours", len(colours))
	}
	if dark == 0 {
		return img, fmt.Errorf("no dark pixels: no text or lines drawn")
	}
	return img, nil
}
