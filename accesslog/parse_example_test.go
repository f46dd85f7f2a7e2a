package accesslog_test

import (
	"fmt"
	"strings"

	"github.com/drainsim/drainsim/accesslog"
)

func ExampleParse() {
	log := `https 2026-11-25T08:31:02.123456Z app/my-lb/50dc6c495c0c9188 192.0.2.10:2817 10.0.0.1:80 0.001 0.168 0.000 200 200 120 57 "GET https://api.example.com:443/orders?id=7 HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/73e2d6bc24d8a067 "Root=1-6b069cc6-1d84f3d73c47ec4e58577259" "api.example.com" "-" 1 2026-11-25T08:31:01.951456Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90
h2 2026-11-25T08:31:04.500000Z app/my-lb/50dc6c495c0c9188 192.0.2.11:4711 - -1 -1 -1 503 - 34 366 "GET https://api.example.com:443/health HTTP/2.0" "-" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/73e2d6bc24d8a067 "Root=1-6b069cc8-1d84f3d73c47ec4e58577260" "api.example.com" "-" 0 2026-11-25T08:31:04.499000Z "forward" "-" "-" "-" "-" "-" "-" -
wss 2026-11-25T08:41:02.000000Z app/my-lb/50dc6c495c0c9188 192.0.2.12:6000 10.0.0.2:80 0.001 0.002 0.000 101 101 218 587 "GET https://api.example.com:443/socket HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/73e2d6bc24d8a067 "Root=1-6b069f1e-1d84f3d73c47ec4e58577261" "api.example.com" "-" 0 2026-11-25T08:31:05.000000Z "forward" "-" "-" "10.0.0.2:80" "101" "-" "-" TID_1234abcd5678ef91
https 2026-11-25T08:31:07.000000Z app/my-lb/50dc6c495c0c9188 192.0.2.13:7001 10.0.0.1:80 0.000 0.010 0.000 200 200 10 20 "GET https://api.examp
`
	st, err := accesslog.Parse(strings.NewReader(log), "api.log", func(e accesslog.Entry) error {
		d, ok := e.Duration()
		if !ok {
			fmt.Printf("%-5s %-11q not dispatched (status %d)\n", e.Type, e.Target, e.ELBStatus)
			return nil
		}
		fmt.Printf("%-5s %-11q %-9s %gs\n", e.Type, e.Target, e.Class(), d)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d entries, %d malformed\n", st.Entries, st.MalformedLines)
	for _, m := range st.Malformed {
		fmt.Println(m)
	}
	// Output:
	// https "10.0.0.1:80" http      0.172s
	// h2    ""          not dispatched (status 503)
	// wss   "10.0.0.2:80" websocket 597s
	// 3 entries, 1 malformed
	// api.log:4: unterminated quoted field
}
