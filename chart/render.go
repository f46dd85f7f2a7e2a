package chart

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/drainsim/drainsim/sweep"
)

// MaxPixels bounds each side of a rendered image.
const MaxPixels = 16384

// Length returns the plot length of px pixels at vgimg.DefaultDPI, the
// resolution plot.Plot.WriterTo renders PNG at: px × 72 / 96 points.
func Length(px int) vg.Length { return vg.Length(px) * vg.Inch / vgimg.DefaultDPI }

// Render draws p into w as a widthPx × heightPx image in format "png" or
// "svg", in memory, through p.WriterTo. A PNG decodes to exactly that
// many pixels; an SVG declares the same size in points (see the package
// documentation). Nothing is written if drawing fails, including when
// gonum/plot panics (for example on a log axis that reaches 0), which is
// returned as an error.
func Render(p *plot.Plot, w io.Writer, widthPx, heightPx int, format string) (err error) {
	if p == nil {
		return errors.New("chart: render: nil plot")
	}
	if format != "png" && format != "svg" {
		return fmt.Errorf("chart: render: format %q: want png or svg", format)
	}
	if widthPx < 1 || widthPx > MaxPixels || heightPx < 1 || heightPx > MaxPixels {
		return fmt.Errorf("chart: render: size %d×%d px: each side must be 1–%d", widthPx, heightPx, MaxPixels)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart: render %s: %v", format, r)
		}
	}()
	wt, err := p.WriterTo(Length(widthPx), Length(heightPx), format)
	if err != nil {
		return fmt.Errorf("chart: render %s: %w", format, err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return fmt.Errorf("chart: render %s: %w", format, err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// File names WriteFiles writes, without extension.
const (
	DropsFile = "drops_vs_delay"
	CostFile  = "cost_vs_delay"
	DrainFile = "drain_vs_delay"
)

// WriteFiles draws the three charts of a sweep and writes them to dir
// (created if missing) as drops_vs_delay.png, cost_vs_delay.png and
// drain_vs_delay.png, plus the .svg of each if svg is set, at o's size.
// Every image is drawn before any file is written, and each file is
// written to a temporary file in dir and renamed into place, so a file
// of that name is never half-written; an existing file is replaced. It
// returns the paths written, sorted; on error, files already renamed into
// place stay and no temporary file is left behind.
func WriteFiles(dir string, rows []sweep.Row, m Marks, o Options, svg bool) ([]string, error) {
	drops, err := DropsVsDelay(rows, m, o)
	if err != nil {
		return nil, err
	}
	cost, err := CostVsDelay(rows, m, o)
	if err != nil {
		return nil, err
	}
	drain, err := DrainVsDelay(rows, o)
	if err != nil {
		return nil, err
	}
	formats := []string{"png"}
	if svg {
		formats = append(formats, "svg")
	}
	w, h := o.size()
	files := map[string][]byte{}
	for _, c := range []struct {
		name string
		p    *plot.Plot
	}{{DropsFile, drops}, {CostFile, cost}, {DrainFile, drain}} {
		for _, f := range formats {
			var buf bytes.Buffer
			if err := Render(c.p, &buf, w, h, f); err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
			files[filepath.Join(dir, c.name+"."+f)] = buf.Bytes()
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	paths := slices.Sorted(maps.Keys(files))
	for _, path := range paths {
		if err := writeAtomic(path, files[path]); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// writeAtomic writes data to a temporary file beside path, then renames
// it to path; on error it removes the temporary file.
func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("chart: write %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("chart: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("chart: write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("chart: write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("chart: write %s: %w", path, err)
	}
	return nil
}

// RenderStack draws plots one above the other into w as a single
// widthPx × heightPx image in format "png" or "svg", their data areas
// aligned so that they share the x axis; heights gives each plot's share
// of the height (nil: equal shares; otherwise one positive weight per
// plot). Errors and size limits are Render's.
func RenderStack(plots []*plot.Plot, heights []float64, w io.Writer, widthPx, heightPx int, format string) (err error) {
	if len(plots) == 0 || slices.Contains(plots, nil) {
		return errors.New("chart: render: nil plot")
	}
	if heights != nil && (len(heights) != len(plots) || slices.ContainsFunc(heights, func(h float64) bool { return !(h > 0) })) {
		return fmt.Errorf("chart: render: heights %v: want one positive weight per plot", heights)
	}
	if format != "png" && format != "svg" {
		return fmt.Errorf("chart: render: format %q: want png or svg", format)
	}
	if widthPx < 1 || widthPx > MaxPixels || heightPx < 1 || heightPx > MaxPixels {
		return fmt.Errorf("chart: render: size %d×%d px: each side must be 1–%d", widthPx, heightPx, MaxPixels)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart: render %s: %v", format, r)
		}
	}()
	W, H := Length(widthPx), Length(heightPx)
	var c vg.CanvasWriterTo
	if format == "png" {
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(W, H), vgimg.UseDPI(vgimg.DefaultDPI))}
	} else {
		c = vgsvg.New(W, H)
	}
	dc := draw.New(c)
	total := 0.0
	for i := range plots {
		total += weight(heights, i)
	}
	// Stack from the top; each plot gets its share, then their data areas
	// are aligned on the widest left axis.
	top := dc.Max.Y
	areas := make([]draw.Canvas, len(plots))
	for i := range plots {
		h := vg.Length(weight(heights, i)/total) * (dc.Max.Y - dc.Min.Y)
		areas[i] = draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: dc.Min.X, Y: top - h}, Max: vg.Point{X: dc.Max.X, Y: top}}}
		top -= h
	}
	left := vg.Length(0)
	for i, p := range plots {
		da := p.DataCanvas(areas[i])
		left = max(left, da.Min.X-areas[i].Min.X)
	}
	for i, p := range plots {
		da := p.DataCanvas(areas[i])
		if pad := left - (da.Min.X - areas[i].Min.X); pad > 0 {
			areas[i].Min.X += pad
		}
		p.Draw(areas[i])
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return fmt.Errorf("chart: render %s: %w", format, err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// weight returns heights[i], or 1 for nil heights.
func weight(heights []float64, i int) float64 {
	if heights == nil {
		return 1
	}
	return heights[i]
}
