package scaffold

// Test helpers that run a real redis-server on a free loopback port and talk to
// it with a minimal RESP client, so the script is checked by Redis itself.

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/stablestack/stablestack/internal/testenv"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

type redisServer struct {
	Port int
	Addr string
	cmd  *exec.Cmd
}

// startRedis starts redis-server without persistence (internal/testenv);
// extra arguments are appended (e.g. "--cluster-enabled", "yes").
func startRedis(t testing.TB, extra ...string) *redisServer {
	t.Helper()
	r := testenv.StartRedis(t, extra...)
	return &redisServer{Port: r.Port, Addr: r.Addr, cmd: r.Cmd}
}

// respConn is just enough RESP2 for tests: bulk-string commands and all reply types.
type respConn struct {
	c net.Conn
	r *bufio.Reader
}

// redisError is an error reply such as NOSCRIPT or CROSSSLOT.
type redisError string

func (e redisError) Error() string { return string(e) }

func dialRedis(addr string) (*respConn, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &respConn{c: c, r: bufio.NewReader(c)}, nil
}

func (rc *respConn) close() { rc.c.Close() }

// connectRedis starts a fresh redis-server for the test and returns a
// connection to it, closed when the test ends.
func connectRedis(t testing.TB) *respConn {
	t.Helper()
	c, err := dialRedis(startRedis(t).Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	return c
}

func (rc *respConn) do(args ...string) (any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.c.Write([]byte(b.String())); err != nil {
		return nil, err
	}
	return rc.read()
}

func (rc *respConn) read() (any, error) {
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty RESP line")
	}
	body := line[1:]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, redisError(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rc.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		var firstErr error
		for i := range out {
			v, err := rc.read()
			if err != nil {
				var re redisError
				if !errors.As(err, &re) {
					return nil, err
				}
				if firstErr == nil {
					firstErr = err
				}
			}
			out[i] = v
		}
		return out, firstErr
	}
	return nil, fmt.Errorf("unexpected RESP line %q", line)
}

// scriptReply parses a limiter script's reply (protocol 2): one status string of
// decimal integers separated by single spaces. Anything else fails the test.
func scriptReply(t testing.TB, v any) []int64 {
	t.Helper()
	s, ok := v.(string)
	if !ok || s == "" {
		t.Fatalf("script reply %#v, want one status string of integers", v)
	}
	fields := strings.Split(s, " ")
	out := make([]int64, len(fields))
	for i, f := range fields {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || strconv.FormatInt(n, 10) != f {
			t.Fatalf("script reply %q: field %d (%q) is not a decimal integer", s, i, f)
		}
		out[i] = n
	}
	return out
}

// mustDo runs a command and fails the test on any error.
func (rc *respConn) mustDo(t testing.TB, args ...string) any {
	t.Helper()
	v, err := rc.do(args...)
	if err != nil {
		t.Fatalf("redis %v: %v", args, err)
	}
	return v
}
