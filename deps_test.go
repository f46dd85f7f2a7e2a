package drainsim_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A program that only loads, runs and sweeps must not compile in
// gonum.org/v1/plot (its fonts and image code are most of such a binary):
// the charts live in package plot. Nor may the library pull in the CLI's
// terminal packages.
func TestNoPlotDependency(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	t.Parallel()
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(gotool, "list", "-deps", "github.com/drainsim/drainsim").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"gonum.org/v1/plot", "github.com/spf13/cobra", "github.com/schollz/progressbar", "golang.org/x/term"} {
			assert.False(t, strings.HasPrefix(dep, banned), "the root package depends on %s", dep)
		}
	}
}
