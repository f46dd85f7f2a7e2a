package haproxy

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill HAProxy if the test process dies
// (a killed `go test` must not leave an HAProxy behind).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
