package drainsim

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"sync"

	"github.com/drainsim/drainsim/model"
	"github.com/drainsim/drainsim/sweep"
)

// Cells holds the finished simulations (cells: one replication at one
// delay) of sweeps of one scenario, so that a sweep can resume where a
// cancelled one stopped, and a sweep can be split into shards run apart
// (on several machines) and merged: what the command line's --checkpoint
// and --shard/merge do with files. Pass it as SweepOptions.Cells; the
// sweep takes the cells it holds instead of running them again, and adds
// each cell it runs. Encode it with encoding/gob to keep it in a file.
// A Cells is bound to the first scenario it is used with (everything but
// the delay, the replication count and the [sweep] table); using it with
// another is an error. It is safe for concurrent use.
type Cells struct {
	mu    sync.Mutex
	hash  string
	cells map[sweep.Cell]sweep.Outcome
}

// NewCells returns an empty Cells.
func NewCells() *Cells { return &Cells{cells: map[sweep.Cell]sweep.Outcome{}} }

// Len returns the number of cells held.
func (c *Cells) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cells)
}

// Merge adds the cells of o (a shard run apart) to c. Both must belong
// to the same scenario.
func (c *Cells) Merge(o *Cells) error {
	if o == c {
		return nil
	}
	o.mu.Lock()
	hash, cells := o.hash, make(map[sweep.Cell]sweep.Outcome, len(o.cells))
	for k, v := range o.cells {
		cells[k] = v
	}
	o.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.bindLocked(hash); err != nil {
		return err
	}
	if c.cells == nil {
		c.cells = map[sweep.Cell]sweep.Outcome{}
	}
	for k, v := range cells {
		c.cells[k] = v
	}
	return nil
}

// bindLocked binds c to the scenario of hash, or fails if it holds
// another's cells.
func (c *Cells) bindLocked(hash string) error {
	switch {
	case hash == "" || c.hash == hash:
	case c.hash == "":
		c.hash = hash
	default:
		return &InvalidError{Problems: []*Error{{Option: "SweepOptions.Cells",
			Msg: "holds the cells of another scenario (its configuration differs in more than the delay): use a new Cells"}}}
	}
	return nil
}

// cellsHash identifies what a cell's outcome depends on: the scenario
// without its delay, replication count and [sweep] table.
func cellsHash(cfg *model.Config) (string, error) {
	c := *sweep.WithDelay(cfg, 0)
	c.Replications, c.Sweep = 1, model.Sweep{}
	return sweep.ConfigHash(&c)
}

// options binds c to cfg and returns opts looking cells up in c and
// adding the cells run to it.
func (c *Cells) options(cfg *model.Config, opts sweep.Options) (sweep.Options, error) {
	if c == nil {
		return opts, nil
	}
	hash, err := cellsHash(cfg)
	if err != nil {
		return opts, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.bindLocked(hash); err != nil {
		return opts, err
	}
	if c.cells == nil {
		c.cells = map[sweep.Cell]sweep.Outcome{}
	}
	opts.Lookup = func(k sweep.Cell) (sweep.Outcome, bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		o, ok := c.cells[k]
		return o, ok
	}
	opts.Finished = func(k sweep.Cell, o sweep.Outcome) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.cells[k] = o
	}
	return opts, nil
}

// cellsGob is what Cells encodes to.
type cellsGob struct {
	Hash  string
	Cells []sweep.Cell
	Outs  []sweep.Outcome
}

// GobEncode implements gob.GobEncoder.
func (c *Cells) GobEncode() ([]byte, error) {
	c.mu.Lock()
	g := cellsGob{Hash: c.hash}
	for k, v := range c.cells {
		g.Cells, g.Outs = append(g.Cells, k), append(g.Outs, v)
	}
	c.mu.Unlock()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(g); err != nil {
		return nil, fmt.Errorf("drainsim: encode cells: %w", err)
	}
	return buf.Bytes(), nil
}

// GobDecode implements gob.GobDecoder.
func (c *Cells) GobDecode(data []byte) error {
	var g cellsGob
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&g); err != nil {
		return fmt.Errorf("drainsim: decode cells: %w", err)
	}
	if len(g.Cells) != len(g.Outs) {
		return fmt.Errorf("drainsim: decode cells: %d cells but %d outcomes", len(g.Cells), len(g.Outs))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hash, c.cells = g.Hash, make(map[sweep.Cell]sweep.Outcome, len(g.Cells))
	for i, k := range g.Cells {
		c.cells[k] = g.Outs[i]
	}
	return nil
}

// SweepShard runs shard k (from 0) of n of the sweep o describes: every
// n-th cell of its grid of delays × replications, dealt round robin so
// that shards take about as long as each other. It returns the cells run
// (added to o.Cells too, if set). Run the n shards apart, Merge their
// Cells, and pass them as SweepOptions.Cells to [Scenario.Sweep] with the
// same options: it runs only the refinements, and gives the result an
// unsharded sweep would.
func (s *Scenario) SweepShard(ctx context.Context, o SweepOptions, k, n int) (*Cells, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if n < 1 || k < 0 || k >= n {
		return nil, fmt.Errorf("sweep shard of %s: %w", s.name(), badOption("shard", fmt.Sprintf("0 ≤ k < n (got k %d, n %d)", k, n), fmt.Sprintf("%d of %d", k, n)))
	}
	p, err := s.plan(o)
	if err != nil {
		return nil, fmt.Errorf("sweep shard of %s: %w", s.name(), err)
	}
	out := o.Cells
	if out == nil {
		out = NewCells()
	}
	opts, err := out.options(s.Config, sweep.Options{Workers: o.Workers, Progress: cumulative(o.Progress)})
	if err != nil {
		return nil, fmt.Errorf("sweep shard of %s: %w", s.name(), err)
	}
	if _, err := sweep.RunCells(ctx, s.Config, sweep.Shard(p.delays, p.reps, k, n), opts); err != nil {
		return out, fmt.Errorf("sweep shard of %s: %w", s.name(), err)
	}
	return out, nil
}
