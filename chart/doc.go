// Package chart draws the results of a deregistration-delay sweep with
// gonum/plot: dropped requests, cost and draining time against the delay.
//
// Each chart has two layers. The data layer ([DropsSeries], [CostSeries],
// [DrainSeries]) turns []sweep.Row into [Series]: plain slices that tests
// and notebooks can check or plot themselves. The drawing layer
// ([DropsVsDelay], [CostVsDelay], [DrainVsDelay]) builds a *plot.Plot from
// those series, with titles, axis labels with units, shaded 95 % bands,
// dashed reference lines ([Marks]) and a legend kept to the right of the
// data so that it never hides a curve. [Options].LogY puts dropped
// requests and cost on a log axis, zeros drawn at a stated floor.
//
// [Render] writes a plot as PNG or SVG of an exact pixel size, in memory,
// through plot.Plot.WriterTo; [WriteFiles] writes the three charts to a
// directory, each file atomically (a temporary file renamed into place).
//
// Pixel sizes map to plot lengths at vgimg.DefaultDPI (96 dots per inch),
// so an 800×500 px PNG is 600×375 pt and text set at 12 pt is 16 px high.
// An SVG of the same size declares 600×375 pt, which browsers show at
// 800×500 CSS pixels.
//
// The package draws; it never prints, and writes only where it is told.
package chart
