package plot_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/drainsim/drainsim"
	"github.com/drainsim/drainsim/chart"
	"github.com/drainsim/drainsim/metrics"
	"github.com/drainsim/drainsim/plot"
	"github.com/drainsim/drainsim/scenarios"
)

func ExampleDrops() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s:8s:4s", Replications: 4})
	if err != nil {
		panic(err)
	}
	b, err := plot.Drops(sw, plot.Options{Width: 640, Height: 400, LogY: true})
	if err != nil {
		panic(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		panic(err)
	}
	fmt.Println(img.Bounds().Dx(), "×", img.Bounds().Dy())
	// Output:
	// 640 × 400
}

func ExampleCost() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s:8s:4s", Replications: 4, DropCost: 0.5})
	if err != nil {
		panic(err)
	}
	b, err := plot.Cost(sw, plot.Options{Format: "svg"})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(string(b), "<?xml"), strings.Contains(string(b), "payments-api"))
	// Output:
	// true true
}

func ExampleDrain() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s:8s:4s", Replications: 4})
	if err != nil {
		panic(err)
	}
	b, err := plot.Drain(sw, plot.Options{})
	if err != nil {
		panic(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Width, "×", cfg.Height)
	// Output:
	// 800 × 500
}

// Render turns any plot into bytes: here, the timeline of a scale-in.
func ExampleRender() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	s.Config.TargetGroup.DeregistrationDelay = 2 * time.Second
	m, err := s.Metrics(0, 10*time.Second)
	if err != nil {
		panic(err)
	}
	p, err := plot.Timeline(m, s.Config, metrics.TimelineOptions{})
	if err != nil {
		panic(err)
	}
	b, err := plot.Render(p, plot.Options{Width: 1000, Height: 400})
	if err != nil {
		panic(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Width, "×", cfg.Height) // in a notebook: gonbui.DisplayPng(b)
	// Output:
	// 1000 × 400
}

// A timeline of a scale-in at 10 s resolution, rendered in memory as a
// notebook would.
func ExampleTimeline() {
	cfg, err := scenarios.Builtin("payments-api")
	if err != nil {
		panic(err)
	}
	cfg.TargetGroup.DeregistrationDelay = 3 * time.Second
	s, _, err := metrics.Record(cfg, 0, 10*time.Second)
	if err != nil {
		panic(err)
	}
	p, err := plot.Timeline(s, cfg, metrics.TimelineOptions{})
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := chart.Render(p, &buf, 800, 500, "png"); err != nil {
		panic(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Title.Text)
	fmt.Println("periods:", s.Len(), "image:", img.Bounds().Dx(), "×", img.Bounds().Dy())
	// Output:
	// payments-api: in flight per target and ELB 5xx per period
	// periods: 11 image: 800 × 500
}
