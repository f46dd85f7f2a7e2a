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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) && staleLock(path) {
		// Its holder is gone (killed with kill -9, or the machine
		// restarted): take the lock over.
		_ = os.Remove(path)
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
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
	_, werr := fmt.Fprintf(f, "%d\n", os.Getpid())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	remove := func() { _ = os.Remove(path) }
	if werr != nil {
		remove()
		return nil, &runError{fmt.Errorf("lock --out %s: %v", dir, werr)}
	}
	unregister := onExit(remove)
	return func() {
		unregister()
		remove()
	}, nil
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
