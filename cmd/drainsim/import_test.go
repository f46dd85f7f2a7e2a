package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/drainsim/drainsim/awsimport"
)

// The import command's own checks, which need no AWS: the AWS side is
// tested against moto_server in awsimport.
func TestImportUsage(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := drainsim("import", "--help")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stderr)
	assert.Contains(t, stdout, "--target-group")
	assert.Contains(t, stdout, "drainsim import --target-group payments-tg --region us-east-1 -o payments.toml")

	_, stderr, code = drainsim("import")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "drainsim: import needs --target-group ARN|NAME\n")

	_, stderr, code = drainsim("import", "--target-group", "tg", "--since", "two weeks")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `--since "two weeks": want a duration such as 14d, 36h or 90m`)
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"14d": 14 * 24 * time.Hour, "1.5d": 36 * time.Hour, "90m": 90 * time.Minute} {
		got, err := parseSince(in)
		assert.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "0d", "-1h", "d", "14days"} {
		_, err := parseSince(in)
		assert.Error(t, err, in)
	}
}

// TestImportErrorsExit2: every error awsimport reports (credentials,
// access, not found, throttling) exits 2 with its message; an interrupt
// exits 1.
func TestImportErrorsExit2(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{awsimport.KindCredentials, awsimport.KindAccess, awsimport.KindNotFound, awsimport.KindThrottled} {
		var errb bytes.Buffer
		code := fail(&errb, nil, importError(&awsimport.Error{Kind: kind, Msg: "the message for " + kind}))
		assert.Equal(t, exitUsage, code, kind)
		assert.Equal(t, "drainsim: the message for "+kind+"\n", errb.String(), kind)
	}
	var errb bytes.Buffer
	assert.Equal(t, exitRun, fail(&errb, nil, importError(fmt.Errorf("reading: %w", context.Canceled))))
}
