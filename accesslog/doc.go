// Package accesslog reads and writes Application Load Balancer access logs
// and fits drainsim traffic classes to them.
//
// A log line has the fields AWS documents, space-separated and in this
// order (aws-behaviour §6):
//
//	type time elb client:port target:port request_processing_time
//	target_processing_time response_processing_time elb_status_code
//	target_status_code received_bytes sent_bytes "request" "user_agent"
//	ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
//	"chosen_cert_arn" matched_rule_priority request_creation_time
//	"actions_executed" "redirect_url" "error_reason" "target:port_list"
//	"target_status_code_list" "classification" "classification_reason"
//	conn_trace_id
//
// and AWS may add fields after them, which [Parse] keeps in [Entry.Extra].
//
// The pieces:
//
//   - [Parse] streams the entries of one log, plain or gzip (recognised by
//     its magic bytes, whatever the file is called), to a callback; [Open]
//     and [ParseFile] do the same for a file. Malformed lines are counted
//     and the first [MaxMalformed] kept with their file and line; only a
//     log with no entry at all is an error ([ErrNoEntries]).
//   - [Fitter] (or [Fit] and [FitFiles]) summarises entries: arrival rates,
//     exact duration percentiles, a lognormal fit and its
//     Kolmogorov–Smirnov distance, separately for HTTP requests and
//     WebSocket connections. [Summary] marshals to the JSON drainsim
//     prints.
//   - [WriteTraffic] and [WriteDurations] turn a Summary into [[traffic]]
//     tables (and empirical durations files) that drainsim's scenario
//     loader accepts; [Traffic] gives the same as [model.Traffic] values.
//   - [Writer] formats simulated requests as access log lines, for
//     `drainsim run --access-log`; Parse reads them back.
//
// A request's duration is Time − RequestCreated, from the load balancer
// receiving the request to it responding (for a WebSocket, from the
// upgrade request to the connection closing); see
// [Entry.Duration]. Percentiles are nearest-rank on the exact sorted
// sample, the same definition as drainsim's empirical distribution.
//
// The package reads only the readers and files it is given and writes only
// to the writers it is given.
package accesslog
