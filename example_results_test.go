package drainsim_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/drainsim/drainsim"
)

// The hand-off to Python: write results.csv and results.json as the
// command line would (`drainsim sweep --out DIR`), then, in pandas,
//
//	rows = pd.read_csv("results.csv", comment="#")
//	res = json.load(open("results.json")); rec = res["recommendation"]
//
// Here encoding/csv reads the file back as read_csv would.
func ExampleSweepResult_WriteCSV() {
	s, err := drainsim.Load("payments-api")
	if err != nil {
		panic(err)
	}
	sw, err := s.Sweep(context.Background(), drainsim.SweepOptions{Delays: "0s:20s:10s", Replications: 4})
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "drainsim-results-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	var c, j bytes.Buffer
	if err := sw.WriteCSV(&c); err != nil {
		panic(err)
	}
	if err := sw.WriteJSON(&j); err != nil {
		panic(err)
	}
	for name, b := range map[string][]byte{"results.csv": c.Bytes(), "results.json": j.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			panic(err)
		}
	}

	f, err := os.Open(filepath.Join(dir, "results.csv"))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#' // pd.read_csv(…, comment="#")
	recs, err := r.ReadAll()
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.Join(recs[0][:4], ","), "…", len(recs)-1, "rows")
	fmt.Println(strings.Join(recs[1][:4], ",")) // the sweep's identity on every row: files concatenate

	var res map[string]any // json.load(…)
	if err := json.Unmarshal(j.Bytes(), &res); err != nil {
		panic(err)
	}
	fmt.Println(res["scenario"], res["recommendation"].(map[string]any)["status"])
	// Output:
	// scenario,seed,criterion,delay_s … 3 rows
	// payments-api,1,upper 95% bound of dropped per scale-in ≤ 0.1,0
	// payments-api undecided
}
