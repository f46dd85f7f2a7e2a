package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/drainsim/drainsim/model"
)

// PartFormat names the format [WritePart] writes; [ReadPart] refuses any
// other.
const PartFormat = "drainsim-part/2"

// contentKey is the last key of a part file: the hex SHA-256 of every
// byte of the file before it (from the opening brace to the closing
// bracket of the cells), which [ReadPart] checks.
const contentKey = `,
  "content_sha256": "`

// Identity is what makes two sweeps the same sweep: the cells of one may
// stand in for the cells of the other. A checkpoint or a part file
// records it, and a resumed sweep or a merge refuses cells of another.
type Identity struct {
	// Scenario is the scenario's name.
	Scenario string
	// ConfigSHA256 is the hex SHA-256 of the effective configuration (as
	// the sweep runs it, after flags such as --seed) encoded by
	// encoding/json: any change to the scenario changes it.
	ConfigSHA256 string
	// Delays is the grid, in increasing order.
	Delays []time.Duration
	// Replications is the number of replications per delay.
	Replications int
	// Seed is the scenario's seed (also part of the configuration).
	Seed uint64
	// DropCost and MaxDropped are the criteria of the recommendation.
	DropCost   float64
	MaxDropped float64
}

// NewIdentity returns the identity of the sweep of cfg over delays ×
// reps with criteria c.
func NewIdentity(cfg *model.Config, delays []time.Duration, reps int, c Criteria) (Identity, error) {
	h, err := ConfigHash(cfg)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Scenario: cfg.Name, ConfigSHA256: h, Delays: slices.Clone(delays), Replications: reps,
		Seed: cfg.Seed, DropCost: c.DropCost, MaxDropped: c.MaxDropped}, nil
}

// ConfigHash returns the hex SHA-256 of cfg encoded by encoding/json.
func ConfigHash(cfg *model.Config) (string, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", fmt.Errorf("encode configuration: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// identityJSON is the file form of an Identity.
type identityJSON struct {
	Scenario     string    `json:"scenario"`
	ConfigSHA256 string    `json:"config_sha256"`
	DelaysS      []float64 `json:"delays_s"`
	Replications int       `json:"replications"`
	Seed         uint64    `json:"seed"`
	DropCost     float64   `json:"drop_cost"`
	MaxDropped   float64   `json:"max_dropped"`
}

func (id Identity) file() identityJSON {
	f := identityJSON{Scenario: id.Scenario, ConfigSHA256: id.ConfigSHA256, DelaysS: make([]float64, len(id.Delays)),
		Replications: id.Replications, Seed: id.Seed, DropCost: id.DropCost, MaxDropped: id.MaxDropped}
	for i, d := range id.Delays {
		f.DelaysS[i] = d.Seconds()
	}
	return f
}

func (f identityJSON) identity() Identity {
	id := Identity{Scenario: f.Scenario, ConfigSHA256: f.ConfigSHA256, Delays: make([]time.Duration, len(f.DelaysS)),
		Replications: f.Replications, Seed: f.Seed, DropCost: f.DropCost, MaxDropped: f.MaxDropped}
	for i, s := range f.DelaysS {
		id.Delays[i] = seconds(s)
	}
	return id
}

// seconds converts seconds back to a duration: exact for the output of
// Duration.Seconds below 2⁵³ ns (104 days).
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

// ID returns the hex SHA-256 of the identity's canonical JSON encoding:
// equal identities have equal IDs.
func (id Identity) ID() string {
	b, err := json.Marshal(id.file())
	if err != nil {
		panic("sweep: " + err.Error()) // only finite numbers and strings
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Diff describes how o differs from id, one phrase per field ("seed 3,
// not 4"), reading id as the expected value; nil if they are equal.
func (id Identity) Diff(o Identity) []string {
	var out []string
	if id.Scenario != o.Scenario {
		out = append(out, fmt.Sprintf("scenario %q, not %q", o.Scenario, id.Scenario))
	}
	if id.ConfigSHA256 != o.ConfigSHA256 && id.Scenario == o.Scenario {
		out = append(out, fmt.Sprintf("a different configuration of the scenario (sha256 %.12s…, not %.12s…)", o.ConfigSHA256, id.ConfigSHA256))
	}
	if !slices.Equal(id.Delays, o.Delays) {
		out = append(out, fmt.Sprintf("delays %s, not %s", gridText(o.Delays), gridText(id.Delays)))
	}
	if id.Replications != o.Replications {
		out = append(out, fmt.Sprintf("%d replications, not %d", o.Replications, id.Replications))
	}
	if id.Seed != o.Seed {
		out = append(out, fmt.Sprintf("seed %d, not %d", o.Seed, id.Seed))
	}
	if id.DropCost != o.DropCost {
		out = append(out, fmt.Sprintf("drop cost %g, not %g", o.DropCost, id.DropCost))
	}
	if id.MaxDropped != o.MaxDropped {
		out = append(out, fmt.Sprintf("max dropped %g, not %g", o.MaxDropped, id.MaxDropped))
	}
	return out
}

// gridText describes a grid briefly: "0s,20s,40s" or "31 from 0s to 300s".
func gridText(ds []time.Duration) string {
	if len(ds) <= 4 {
		var b bytes.Buffer
		for i, d := range ds {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(d.String())
		}
		return b.String()
	}
	return fmt.Sprintf("%d from %v to %v", len(ds), ds[0], ds[len(ds)-1])
}

// Part is a set of finished cells of one sweep: the part file a shard
// writes, or the checkpoint of an interrupted sweep. It carries the
// effective configuration, so that the sweep can be completed (and its
// recommendation refined) from parts alone.
type Part struct {
	// Program names the program that wrote the part, with its version
	// ("drainsim v1.2.0"); cells of different programs are not mixed.
	Program string
	// Sweep is the identity of the sweep the cells belong to.
	Sweep Identity
	// Config is the effective configuration of the sweep; its hash is
	// Sweep.ConfigSHA256.
	Config *model.Config
	// Shard and Shards say which share of the grid the part holds: the
	// cells of [Shard](delays, reps, Shard, Shards). Shards is 0 in the
	// checkpoint of a sweep that is not sharded, which holds cells of the
	// grid and of the recommendation's refinement.
	Shard, Shards int
	// Complete says every cell of the share is present: false in a
	// checkpoint.
	Complete bool
	// Cells are the finished cells, in any order, without duplicates.
	Cells []CellOutcome
}

// CellOutcome is a finished cell.
type CellOutcome struct {
	Cell
	Outcome
}

// partJSON is the file form of a Part. Each cell's cause and class
// counts are arrays in the order of the header's causes and classes.
type partJSON struct {
	Format   string        `json:"format"`
	Program  string        `json:"program"`
	SweepID  string        `json:"sweep_id"`
	Sweep    identityJSON  `json:"sweep"`
	Shard    int           `json:"shard"`
	Shards   int           `json:"shards"`
	Complete bool          `json:"complete"`
	Causes   []string      `json:"causes"`
	Classes  []classJSON   `json:"classes"`
	Config   *model.Config `json:"config"`
	Cells    []cellJSON    `json:"cells,omitempty"`
	// ContentSHA256 is written after the cells (see contentKey).
	ContentSHA256 string `json:"content_sha256,omitempty"`
}

type classJSON struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type cellJSON struct {
	DelayS            float64 `json:"delay_s"`
	Replication       int     `json:"rep"`
	Dropped           int64   `json:"dropped,omitempty"`
	ByCause           []int64 `json:"by_cause"`
	ClassDropped      []int64 `json:"class_dropped"`
	CostUSD           float64 `json:"cost_usd,omitempty"`
	ELB5xx            int64   `json:"elb_5xx,omitempty"`
	Retries           int64   `json:"retries,omitempty"`
	Reconnects        int64   `json:"reconnects,omitempty"`
	ReconnectPeakPerS float64 `json:"reconnect_peak_per_s,omitempty"`
	Events            uint64  `json:"events"`
	ELB502            int64   `json:"elb_502,omitempty"`
	ELB503            int64   `json:"elb_503,omitempty"`
	ELB504            int64   `json:"elb_504,omitempty"`
	Resets            int64   `json:"resets,omitempty"`
	ConnectionCuts    int64   `json:"connection_cuts,omitempty"`
	DrainsNS          []int64 `json:"drains_ns"`
	IdleHoldsNS       []int64 `json:"idle_holds_ns"`
	ScaleInsNS        []int64 `json:"scale_ins_ns"`
}

// causeNames returns the names of model's causes, in order.
func causeNames() []string {
	names := make([]string, model.NumCauses)
	for c := range model.NumCauses {
		names[c] = c.String()
	}
	return names
}

// WritePart writes p as JSON: a header, then one line per cell, then the
// SHA-256 of all that (content_sha256), which [ReadPart] checks. Numbers
// are written so that they read back exactly (shortest round-trip form
// for floats, integers for counts and nanoseconds).
func WritePart(w io.Writer, p *Part) error {
	h := partJSON{Format: PartFormat, Program: p.Program, SweepID: p.Sweep.ID(), Sweep: p.Sweep.file(),
		Shard: p.Shard, Shards: p.Shards, Complete: p.Complete, Causes: causeNames(), Classes: []classJSON{}, Config: p.Config}
	if len(p.Cells) > 0 {
		for _, c := range p.Cells[0].Classes {
			h.Classes = append(h.Classes, classJSON{Name: c.Name, Kind: c.Kind})
		}
	}
	head, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("encode part: %w", err)
	}
	var b bytes.Buffer
	b.Write(bytes.TrimSuffix(head, []byte("\n}")))
	b.WriteString(",\n  \"cells\": [")
	for i, c := range p.Cells {
		if len(c.Classes) != len(h.Classes) {
			return fmt.Errorf("encode part: cell %v/%d has %d traffic classes, not %d", c.Delay, c.Replication, len(c.Classes), len(h.Classes))
		}
		cj := cellJSON{DelayS: c.Delay.Seconds(), Replication: c.Replication, Dropped: c.Dropped,
			ByCause: c.DroppedByCause[:], ClassDropped: make([]int64, len(c.Classes)), CostUSD: c.CostUSD,
			ELB5xx: c.ELB5xx, Retries: c.Retries, Reconnects: c.Reconnects, ReconnectPeakPerS: c.ReconnectPeakPerS,
			Events: c.Events, DrainsNS: nanos(c.Drains), IdleHoldsNS: nanos(c.IdleHolds), ScaleInsNS: nanos(c.ScaleIns),
			ELB502: c.ELB502, ELB503: c.ELB503, ELB504: c.ELB504, Resets: c.Resets, ConnectionCuts: c.ConnectionCuts}
		for k, cl := range c.Classes {
			if cl.Name != h.Classes[k].Name || cl.Kind != h.Classes[k].Kind {
				return fmt.Errorf("encode part: cell %v/%d: traffic class %d is %s, not %s", c.Delay, c.Replication, k, cl.Name, h.Classes[k].Name)
			}
			cj.ClassDropped[k] = cl.Dropped
		}
		line, err := json.Marshal(cj)
		if err != nil {
			return fmt.Errorf("encode part: %w", err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		b.Write(line)
	}
	if len(p.Cells) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]")
	sum := sha256.Sum256(b.Bytes())
	b.WriteString(contentKey + hex.EncodeToString(sum[:]) + "\"\n}\n")
	_, err = w.Write(b.Bytes())
	return err
}

func nanos(ds []time.Duration) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = int64(d)
	}
	return out
}

func durations(ns []int64) []time.Duration {
	if len(ns) == 0 {
		return nil
	}
	out := make([]time.Duration, len(ns))
	for i, n := range ns {
		out[i] = time.Duration(n)
	}
	return out
}

// ReadPart reads a part written by [WritePart] and checks that it is
// whole and consistent: the format, the checksum of its content, the
// sweep's ID and configuration hash, the causes (those of this version
// of the model), the shape of every cell, every value read back (see
// [checkCell]), and no duplicate cells. Which cells a complete part must
// hold is for the caller to check against [Shard].
func ReadPart(r io.Reader) (*Part, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	var h partJSON
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("not a drainsim part file: %w", err)
	}
	if h.Format != PartFormat {
		return nil, fmt.Errorf("format %q, not %q: written by another version of drainsim", h.Format, PartFormat)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	if err := checkContent(text, h.ContentSHA256); err != nil {
		return nil, err
	}
	if h.Config == nil {
		return nil, errors.New("no configuration")
	}
	p := &Part{Program: h.Program, Sweep: h.Sweep.identity(), Config: h.Config, Shard: h.Shard, Shards: h.Shards, Complete: h.Complete}
	if id := p.Sweep.ID(); id != h.SweepID {
		return nil, fmt.Errorf("sweep_id %.12s… does not match the sweep it describes (%.12s…): the file was edited", h.SweepID, id)
	}
	if hash, err := ConfigHash(p.Config); err != nil {
		return nil, err
	} else if hash != p.Sweep.ConfigSHA256 {
		return nil, fmt.Errorf("the configuration's sha256 %.12s… is not the sweep's %.12s…: the file was edited or written by another version of drainsim", hash, p.Sweep.ConfigSHA256)
	}
	if !slices.Equal(h.Causes, causeNames()) {
		return nil, fmt.Errorf("causes %v, not %v: written by another version of drainsim", h.Causes, causeNames())
	}
	if p.Shards < 0 || (p.Shards > 0 && (p.Shard < 0 || p.Shard >= p.Shards)) || (p.Shards == 0 && p.Shard != 0) {
		return nil, fmt.Errorf("shard %d of %d: want 0 ≤ shard < shards", p.Shard, p.Shards)
	}
	if err := checkGrid(p.Sweep); err != nil {
		return nil, err
	}
	onGrid := delayCheck(p.Sweep.Delays, p.Shards > 0)
	classes := make([]ClassOutcome, len(h.Classes))
	for k, c := range h.Classes {
		classes[k] = ClassOutcome{Name: c.Name, Kind: c.Kind}
	}
	seen := make(map[Cell]bool, len(h.Cells))
	p.Cells = make([]CellOutcome, len(h.Cells))
	for i, c := range h.Cells {
		cell := Cell{Delay: seconds(c.DelayS), Replication: c.Replication}
		switch {
		case len(c.ByCause) != int(model.NumCauses):
			return nil, fmt.Errorf("cell %d: %d causes, not %d", i, len(c.ByCause), model.NumCauses)
		case len(c.ClassDropped) != len(classes):
			return nil, fmt.Errorf("cell %d: %d traffic classes, not %d", i, len(c.ClassDropped), len(classes))
		case c.Replication < 0 || c.Replication >= p.Sweep.Replications:
			return nil, fmt.Errorf("cell %d: replication %d is outside 0–%d", i, c.Replication, p.Sweep.Replications-1)
		case seen[cell]:
			return nil, fmt.Errorf("cell %d: delay %v replication %d appears twice", i, cell.Delay, cell.Replication)
		}
		if err := onGrid(cell.Delay); err != nil {
			return nil, fmt.Errorf("cell %d: %w", i, err)
		}
		seen[cell] = true
		o := Outcome{Dropped: c.Dropped, Classes: slices.Clone(classes), CostUSD: c.CostUSD, ELB5xx: c.ELB5xx,
			Retries: c.Retries, Reconnects: c.Reconnects, ReconnectPeakPerS: c.ReconnectPeakPerS, Events: c.Events,
			Drains: durations(c.DrainsNS), IdleHolds: durations(c.IdleHoldsNS), ScaleIns: durations(c.ScaleInsNS),
			ELB502: c.ELB502, ELB503: c.ELB503, ELB504: c.ELB504, Resets: c.Resets, ConnectionCuts: c.ConnectionCuts}
		copy(o.DroppedByCause[:], c.ByCause)
		for k, d := range c.ClassDropped {
			o.Classes[k].Dropped = d
		}
		if err := checkCell(&o); err != nil {
			return nil, fmt.Errorf("cell %d (delay %v, replication %d): %w", i, cell.Delay, cell.Replication, err)
		}
		p.Cells[i] = CellOutcome{Cell: cell, Outcome: o}
	}
	return p, nil
}

// checkContent checks that text ends with the checksum WritePart
// writes, sum, and that it is the SHA-256 of the text before it.
func checkContent(text []byte, sum string) error {
	tail := contentKey + sum + "\"\n}\n"
	if len(sum) != 2*sha256.Size || !bytes.HasSuffix(text, []byte(tail)) {
		return errors.New("no content_sha256 at its end: the file was edited or written by another version of drainsim")
	}
	got := sha256.Sum256(text[:len(text)-len(tail)])
	if hex.EncodeToString(got[:]) != sum {
		return fmt.Errorf("its content's sha256 is %.12s…, not the %.12s… it was written with: the file was edited or damaged", hex.EncodeToString(got[:]), sum)
	}
	return nil
}

// checkGrid checks the sweep's grid and replications: what a sweep runs.
func checkGrid(id Identity) error {
	if id.Replications < 1 {
		return fmt.Errorf("%d replications: want at least 1", id.Replications)
	}
	if len(id.Delays) == 0 {
		return errors.New("an empty delay grid")
	}
	for i, d := range id.Delays {
		if d < 0 || d > model.MaxDeregistrationDelay || (i > 0 && d <= id.Delays[i-1]) {
			return fmt.Errorf("delays %s: want increasing delays within 0s–%v", gridText(id.Delays), model.MaxDeregistrationDelay)
		}
	}
	if math.IsNaN(id.DropCost) || math.IsInf(id.DropCost, 0) || id.DropCost < 0 ||
		math.IsNaN(id.MaxDropped) || math.IsInf(id.MaxDropped, 0) || id.MaxDropped < 0 {
		return fmt.Errorf("drop cost %g, max dropped %g: want finite and non-negative", id.DropCost, id.MaxDropped)
	}
	return nil
}

// delayCheck returns a check of a cell's delay. A shard's cells are on
// the grid. A checkpoint also holds the delays the recommendation
// refines (Recommend): whole seconds from a grid delay (bisection,
// ternary search) or whole seconds (the rule of thumb), within 0s and
// model.MaxDeregistrationDelay.
func delayCheck(grid []time.Duration, shard bool) func(time.Duration) error {
	on := make(map[time.Duration]bool, len(grid))
	frac := map[time.Duration]bool{0: true}
	for _, d := range grid {
		on[d] = true
		frac[d%time.Second] = true
	}
	return func(d time.Duration) error {
		switch {
		case on[d]:
			return nil
		case shard:
			return fmt.Errorf("delay %v is not on the sweep's grid (%s)", d, gridText(grid))
		case d < 0 || d > model.MaxDeregistrationDelay || !frac[d%time.Second]:
			return fmt.Errorf("delay %v is neither on the sweep's grid (%s) nor a delay its recommendation refines (whole seconds from a grid delay, within 0s–%v)",
				d, gridText(grid), model.MaxDeregistrationDelay)
		}
		return nil
	}
}

// checkCell checks the values of an outcome read back against what
// OutcomeOf can produce: counts are non-negative, the drops by cause
// and by traffic class add up to Dropped, the 5xx by status to ELB5xx,
// the cost and reconnect peak are finite and non-negative, and the
// durations are non-negative.
func checkCell(o *Outcome) error {
	counts := []struct {
		name string
		n    int64
	}{{"dropped", o.Dropped}, {"elb_5xx", o.ELB5xx}, {"retries", o.Retries}, {"reconnects", o.Reconnects},
		{"elb_502", o.ELB502}, {"elb_503", o.ELB503}, {"elb_504", o.ELB504}, {"resets", o.Resets}, {"connection_cuts", o.ConnectionCuts}}
	for _, c := range counts {
		if c.n < 0 {
			return fmt.Errorf("%s = %d: a count is never negative", c.name, c.n)
		}
	}
	var byCause int64
	for c, n := range o.DroppedByCause {
		if n < 0 {
			return fmt.Errorf("dropped by cause %s = %d: a count is never negative", model.Cause(c), n)
		}
		byCause += n
	}
	if byCause != o.Dropped {
		return fmt.Errorf("the drops by cause add up to %d, not dropped = %d", byCause, o.Dropped)
	}
	if len(o.Classes) > 0 {
		var byClass int64
		for _, c := range o.Classes {
			if c.Dropped < 0 {
				return fmt.Errorf("traffic class %s dropped %d: a count is never negative", c.Name, c.Dropped)
			}
			byClass += c.Dropped
		}
		if byClass != o.Dropped {
			return fmt.Errorf("the drops by traffic class add up to %d, not dropped = %d", byClass, o.Dropped)
		}
	}
	if s := o.ELB502 + o.ELB503 + o.ELB504; s != o.ELB5xx {
		return fmt.Errorf("elb_502 + elb_503 + elb_504 = %d, not elb_5xx = %d", s, o.ELB5xx)
	}
	for _, f := range []struct {
		name string
		x    float64
	}{{"cost_usd", o.CostUSD}, {"reconnect_peak_per_s", o.ReconnectPeakPerS}} {
		if math.IsNaN(f.x) || math.IsInf(f.x, 0) || f.x < 0 {
			return fmt.Errorf("%s = %g: want finite and non-negative", f.name, f.x)
		}
	}
	for _, ds := range []struct {
		name string
		ds   []time.Duration
	}{{"drains_ns", o.Drains}, {"idle_holds_ns", o.IdleHolds}, {"scale_ins_ns", o.ScaleIns}} {
		for _, d := range ds.ds {
			if d < 0 {
				return fmt.Errorf("%s has %d: a duration is never negative", ds.name, int64(d))
			}
		}
	}
	return nil
}
