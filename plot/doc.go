// Package plot draws drainsim's results as images: the charts of a
// sweep ([Drops], [Cost], [Drain]) and the CloudWatch-style timeline of
// one replication ([Timeline], [TimelinePanels]), returned as PNG or SVG
// bytes ([Render]) ready for a notebook's display function or a file.
//
// It is a package of its own so that a program that only simulates and
// sweeps (package github.com/drainsim/drainsim) does not compile in
// gonum.org/v1/plot and its fonts: import it only where you draw.
//
//	sw, err := s.Sweep(ctx, drainsim.SweepOptions{Delays: "0s:60s:5s"})
//	png, err := plot.Drops(sw, plot.Options{LogY: true})
//	gonbui.DisplayPng(png) // GoNB; or os.WriteFile("drops.png", png, 0o644)
//
// Inside this package gonum's plot package is imported as gplot; a
// program that imports both names one of them.
package plot
