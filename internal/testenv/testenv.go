// Package testenv gives tests the real components they need (redis-server,
// node, python3) with one policy: a missing tool skips the test loudly on a
// developer's machine and fails it in CI (CI=true), where .ci/run installs
// everything and a silent skip would hide a broken install step.
package testenv

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Missing skips (locally) or fails (in CI) a test whose prerequisite is absent.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required in CI: %s", why)
	}
	t.Skipf("SKIPPING: %s; install it to run this test", why)
}

// Tool returns the path of an executable, or calls Missing.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, fmt.Sprintf("%s not installed (%v)", name, err))
	}
	return p
}

// FreePort asks the kernel for an unused loopback port.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Redis is a redis-server started for one test.
type Redis struct {
	Port int
	Addr string // 127.0.0.1:Port
	Cmd  *exec.Cmd
}

// StartRedis runs a real redis-server without persistence on a free loopback
// port until the test ends and waits until it answers PING. extra arguments
// are appended (e.g. "--cluster-enabled", "yes").
func StartRedis(t testing.TB, extra ...string) *Redis {
	t.Helper()
	bin := Tool(t, "redis-server")
	port := FreePort(t)
	dir := t.TempDir()
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log")}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	r := &Redis{Port: port, Addr: fmt.Sprintf("127.0.0.1:%d", port), Cmd: cmd}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := Ping(r.Addr)
		if err == nil {
			return r
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not start: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Ping sends PING in RESP and expects +PONG.
func Ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}
