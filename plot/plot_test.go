package plot_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drainsim/drainsim"
	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/plot"
)

// small is the root package's quick test scenario (../testdata/small.toml):
// 2 targets, 20 requests/s with a lognormal tail, one target removed after
// two minutes, and a [sweep] table.
var small = func() string {
	b, err := os.ReadFile("../testdata/small.toml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

func load(t *testing.T) *drainsim.Scenario {
	t.Helper()
	s, err := drainsim.Parse("small.toml", []byte(small))
	require.NoError(t, err)
	return s
}

// LogY changes the drops chart: the same sweep drawn on a log axis is a
// different image.
func TestLogY(t *testing.T) {
	t.Parallel()
	sw, err := load(t).Sweep(context.Background(), drainsim.SweepOptions{Replications: 3})
	require.NoError(t, err)
	lin, err := plot.Drops(sw, plot.Options{Format: "svg"})
	require.NoError(t, err)
	log, err := plot.Drops(sw, plot.Options{Format: "svg", LogY: true})
	require.NoError(t, err)
	assert.NotEqual(t, lin, log)
}

func TestPlots(t *testing.T) {
	t.Parallel()
	s := load(t)
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Replications: 3})
	require.NoError(t, err)
	for name, draw := range map[string]func(*drainsim.SweepResult, plot.Options) ([]byte, error){
		"drops": plot.Drops, "cost": plot.Cost, "drain": plot.Drain,
	} {
		t.Run(name, func(t *testing.T) {
			b, err := draw(sw, plot.Options{})
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(b))
			require.NoError(t, err)
			assert.Equal(t, 800, img.Bounds().Dx())
			assert.Equal(t, 500, img.Bounds().Dy())
			assertNotBlank(t, b)

			b, err = draw(sw, plot.Options{Width: 320, Height: 200, LogY: true, Title: "custom"})
			require.NoError(t, err)
			img, err = png.Decode(bytes.NewReader(b))
			require.NoError(t, err)
			assert.Equal(t, 320, img.Bounds().Dx())
			assert.Equal(t, 200, img.Bounds().Dy())

			b, err = draw(sw, plot.Options{Format: "svg"})
			require.NoError(t, err)
			assert.True(t, bytes.HasPrefix(b, []byte("<?xml")), "SVG")
			assert.Contains(t, string(b), "small: ", "titled with the scenario's name")
			b, err = draw(sw, plot.Options{Format: "svg", Title: "custom"})
			require.NoError(t, err)
			assert.Contains(t, string(b), "custom: ", "Title replaces the scenario's name")
			assert.NotContains(t, string(b), "small: ")

			b, err = draw(sw, plot.Options{Format: "PNG", Width: 100, Height: 80})
			require.NoError(t, err, "the format in capitals")
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			require.NoError(t, err)
			assert.Equal(t, 100, cfg.Width)

			_, err = draw(sw, plot.Options{Format: "gif"})
			assert.ErrorContains(t, err, `option Format: must be png or svg (got "gif")`)
			_, err = draw(sw, plot.Options{Width: -1})
			assert.ErrorContains(t, err, "size")
		})
	}
	var empty drainsim.SweepResult
	_, err = plot.Drops(&empty, plot.Options{})
	assert.ErrorContains(t, err, "empty sweep result")
}

func assertNotBlank(t *testing.T, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	colours := map[[4]uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 3 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 3 {
			r, g, b, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, b, a}] = true
		}
	}
	assert.Greater(t, len(colours), 10, "not blank")
}

func TestMetricsAndRender(t *testing.T) {
	t.Parallel()
	s := load(t)
	m, err := s.Metrics(0, 10*time.Second)
	require.NoError(t, err)
	assert.Equal(t, 10*time.Second, m.Period)
	assert.Equal(t, []int{0}, m.Removed)
	p, err := plot.Timeline(m, s.Config, metrics.TimelineOptions{})
	require.NoError(t, err)
	b, err := plot.Render(p, plot.Options{Width: 400, Height: 300})
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, 400, img.Bounds().Dx())
	assertNotBlank(t, b)

	_, err = s.Metrics(0, -time.Second)
	assert.ErrorContains(t, err, "negative")
}
