package scenarios

import (
	"fmt"

	"github.com/drainsim/drainsim/model"
)

// rateFiles reads each class's rate_file into its profile
// (model.ParseRateCSV).
func (p *parser) rateFiles(cfg *model.Config) {
	for i := range cfg.Traffic {
		t := &cfg.Traffic[i]
		if t.RateFile == "" {
			continue
		}
		path := fmt.Sprintf("traffic[%d].rate_file", i)
		if len(t.Profile) > 0 {
			p.add(path, "set either rate_file or [[traffic.profile]] points, not both")
			continue
		}
		data, shown, ok := p.readFile(path, t.RateFile, MaxSamplesBytes)
		if !ok {
			continue
		}
		pts, err := model.ParseRateCSV(shown, data)
		if err != nil {
			p.add(path, err.Error())
			continue
		}
		t.Profile = pts
	}
}
