package sweep

import (
	"encoding/json"
	"strings"

	"github.com/drainsim/drainsim/model"
)

// Analytic is the closed-form expectation ([model.Config.Estimate]) set
// beside a simulated row or summary.
type Analytic struct {
	// Dropped is the expected dropped per replication and DrainS the
	// expected draining time per removed target, seconds; absent where
	// the formulas do not apply to the scenario.
	Dropped Opt
	DrainS  Opt
	// Note is "does not apply: …" with every reason, or "approximate: …"
	// where the means hold and the drain time is an approximation, or "".
	Note string
}

// AnalyticOf returns the analytic expectation for cfg at its
// deregistration delay. An invalid cfg gives a Note with the error.
func AnalyticOf(cfg *model.Config) Analytic {
	est, err := cfg.Estimate()
	if err != nil {
		return Analytic{Note: "does not apply: " + strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	return analyticOf(&est)
}

func analyticOf(est *model.Estimate) Analytic {
	if !est.Applies() {
		return Analytic{Note: string(model.DoesNotApply) + ": " + est.NotApplicable()}
	}
	var approx []string
	for _, c := range est.Caveats {
		if c.Kind == model.Approximate {
			approx = append(approx, c.Msg)
		}
	}
	a := Analytic{Dropped: Some(est.DroppedMean), DrainS: Some(est.DrainSMean)}
	if len(approx) > 0 {
		a.Note = string(model.Approximate) + ": " + strings.Join(approx, "; ")
	}
	return a
}

// Opt is a figure that may be absent (a closed form that does not apply):
// JSON null when !OK. Unlike a *float64 it survives encoding/gob when it
// is 0.
type Opt struct {
	V  float64
	OK bool
}

// Some returns the figure v.
func Some(v float64) Opt { return Opt{V: v, OK: true} }

// MarshalJSON encodes o as its number, or null.
func (o Opt) MarshalJSON() ([]byte, error) {
	if !o.OK {
		return []byte("null"), nil
	}
	return json.Marshal(o.V)
}

// UnmarshalJSON decodes a number or null.
func (o *Opt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = Opt{}
		return nil
	}
	o.OK = true
	return json.Unmarshal(b, &o.V)
}
