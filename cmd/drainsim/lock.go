package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/drainsim/drainsim/internal/cli"
)

// lockName is the lock file an unsharded sweep or a merge holds in its
// --out directory while it runs, so that two of them writing the same
// results (and checkpoint) refuse instead of racing.
const lockName = ".drainsim.lock"

// lockDir creates dir if needed and takes its lock: it creates
// dir/.drainsim.lock exclusively, holding this process's id. If the file
// is there, another drainsim holds the lock — unless the process it
// names no longer exists (one killed with kill -9 leaves the file), when
// the lock is taken over. The returned unlock
// removes the file; a second Ctrl-C removes it too.
func lockDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &runError{fmt.Errorf("create --out %s: %v", dir, unwrapPath(err))}
	}
	path := filepath.Join(dir, lockName)
	err = takeLock(dir, path)
	if errors.Is(err, fs.ErrExist) && staleLock(path) {
		// Its holder is gone (killed with kill -9, or the machine
		// restarted): take the lock over.
		_ = os.Remove(path)
		err = takeLock(dir, path)
	}
	if errors.Is(err, fs.ErrExist) {
		holder := "another drainsim"
		if data, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(data))); perr == nil {
				holder = fmt.Sprintf("another drainsim (process %d)", pid)
			}
		}
		return nil, &runError{fmt.Errorf("--out %s is in use by %s: its lock file %s exists; wait for it to finish, or, if no drainsim is running there (one killed with kill -9 leaves the file), remove %s", dir, holder, path, path)}
	}
	if err != nil {
		return nil, &runError{fmt.Errorf("lock --out %s: %v", dir, unwrapPath(err))}
	}
	remove := func() { _ = os.Remove(path) }
	unregister := cli.OnExit(remove)
	return func() {
		unregister()
		remove()
	}, nil
}

// takeLock creates the lock file at path holding this process's id, or
// fails with fs.ErrExist if it is there. The id is written to a temporary
// file first, which is then hard-linked to path (link fails if path
// exists): so the lock file, once it exists, always names its holder. A
// lock created empty and then written could be left empty by a kill -9
// between the two, and an empty lock cannot be told stale (staleLock) —
// the signal soak test hit that window on a loaded machine.
func takeLock(dir, path string) error {
	tmp, err := os.CreateTemp(dir, lockName+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, werr := fmt.Fprintf(tmp, "%d\n", os.Getpid())
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return werr
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) && errors.Is(le.Err, fs.ErrExist) {
			return fs.ErrExist
		}
		return err
	}
	return nil
}

// staleLock reports whether the lock file at path names a process that no
// longer exists (kill(pid, 0) fails with ESRCH). A lock whose holder
// cannot be read is not stale: it may be being written. A reused pid keeps
// a stale lock held; removing the file clears it.
func staleLock(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
