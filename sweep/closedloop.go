package sweep

import "github.com/drainsim/drainsim/model"

// ClosedLoopSummary is what the reports measured with a load tool:
// errors per closed-loop client and how long failures went on
// (model.Traffic.Clients; docs/model.md, "Closed-loop clients").
type ClosedLoopSummary struct {
	// Clients is how many closed-loop clients the scenario has, all
	// classes together.
	Clients int `json:"clients"`
	// ErrorsPerClientMean is the mean number of requests a closed-loop
	// client saw fail for good per replication; ErrorsPerClientMax the
	// most any one client saw in a replication.
	ErrorsPerClientMean float64 `json:"errors_per_client_mean"`
	ErrorsPerClientMax  int64   `json:"errors_per_client_max"`
	// FailureWindowSMean is the mean, over the replications with a
	// drop, of the time from the run's first drop to its last (every
	// class; model.Result.FailureWindow), seconds; 0 without a drop.
	// ClientFailureWindowSMean is the mean over the closed-loop clients
	// with an error of their own first-to-last span.
	FailureWindowSMean       float64 `json:"failure_window_s_mean"`
	ClientFailureWindowSMean float64 `json:"client_failure_window_s_mean"`
}

// summarizeClosedLoop returns the closed-loop figures of results, or nil
// if no class has clients.
func summarizeClosedLoop(results []*model.Result) *ClosedLoopSummary {
	if len(results) == 0 {
		return nil
	}
	s := &ClosedLoopSummary{}
	for _, c := range results[0].Classes {
		s.Clients += c.Clients
	}
	if s.Clients == 0 {
		return nil
	}
	var errs, windows, clientWindows float64
	var withDrop, withErr int
	for _, r := range results {
		if w := r.FailureWindow(); w >= 0 {
			windows += w.Seconds()
			withDrop++
		}
		for _, c := range r.Classes {
			for k, e := range c.ClientErrors {
				errs += float64(e)
				s.ErrorsPerClientMax = max(s.ErrorsPerClientMax, e)
				if w := c.ClientFailureWindow(k); w >= 0 {
					clientWindows += w.Seconds()
					withErr++
				}
			}
		}
	}
	s.ErrorsPerClientMean = errs / float64(s.Clients*len(results))
	if withDrop > 0 {
		s.FailureWindowSMean = windows / float64(withDrop)
	}
	if withErr > 0 {
		s.ClientFailureWindowSMean = clientWindows / float64(withErr)
	}
	return s
}
