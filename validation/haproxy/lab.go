// Package haproxy validates drainsim against a real HAProxy draining real
// connections on loopback (issue #14). A Lab starts its own HAProxy with an
// admin socket on 127.0.0.1, N real backends (HTTP or raw TCP) whose
// requests last the duration the client asks for, and an open-loop Poisson
// client; it performs a scale-in as the model describes it and counts what
// the clients see. Compare then runs drainsim on the equivalent scenario.
//
// The runtime-API commands of a scale-in, and why (HAProxy 2.6 management
// guide, "9.3 Unix Socket commands"):
//
//   - "set server be/s1 state drain": the server gets no new traffic (its
//     effective weight is 0; only persistent sessions, of which there are
//     none here, would still reach it) and keeps every established
//     session. This is deregistration with no propagation lag.
//   - after the delay, "set server be/s1 state maint; shutdown sessions
//     server be/s1": maint takes it out of the farm for good, and maint
//     alone keeps established sessions (only on-marked-down
//     shutdown-sessions would cut them); shutdown sessions closes every
//     session still on the server. This is what the ALB (and an NLB with
//     connection_termination) does at expiry. The two commands go in one
//     line, one round trip.
//   - "set server be/s1 state ready" restores the server between
//     replications.
//
// Nothing here prints; only 127.0.0.1 is used; every wait is bounded.
package haproxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Binary is the HAProxy executable the lab runs; found on PATH or in
// /usr/sbin (Debian's haproxy package).
func Binary() (string, error) {
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy", nil
	}
	return "", errors.New("haproxy not found (install Debian's haproxy package: apt-get install -y haproxy)")
}

// LabConfig describes one HAProxy setup.
type LabConfig struct {
	Servers int    // backends, at least 1
	Mode    string // "http" or "tcp"
	Balance string // HAProxy balance line: "roundrobin", "random(1)", "random"
}

// Lab is a running HAProxy with its backends.
type Lab struct {
	mu       sync.Mutex
	cfg      LabConfig
	dir      string
	cmd      *exec.Cmd
	exited   chan struct{}
	admin    string // 127.0.0.1:port of the runtime API
	Frontend string // 127.0.0.1:port clients connect to
	backends []*backend
	trs      map[bool]*http.Transport // the clients' transports, by keep-alive
}

// transport returns the lab's client transport, with or without
// keep-alive; it lives as long as the lab, as a long-running client's does.
func (l *Lab) transport(keepAlive bool) *http.Transport {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.trs == nil {
		l.trs = map[bool]*http.Transport{}
	}
	if l.trs[keepAlive] == nil {
		l.trs[keepAlive] = &http.Transport{
			DisableKeepAlives:   !keepAlive,
			MaxIdleConns:        10000,
			MaxIdleConnsPerHost: 10000,
			IdleConnTimeout:     30 * time.Second,
		}
	}
	return l.trs[keepAlive]
}

// backend is one real server: an HTTP server whose handler sleeps for
// ?d=<microseconds>, or a TCP server that reads a line with the
// microseconds, sleeps, answers "ok\n" and closes.
type backend struct {
	// served counts the requests (HTTP) or connections (TCP) it received.
	served atomic.Int64
	ln     net.Listener
	srv    *http.Server
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func sleepFor(r string) time.Duration {
	us, err := strconv.ParseInt(strings.TrimSpace(r), 10, 64)
	if err != nil || us < 0 || us > 60e6 {
		return 0
	}
	return time.Duration(us) * time.Microsecond
}

func newBackend(mode string) (*backend, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &backend{ln: ln, conns: map[net.Conn]struct{}{}}
	if mode == "http" {
		b.srv = &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b.served.Add(1)
				t := time.NewTimer(sleepFor(r.URL.Query().Get("d")))
				defer t.Stop()
				select {
				case <-t.C:
					w.Header().Set("Content-Type", "text/plain")
					io.WriteString(w, "ok\n")
				case <-r.Context().Done():
				}
			}),
			ReadHeaderTimeout: 5 * time.Second,
			IdleTimeout:       60 * time.Second,
		}
		go b.srv.Serve(ln)
		return b, nil
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.served.Add(1)
			b.mu.Lock()
			b.conns[c] = struct{}{}
			b.mu.Unlock()
			go b.serveTCP(c)
		}
	}()
	return b, nil
}

func (b *backend) serveTCP(c net.Conn) {
	defer func() {
		b.mu.Lock()
		delete(b.conns, c)
		b.mu.Unlock()
		c.Close()
	}()
	c.SetDeadline(time.Now().Add(70 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	t := time.NewTimer(sleepFor(line))
	defer t.Stop()
	// A closed connection (killed by killConns) ends the wait: the read
	// returns at once.
	done := make(chan struct{})
	go func() { var b [1]byte; c.Read(b[:]); close(done) }()
	select {
	case <-t.C:
		io.WriteString(c, "ok\n")
	case <-done:
	}
}

// killConns resets every open TCP connection of the backend, as the
// termination of its instance does (the host is gone; SO_LINGER 0 sends a
// RST).
func (b *backend) killConns() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for c := range b.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
		n++
	}
	return n
}

func (b *backend) close() {
	if b.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		b.srv.Shutdown(ctx)
		b.srv.Close()
		return
	}
	b.ln.Close()
	b.killConns()
}

// Start launches the backends and HAProxy and waits (at most 10 s) until the
// runtime API answers.
func Start(cfg LabConfig) (*Lab, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	if cfg.Servers < 1 || cfg.Servers > 64 {
		return nil, fmt.Errorf("servers must be 1–64 (got %d)", cfg.Servers)
	}
	if cfg.Mode != "http" && cfg.Mode != "tcp" {
		return nil, fmt.Errorf("mode must be http or tcp (got %q)", cfg.Mode)
	}
	dir, err := os.MkdirTemp("", "drainsim-haproxy-")
	if err != nil {
		return nil, err
	}
	l := &Lab{cfg: cfg, dir: dir, exited: make(chan struct{})}
	fail := func(err error) (*Lab, error) { l.Close(); return nil, err }
	for range cfg.Servers {
		b, err := newBackend(cfg.Mode)
		if err != nil {
			return fail(err)
		}
		l.backends = append(l.backends, b)
	}
	ap, err := freePort()
	if err != nil {
		return fail(err)
	}
	fp, err := freePort()
	if err != nil {
		return fail(err)
	}
	l.admin = fmt.Sprintf("127.0.0.1:%d", ap)
	l.Frontend = fmt.Sprintf("127.0.0.1:%d", fp)
	var sb strings.Builder
	fmt.Fprintf(&sb, "global\n  stats socket ipv4@%s level admin\n  maxconn 4000\n\n", l.admin)
	fmt.Fprintf(&sb, "defaults\n  mode %s\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n", cfg.Mode)
	if cfg.Mode == "http" {
		// Keep-alive on both sides (HAProxy's default, said out loud).
		sb.WriteString("  option http-keep-alive\n  http-reuse safe\n")
	}
	fmt.Fprintf(&sb, "\nfrontend fe\n  bind %s\n  maxconn 4000\n  default_backend be\n\nbackend be\n  balance %s\n", l.Frontend, cfg.Balance)
	for i, b := range l.backends {
		// No health check: the runtime API alone sets the state. Weight
		// 256 (the largest) for all: round robin is unchanged by equal
		// weights, and random's consistent-hash ring gets 256×16 points
		// per server instead of 16, whose uneven arcs gave s1 about 29 %
		// of the requests instead of 25 % (docs/validation.md).
		fmt.Fprintf(&sb, "  server s%d %s weight 256 maxconn 2000\n", i+1, b.ln.Addr())
	}
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		return fail(err)
	}
	l.cmd = exec.Command(bin, "-db", "-f", path)
	dieWithParent(l.cmd)
	l.cmd.Stdout = io.Discard
	logf, err := os.Create(filepath.Join(dir, "haproxy.log"))
	if err != nil {
		return fail(err)
	}
	l.cmd.Stderr = logf
	if err := l.cmd.Start(); err != nil {
		logf.Close()
		return fail(err)
	}
	go func() { l.cmd.Wait(); logf.Close(); close(l.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := l.Command("show info"); err == nil {
			break
		}
		select {
		case <-l.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "haproxy.log"))
			return fail(fmt.Errorf("haproxy exited: %s", strings.TrimSpace(string(log))))
		default:
		}
		if time.Now().After(deadline) {
			return fail(errors.New("haproxy's runtime API did not answer within 10s"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return l, nil
}

// Command sends one runtime-API line and returns the answer (non-interactive
// mode: HAProxy closes after answering). Bounded to 2 s.
func (l *Lab) Command(line string) (string, error) {
	c, err := net.DialTimeout("tcp", l.admin, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	out := string(b)
	if err != nil {
		return out, err
	}
	// Successful set/shutdown commands answer an empty line; anything
	// else is an error message.
	if t := strings.TrimSpace(out); t != "" && !strings.HasPrefix(line, "show") {
		return out, fmt.Errorf("runtime API %q: %s", line, t)
	}
	return out, nil
}

// served returns how many requests each server has received so far.
func (l *Lab) served() []int64 {
	n := make([]int64, len(l.backends))
	for i, b := range l.backends {
		n[i] = b.served.Load()
	}
	return n
}

// killServer resets every connection of server i (1-based) on the backend
// side: its instance is terminated.
func (l *Lab) killServer(i int) int { return l.backends[i-1].killConns() }

// Close stops HAProxy (SIGTERM, then SIGKILL after 2 s) and the backends,
// and removes the temporary directory.
func (l *Lab) Close() {
	if l.cmd != nil && l.cmd.Process != nil {
		l.cmd.Process.Signal(os.Interrupt)
		select {
		case <-l.exited:
		case <-time.After(2 * time.Second):
			l.cmd.Process.Kill()
			<-l.exited
		}
	}
	for _, tr := range l.trs {
		tr.CloseIdleConnections()
	}
	for _, b := range l.backends {
		b.close()
	}
	os.RemoveAll(l.dir)
}
