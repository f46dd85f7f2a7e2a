package awsimport

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// Kinds of Error.
const (
	KindUsage       = "usage"       // bad options
	KindConfig      = "config"      // no region, unreadable configuration
	KindCredentials = "credentials" // none found, or rejected
	KindAccess      = "access"      // an IAM action is not allowed
	KindNotFound    = "not_found"   // no such target group (or nothing behind it)
	KindThrottled   = "throttled"   // still throttled after the retries
	KindUnsupported = "unsupported" // a load balancer type drainsim does not model
	KindAWS         = "aws"         // any other API error
)

// Error is a failure a user can act on; Msg says how.
type Error struct {
	Kind string
	Msg  string
	Err  error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// iamPrefix maps an SDK service id to its IAM action prefix.
var iamPrefix = map[string]string{
	"Elastic Load Balancing v2": "elasticloadbalancing",
	"Auto Scaling":              "autoscaling",
	"ECS":                       "ecs",
	"CloudWatch":                "cloudwatch",
}

// action is the IAM action of a failed operation, as "service:Operation".
func action(err error) string {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) {
		return "(unknown action)"
	}
	p, ok := iamPrefix[oe.ServiceID]
	if !ok {
		p = strings.ToLower(strings.ReplaceAll(oe.ServiceID, " ", ""))
	}
	return p + ":" + oe.OperationName
}

func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// classify turns an SDK error into an *Error with a message that says
// what to do.
func classify(err error) error {
	if err == nil {
		return nil
	}
	act := action(err)
	msg := err.Error()
	switch {
	case strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "failed to refresh cached credentials"):
		return &Error{Kind: KindCredentials, Err: err, Msg: "no AWS credentials found (" + act + " was not sent): set AWS_PROFILE or pass --profile, run `aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"}
	case isCode(err, "InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch", "InvalidSignatureException", "AuthFailure"):
		return &Error{Kind: KindCredentials, Err: err, Msg: fmt.Sprintf("AWS rejected the credentials on %s (%s): they are expired or wrong; refresh them (`aws sso login`, new keys)", act, code(err))}
	case isCode(err, "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "AuthorizationError"):
		return &Error{Kind: KindAccess, Err: err, Msg: fmt.Sprintf("access denied: the credentials may not call %s; allow it (docs/data.md lists the minimal read-only IAM policy)", act)}
	case isCode(err, "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled", "SlowDown"):
		return &Error{Kind: KindThrottled, Err: err, Msg: fmt.Sprintf("%s is still throttled after %d attempts with the SDK's standard retryer; try again later or with a shorter --since", act, MaxAttempts)}
	}
	return &Error{Kind: KindAWS, Err: err, Msg: fmt.Sprintf("%s failed: %v", act, err)}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "?"
}
