package sweep

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is a sample mean with its uncertainty.
type Estimate struct {
	// Mean is the sample mean.
	Mean float64
	// SE is the standard error of the mean, s/√n; 0 when n < 2.
	SE float64
	// Low and High bound the 95 % confidence interval of the mean
	// (Student t with n−1 degrees of freedom). With n < 2 the interval
	// is undefined and both equal Mean; Defined reports which.
	Low, High float64
	// N is the sample size.
	N int
}

// Defined reports whether the interval is meaningful (n ≥ 2).
func (e Estimate) Defined() bool { return e.N >= 2 }

// HalfWidth returns half the width of the 95 % interval.
func (e Estimate) HalfWidth() float64 { return (e.High - e.Low) / 2 }

// Mean95 estimates the mean of xs with a two-sided 95 % Student-t interval:
// mean ± t(0.975, n−1)·s/√n. It sums in the order given, so the same
// sample gives the same bits.
func Mean95(xs []float64) Estimate {
	n := len(xs)
	if n == 0 {
		return Estimate{}
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(n)
	e := Estimate{Mean: mean, Low: mean, High: mean, N: n}
	if n < 2 {
		return e
	}
	var ss float64
	for _, x := range xs {
		d := x - mean
		ss += d * d
	}
	sd := math.Sqrt(ss / float64(n-1))
	e.SE = sd / math.Sqrt(float64(n))
	t := TQuantile975(n - 1)
	e.Low, e.High = mean-t*e.SE, mean+t*e.SE
	return e
}

// TQuantile975 returns the 0.975 quantile of Student's t with df degrees
// of freedom (12.706 for df = 1, 1.960 as df → ∞).
func TQuantile975(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// Proportion is an estimated probability with its 95 % interval
// (ClopperPearson95), which stays inside [0, 1].
type Proportion struct {
	P         float64
	Low, High float64
	N         int
}

// Quantile returns the p-quantile of xs by linear interpolation between
// order statistics (type 7, as R and NumPy default). xs is not modified.
func Quantile(xs []float64, p float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	h := p * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return s[n-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}
