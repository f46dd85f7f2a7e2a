package chart_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim/sweep"
)

// handRows is a small sweep made by hand, given out of delay order: two
// traffic classes, drops by delay_expired everywhere and by killed at one
// delay, never by no_target; the interval at 60 s reaches below 0.
func handRows() []sweep.Row {
	row := func(delay, dropped, lo, hi, expired, killed, api, ws float64) sweep.Row {
		return sweep.Row{
			DelayS: delay, Replications: 5,
			DroppedMean: dropped, DroppedCI95: [2]float64{lo, hi},
			DroppedByCause:     map[string]float64{"delay_expired": expired, "killed": killed, "no_target": 0},
			DroppedByCauseCI95: map[string][2]float64{"delay_expired": {expired - 1, expired + 1}, "killed": {killed - 1, killed + 1}, "no_target": {0, 0}},
			DroppedByClass: []sweep.ClassDrops{
				{Name: "api", Kind: "request", DroppedMean: api, DroppedCI95: [2]float64{api / 2, api * 2}},
				{Name: "ws", Kind: "connection", DroppedMean: ws, DroppedCI95: [2]float64{ws / 2, ws * 2}},
			},
			DrainSMean: min(delay, 40), DrainSP95: min(delay, 55),
			ScaleInSMean: min(delay, 40) + 5, ScaleInSP95: min(delay, 55) + 8,
			InstanceCostUSDMean: delay / 1000, DropCostUSDMean: dropped / 100,
			TotalCostUSDMean: delay/1000 + dropped/100, TotalCostUSDCI95: [2]float64{delay/1000 + lo/100, delay/1000 + hi/100},
		}
	}
	return []sweep.Row{
		row(30, 4, 2, 6, 3, 1, 3, 1),
		row(0, 80, 70, 90, 80, 0, 60, 20),
		row(60, 0.5, -0.3, 1.3, 0.5, 0, 0.5, 0),
		row(120, 0, 0, 0, 0, 0, 0, 0),
	}
}

// zeroRows is a sweep in which nothing is dropped and nothing costs.
func zeroRows() []sweep.Row {
	return []sweep.Row{{DelayS: 0}, {DelayS: 10}, {DelayS: 20}}
}

// decodePNG decodes b, failing the test if it is not a PNG.
func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err, "decode PNG")
	return img
}

// inkStats returns how many distinct colours img has and the share of its
// pixels that are not white.
func inkStats(img image.Image) (colours int, ink float64) {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	n := 0
	if rgba, ok := img.(*image.RGBA); ok {
		// What png.Decode gives for an opaque chart: read the pixels
		// directly rather than through At, which allocates a color per
		// pixel (seconds per chart under the race detector).
		// A run of one colour is added to the set once.
		var last color.RGBA
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := rgba.Pix[rgba.PixOffset(b.Min.X, y):rgba.PixOffset(b.Max.X, y)]
			for i := 0; i < len(row); i += 4 {
				c := color.RGBA{row[i], row[i+1], row[i+2], row[i+3]}
				if c != last || len(seen) == 0 {
					seen[c], last = true, c
				}
				if c != (color.RGBA{255, 255, 255, 255}) {
					n++
				}
			}
		}
		return len(seen), float64(n) / float64(b.Dx()*b.Dy())
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			seen[c] = true
			if c != (color.RGBA{255, 255, 255, 255}) {
				n++
			}
		}
	}
	return len(seen), float64(n) / float64(b.Dx()*b.Dy())
}
