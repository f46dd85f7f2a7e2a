// Package sim is drainsim's discrete-event engine: a simulated clock, a
// priority queue of pending events and cancellation. It uses only the
// standard library and knows nothing of load balancers.
//
// Time is a [time.Duration] since the start of the simulation, so there is
// no floating-point drift and the clock is exact to the nanosecond. Events
// are ordered by (time, sequence number): two events scheduled for the same
// instant run in the order they were scheduled (FIFO), which makes every run
// deterministic.
//
// Events are small value structs kept in a typed 4-ary heap (not
// container/heap of interfaces), so scheduling and running an event does
// not allocate once the heap has grown to its working size, and memory is
// proportional to the number of pending events, not to how many have run:
// 40 bytes each (a 16-byte heap node and a 24-byte slot holding the
// payload and the handle bookkeeping), plus spare capacity. While a
// handler runs, the root of the heap is left empty for the first event it
// schedules, so delivering an event and scheduling its follow-up costs
// about one sift. docs/performance.md has the measurements.
// A Handler receives each event and dispatches on its Kind; the engine has
// no callbacks or goroutines of its own.
//
// Lifecycle: create an Engine with [New], schedule the first events with
// [Engine.At] or [Engine.After], then drive it with [Engine.Step],
// [Engine.Run] or [Engine.RunUntil]. An Engine is not safe for concurrent
// use; run one Engine per goroutine.
package sim
