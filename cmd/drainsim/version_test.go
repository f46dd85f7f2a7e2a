package main

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestVersionOf: --version prints the module version and the VCS
// revision, marked modified when the tree was (issue #12: it printed the
// module version only, "(devel)" for every build from a checkout).
func TestVersionOf(t *testing.T) {
	rev := "32647d4c0ffee0000000000000000000000000000"
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "(devel)"},
		{"go install of a tag", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{"clean checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "false")}, "(devel) (revision " + rev + ")"},
		{"modified checkout", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130-32647d4c0ffe+dirty"},
			Settings: settings("vcs", "git", "vcs.revision", rev, "vcs.modified", "true")}, "v0.0.0-20261130-32647d4c0ffe+dirty (revision " + rev + ", modified)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, versionOf(tc.bi))
		})
	}
}

// TestVersionFlag: drainsim --version prints "drainsim " and the version.
func TestVersionFlag(t *testing.T) {
	stdout, _, code := drainsim("--version")
	assert.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(stdout, "drainsim "+version()+"\n"), "got %q", stdout)
}
