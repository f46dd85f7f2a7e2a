package accesslog

import (
	"errors"
	"strconv"
	"strings"
)

// Field positions in a log line, in AWS's documented order.
const (
	fType = iota
	fTime
	fELB
	fClient
	fTarget
	fRequestProcessing
	fTargetProcessing
	fResponseProcessing
	fELBStatus
	fTargetStatus
	fReceivedBytes
	fSentBytes
	fRequest
	fUserAgent
	fSSLCipher
	fSSLProtocol
	fTargetGroupARN
	fTraceID
	fDomainName
	fChosenCertARN
	fMatchedRulePriority
	fRequestCreated
	fActionsExecuted
	fRedirectURL
	fErrorReason
	fTargetList
	fTargetStatusList
	fClassification
	fClassificationReason
	fConnTraceID
	numFields
)

// MinFields is how many fields a line needs: up to and including
// request_creation_time, field 22, which durations are measured from.
// Lines written before AWS appended the later fields (the target lists,
// classification, conn_trace_id) still parse, with those fields "".
const MinFields = 22

// The fields up to request_creation_time are MinFields.
var _ [MinFields - fRequestCreated - 1]struct{}

// fieldNames are AWS's names of the fields, for messages.
var fieldNames = [numFields]string{
	"type", "time", "elb", "client:port", "target:port",
	"request_processing_time", "target_processing_time", "response_processing_time",
	"elb_status_code", "target_status_code", "received_bytes", "sent_bytes",
	"request", "user_agent", "ssl_cipher", "ssl_protocol", "target_group_arn",
	"trace_id", "domain_name", "chosen_cert_arn", "matched_rule_priority",
	"request_creation_time", "actions_executed", "redirect_url", "error_reason",
	"target:port_list", "target_status_code_list", "classification",
	"classification_reason", "conn_trace_id",
}

var errUnterminated = errors.New("unterminated quoted field")

// split appends the fields of line to dst and returns it. Fields are
// separated by runs of spaces. A field that starts with a double quote
// runs to the next unescaped double quote, which must end the line or be
// followed by a space; inside it, \" and \\ stand for " and \, and any
// other backslash is kept as it is. The fields are substrings of line
// unless they hold escapes.
func split(line string, dst []string) ([]string, error) {
	i := 0
	for {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i == len(line) {
			return dst, nil
		}
		if line[i] != '"' {
			j := strings.IndexByte(line[i:], ' ')
			if j < 0 {
				return append(dst, line[i:]), nil
			}
			dst = append(dst, line[i:i+j])
			i += j
			continue
		}
		// Quoted: find the closing quote, noting escapes.
		start, escaped := i+1, false
		j := start
		for ; j < len(line); j++ {
			if line[j] == '\\' && j+1 < len(line) {
				escaped = true
				j++
				continue
			}
			if line[j] == '"' {
				break
			}
		}
		if j >= len(line) {
			return dst, errUnterminated
		}
		if j+1 < len(line) && line[j+1] != ' ' {
			return dst, errors.New("quoted field " + quoteShort(line[i:j+1]) + " is followed by " + quoteShort(line[j+1:]) + ", not a space")
		}
		if escaped {
			dst = append(dst, unescape(line[start:j]))
		} else {
			dst = append(dst, line[start:j])
		}
		i = j + 1
	}
}

// unescape replaces \" and \\ in s by " and \ and keeps other backslashes.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// quoteShort quotes s for a message, cut to 40 bytes.
func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}
