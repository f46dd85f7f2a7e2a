package sim_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/drainsim/drainsim/sim"
)

const (
	arrive sim.Kind = iota
	depart
	timeout
)

// printer is a Handler that prints each event; on an arrival it schedules
// the departure after a (seeded) random service time.
type printer struct {
	r *rand.Rand
}

func (p *printer) Handle(e *sim.Engine, ev sim.Event) {
	switch ev.Kind {
	case arrive:
		service := time.Duration(1+p.r.IntN(5)) * time.Millisecond
		fmt.Printf("%v: request %d arrives, served in %v\n", e.Now(), ev.Arg, service)
		e.After(service, sim.Event{Kind: depart, Arg: ev.Arg})
	case depart:
		fmt.Printf("%v: request %d departs\n", e.Now(), ev.Arg)
	case timeout:
		fmt.Printf("%v: timeout %d\n", e.Now(), ev.Arg)
	}
}

func ExampleEngine() {
	e := sim.New(&printer{r: rand.New(rand.NewPCG(1, 2))})

	e.At(sim.Event{At: 2 * time.Millisecond, Kind: arrive, Arg: 1})
	// Two arrivals at the same instant run in the order they were
	// scheduled.
	e.At(sim.Event{At: 3 * time.Millisecond, Kind: arrive, Arg: 2})
	e.At(sim.Event{At: 3 * time.Millisecond, Kind: arrive, Arg: 3})
	// A timeout that is cancelled never runs; one that is not does.
	h := e.At(sim.Event{At: 4 * time.Millisecond, Kind: timeout, Arg: 1})
	e.At(sim.Event{At: 20 * time.Millisecond, Kind: timeout, Arg: 2})
	fmt.Println("cancelled:", e.Cancel(h))
	fmt.Println("cancelled again:", e.Cancel(h))

	e.Run()
	fmt.Println("handled:", e.Handled(), "pending:", e.Pending())
	// Output:
	// cancelled: true
	// cancelled again: false
	// 2ms: request 1 arrives, served in 4ms
	// 3ms: request 2 arrives, served in 4ms
	// 3ms: request 3 arrives, served in 4ms
	// 6ms: request 1 departs
	// 7ms: request 2 departs
	// 7ms: request 3 departs
	// 20ms: timeout 2
	// handled: 7 pending: 0
}
