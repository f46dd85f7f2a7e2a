package accesslog_test

import (
	"os"
	"time"

	"github.com/drainsim/drainsim/accesslog"
)

func ExampleWriter() {
	w := accesslog.NewWriter(os.Stdout)
	arrived := time.Date(2026, 11, 25, 8, 31, 1, 951456000, time.UTC)
	// A request that completed, and one cut when its target's
	// deregistration delay expired.
	_ = w.Write(accesslog.Record{
		Type: "https", Time: arrived.Add(2172 * time.Millisecond), RequestCreated: arrived,
		Client: "192.0.2.10:2817", Target: "10.0.0.1:80",
		RequestProcessing: 0.001, TargetProcessing: 2.170, ResponseProcessing: 0,
		ELBStatus: 200, TargetStatus: 200, ReceivedBytes: 120, SentBytes: 57,
		Request: "GET https://api.example.com:443/orders HTTP/1.1",
	})
	_ = w.Write(accesslog.Record{
		Type: "https", Time: arrived.Add(26 * time.Second), RequestCreated: arrived,
		Client: "192.0.2.11:2818", Target: "10.0.0.2:80",
		RequestProcessing: 0.001, TargetProcessing: -1, ResponseProcessing: -1,
		ELBStatus: 502, ErrorReason: "TargetConnectionError",
		Request: "GET https://api.example.com:443/report HTTP/1.1",
	})
	// Output:
	// https 2026-11-25T08:31:04.123456Z app/drainsim/0123456789abcdef 192.0.2.10:2817 10.0.0.1:80 0.001 2.170 0.000 200 200 120 57 "GET https://api.example.com:443/orders HTTP/1.1" "-" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/drainsim/0123456789abcdef "Root=1-6b069cc8-000000000000000000000001" "-" "-" 0 2026-11-25T08:31:01.951456Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" -
	// https 2026-11-25T08:31:27.951456Z app/drainsim/0123456789abcdef 192.0.2.11:2818 10.0.0.2:80 0.001 -1 -1 502 - 0 0 "GET https://api.example.com:443/report HTTP/1.1" "-" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/drainsim/0123456789abcdef "Root=1-6b069cdf-000000000000000000000002" "-" "-" 0 2026-11-25T08:31:01.951456Z "forward" "-" "TargetConnectionError" "10.0.0.2:80" "-" "-" "-" -
}
