package accesslog_test

import (
	"fmt"
	"os"
	"time"

	"github.com/drainsim/drainsim/accesslog"
)

// Entries of a few requests and a WebSocket become [[traffic]] tables;
// the WebSocket class, with one duration, takes the empirical law, whose
// file the caller writes with WriteDurations.
func ExampleWriteTraffic() {
	t0 := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	var entries []accesslog.Entry
	for i, d := range []float64{0.8, 1.2, 2.0, 2.1, 3.5, 1.7, 2.6, 0.9, 4.8, 2.2} {
		at := t0.Add(time.Duration(i) * 6 * time.Second)
		entries = append(entries, accesslog.Entry{
			Type: "https", RequestCreated: at, Time: at.Add(time.Duration(d * float64(time.Second))),
		})
	}
	entries = append(entries, accesslog.Entry{Type: "wss", RequestCreated: t0.Add(-10 * time.Minute), Time: t0.Add(50 * time.Second)})
	s := accesslog.Fit(entries)

	if err := accesslog.WriteTraffic(os.Stdout, s, accesslog.TrafficOptions{Prefix: "shop-"}); err != nil {
		fmt.Println(err)
	}
	ts, _ := accesslog.Traffic(s, accesslog.TrafficOptions{Prefix: "shop-"})
	fmt.Printf("\n%s:\n", ts[1].Duration.File)
	_ = accesslog.WriteDurations(os.Stdout, ts[1].Duration.Samples)
	// Output:
	// # Fitted from ALB access logs: 11 entries from 2026-11-25T08:00:00.8Z to 2026-11-25T08:00:56.2Z (55.4 s).
	//
	// # shop-http: 10 requests (0 without a duration); rate 0.1805/s mean, 0.1805/s in the busiest minute.
	// # Durations: p50 2s, p90 3.5s, p99 4.8s, p99.9 4.8s, max 4.8s.
	// # Lognormal fit: median 1.894s, p99 6.62s; KS distance 0.1405 (limit 0.2802): it fits.
	// [[traffic]]
	// name = "shop-http"
	// kind = "request"
	// rate = 0.180505
	// duration = { distribution = "lognormal", median = "1.893615s", p99 = "6.62001s" }
	//
	// # shop-websocket: 1 connection (0 without a duration); rate 0.01805/s mean, 0.01805/s in the busiest minute.
	// # Durations: p50 650s, p90 650s, p99 650s, p99.9 650s, max 650s.
	// [[traffic]]
	// name = "shop-websocket"
	// kind = "connection"
	// rate = 0.0180505
	// duration = { distribution = "empirical", file = "shop-websocket.durations.txt" }
	//
	// shop-websocket.durations.txt:
	// 650
}
