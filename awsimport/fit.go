package awsimport

import (
	"errors"
	"fmt"
	"math"
)

// Standard normal quantiles of the percentiles CloudWatch is asked for.
var fitLevels = [3]float64{0.50, 0.90, 0.99}

// fitZ holds Φ⁻¹ of fitLevels.
var fitZ = [3]float64{0, 1.2815515655446004, 2.3263478740408408}

// Fit is a lognormal fitted to three percentiles of TargetResponseTime.
type Fit struct {
	// Observed are the p50, p90 and p99 read, in seconds.
	Observed [3]float64
	// Mu and Sigma are the parameters of ln(duration in seconds).
	Mu, Sigma float64
}

// FitQuantiles fits ln q = μ + σ·z by least squares to the p50, p90 and
// p99 (in seconds) of a duration: three points, two parameters, so the
// residuals say how lognormal the durations are.
func FitQuantiles(p50, p90, p99 float64) (*Fit, error) {
	q := [3]float64{p50, p90, p99}
	for i, v := range q {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("TargetResponseTime p%.0f = %g s: cannot fit a lognormal to it", fitLevels[i]*100, v)
		}
	}
	var zbar, ybar float64
	for i := range q {
		zbar += fitZ[i] / 3
		ybar += math.Log(q[i]) / 3
	}
	var szy, szz float64
	for i := range q {
		szy += (fitZ[i] - zbar) * (math.Log(q[i]) - ybar)
		szz += (fitZ[i] - zbar) * (fitZ[i] - zbar)
	}
	sigma := szy / szz
	if !(sigma > 0) {
		return nil, errors.New("TargetResponseTime p50, p90 and p99 do not increase: cannot fit a lognormal")
	}
	return &Fit{Observed: q, Mu: ybar - sigma*zbar, Sigma: sigma}, nil
}

// Quantile is the fitted law's p-quantile for p one of 0.5, 0.9, 0.99
// (other levels: the median).
func (f *Fit) Quantile(p float64) float64 {
	for i, l := range fitLevels {
		if l == p {
			return math.Exp(f.Mu + f.Sigma*fitZ[i])
		}
	}
	return f.Median()
}

// Median is e^μ.
func (f *Fit) Median() float64 { return math.Exp(f.Mu) }

// Errors are the relative errors fitted/observed − 1 at p50, p90, p99.
func (f *Fit) Errors() [3]float64 {
	var e [3]float64
	for i, l := range fitLevels {
		e[i] = f.Quantile(l)/f.Observed[i] - 1
	}
	return e
}

// MaxError is the largest |relative error| of the fit: the quality shown.
func (f *Fit) MaxError() float64 {
	m := 0.0
	for _, e := range f.Errors() {
		m = max(m, math.Abs(e))
	}
	return m
}
