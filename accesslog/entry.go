package accesslog

import (
	"strconv"
	"time"

	"github.com/drainsim/drainsim/model"
)

// Entry is one line of an ALB access log: one HTTP request, or one
// WebSocket connection written when it closes.
//
// A "-" in the log (quoted or not) is "" in a string field, 0 in a status
// code or byte count and the zero time in RequestCreated. The three
// processing times are seconds (millisecond precision in AWS's logs) or
// −1, AWS's flag for a request that was not dispatched to a target or
// whose target closed the connection early.
type Entry struct {
	// Type is http, https, h2, grpcs, ws or wss.
	Type string `json:"type"`
	// Time is when the load balancer generated the response to the
	// client (for a WebSocket, when the connection closed).
	Time time.Time `json:"time"`
	// ELB is the load balancer's resource ID, e.g. app/my-lb/50dc6c495c0c9188.
	ELB string `json:"elb"`
	// Client is the client's ip:port.
	Client string `json:"client"`
	// Target is the target's ip:port, "" when the request was not
	// forwarded to one.
	Target string `json:"target"`
	// RequestProcessing is the seconds from the load balancer receiving
	// the request to sending it to a target, or −1.
	RequestProcessing float64 `json:"request_processing_time"`
	// TargetProcessing is the seconds from sending the request to the
	// target to the target starting its response, or −1.
	TargetProcessing float64 `json:"target_processing_time"`
	// ResponseProcessing is the seconds from the target's response to
	// the load balancer starting to send it to the client, or −1.
	ResponseProcessing float64 `json:"response_processing_time"`
	// ELBStatus is the status code the load balancer sent; 0 for "-".
	ELBStatus int `json:"elb_status_code"`
	// TargetStatus is the status code the target sent; 0 for "-".
	TargetStatus int `json:"target_status_code"`
	// ReceivedBytes and SentBytes count the bytes from and to the client.
	ReceivedBytes int64 `json:"received_bytes"`
	SentBytes     int64 `json:"sent_bytes"`
	// Request is the request line, e.g. "GET https://example.com:443/ HTTP/2.0".
	Request string `json:"request"`
	// UserAgent is the User-Agent header.
	UserAgent      string `json:"user_agent"`
	SSLCipher      string `json:"ssl_cipher"`
	SSLProtocol    string `json:"ssl_protocol"`
	TargetGroupARN string `json:"target_group_arn"`
	TraceID        string `json:"trace_id"`
	DomainName     string `json:"domain_name"`
	ChosenCertARN  string `json:"chosen_cert_arn"`
	// MatchedRulePriority is kept as written ("0" is the default rule).
	MatchedRulePriority string `json:"matched_rule_priority"`
	// RequestCreated is when the load balancer received the request (the
	// upgrade request of a WebSocket); the zero time for "-".
	RequestCreated       time.Time `json:"request_creation_time"`
	ActionsExecuted      string    `json:"actions_executed"`
	RedirectURL          string    `json:"redirect_url"`
	ErrorReason          string    `json:"error_reason"`
	TargetList           string    `json:"target_port_list"`
	TargetStatusList     string    `json:"target_status_code_list"`
	Classification       string    `json:"classification"`
	ClassificationReason string    `json:"classification_reason"`
	ConnTraceID          string    `json:"conn_trace_id"`
	// Extra holds the fields after conn_trace_id, unquoted, which AWS may
	// add to the format; nil when there are none.
	Extra []string `json:"extra,omitempty"`
}

// Duration returns how long the request (or WebSocket connection)
// lasted, in seconds, and whether it is known.
//
// It is Time − RequestCreated: from the load balancer receiving the
// request to it responding to the client, or for a WebSocket from the
// upgrade request to the connection closing. This is what a
// target is busy for, from the load balancer's side, and has microsecond
// resolution. Without RequestCreated it falls back to the sum of the
// three processing times, which leave out the time spent receiving the
// request and sending the response. [Parse] refuses a line whose Time is
// before its RequestCreated; for an Entry built otherwise, a negative
// difference counts as 0.
//
// ok is false when any processing time is −1: the request never reached
// a target, or the target closed the connection early.
func (e *Entry) Duration() (seconds float64, ok bool) {
	if e.RequestProcessing < 0 || e.TargetProcessing < 0 || e.ResponseProcessing < 0 {
		return 0, false
	}
	if e.RequestCreated.IsZero() {
		return e.RequestProcessing + e.TargetProcessing + e.ResponseProcessing, true
	}
	return max(e.Time.Sub(e.RequestCreated).Seconds(), 0), true
}

// Arrival returns when the request arrived: RequestCreated, or Time when
// the log has "-" for it.
func (e *Entry) Arrival() time.Time {
	if e.RequestCreated.IsZero() {
		return e.Time
	}
	return e.RequestCreated
}

// Class returns the entry's traffic class: WebSocket for ws and wss,
// HTTP for every other type.
func (e *Entry) Class() Class {
	if e.Type == "ws" || e.Type == "wss" {
		return WebSocket
	}
	return HTTP
}

// Class is a traffic class of a log, which becomes one drainsim
// [model.Traffic].
type Class int

// Traffic classes.
const (
	// HTTP is the requests of types http, https, h2 and grpcs: drainsim
	// kind "request".
	HTTP Class = iota
	// WebSocket is the connections of types ws and wss: drainsim kind
	// "connection", each staying on one target for its whole life.
	WebSocket
	numClasses
)

var classNames = [numClasses]string{HTTP: "http", WebSocket: "websocket"}

var classKinds = [numClasses]string{HTTP: model.KindRequest, WebSocket: model.KindConnection}

// String returns "http" or "websocket".
func (c Class) String() string {
	if c < 0 || c >= numClasses {
		return "class(" + strconv.Itoa(int(c)) + ")"
	}
	return classNames[c]
}

// Kind returns the drainsim traffic kind of the class: "request" for
// HTTP, "connection" for WebSocket.
func (c Class) Kind() string {
	if c < 0 || c >= numClasses {
		panic("accesslog: unknown class " + strconv.Itoa(int(c)))
	}
	return classKinds[c]
}

// MarshalText returns the class's name, for JSON.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// types lists the entry types AWS documents.
var types = map[string]Class{
	"http": HTTP, "https": HTTP, "h2": HTTP, "grpcs": HTTP,
	"ws": WebSocket, "wss": WebSocket,
}

// tlsTypes are the types whose connections use TLS.
var tlsTypes = map[string]bool{"https": true, "h2": true, "grpcs": true, "wss": true}
