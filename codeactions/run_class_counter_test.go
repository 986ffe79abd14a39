package codeactions

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/internal/txtar"
)

// TestClassLimiterFixRuns proves the RATE002 fix for limiter classes
// produces code that limits across processes. Each testdata/runclass/*.txtar
// is an app whose routes call a hand-written limiter class (its own 429
// responses, so no RateLimit headers are expected). The test:
//
//  1. starts the app as it is, twice, and alternates requests 1..N+1
//     between the two processes: each process counts alone, so all N+1
//     pass (the control: what the in-memory limiter cannot do);
//  2. applies "Replace in-memory limiter with Redis-backed rate limit" as a
//     user would, starts the fixed app twice on one redis-server, and
//     alternates again: requests 1..N pass and request N+1 gets 429.
//
// The "run" section is the one of testdata/run (lang, needs, start, hit,
// action, requests). No timing is asserted: the window is long (60 s) and
// the test only counts.
func TestClassLimiterFixRuns(t *testing.T) {
	files, _ := filepath.Glob("testdata/runclass/*.txtar")
	if len(files) == 0 {
		t.Fatal("no apps in testdata/runclass")
	}
	// A generous Redis budget for the Python module, so a loaded machine
	// does not make it fail open (each test reads it at app start).
	t.Setenv("STABLESTACK_REDIS_TIMEOUT", "2")
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) { runClassApp(t, path) })
	}
}

func runClassApp(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ar := txtar.Parse(data)
	spec := parseRunSpec(t, ar)
	if spec.action == "" {
		t.Fatal("runclass archives name the action to apply")
	}
	switch spec.lang {
	case "python":
		needPython(t, append([]string{"redis"}, spec.needs...)...)
	case "node":
		needTool(t, "node")
		ensureNodeModules(t)
		for _, pkg := range spec.needs {
			if _, err := os.Stat(filepath.Join("testdata", "node", "node_modules", pkg, "package.json")); err != nil {
				t.Fatalf("npm package %s is not in testdata/node/package.json: %v", pkg, err)
			}
		}
	}
	redisAddr := startRedis(t)
	sources := map[string][]byte{}
	for _, f := range ar.Files {
		if f.Name != "run" {
			sources[f.Name] = f.Data
		}
	}
	p := newProject(t, sources, analysis.DefaultConfig())
	if spec.lang == "node" {
		modules, _ := filepath.Abs(filepath.Join("testdata", "node", "node_modules"))
		if err := os.Symlink(modules, filepath.Join(p.dir, "node_modules")); err != nil {
			t.Fatal(err)
		}
	}
	client := &http.Client{Timeout: 10 * time.Second}

	// 1. The in-memory limiter, two processes: N+1 requests all pass.
	before := startPair(t, p.dir, spec, redisAddr)
	for i, res := range alternate(t, client, spec, before, spec.requests+1) {
		if res.StatusCode >= 400 {
			t.Fatalf("control (in-memory limiter, 2 processes): request %d got %d %s; the app must let N+1 through", i+1, res.StatusCode, res.body)
		}
	}
	before[0].stop()
	before[1].stop()

	// 2. The fixed code, two processes sharing Redis: exactly N pass.
	applyEverywhere(t, p, sources, spec.action)
	after := startPair(t, p.dir, spec, redisAddr)
	for attempt := 1; ; attempt++ {
		if err := redisCommand(redisAddr, "FLUSHDB"); err != nil {
			t.Fatal(err)
		}
		problem := ""
		for i, res := range alternate(t, client, spec, after, spec.requests+1) {
			switch {
			case i < spec.requests && res.StatusCode >= 400:
				problem = fmt.Sprintf("request %d (process %d): got %d %s, want a pass", i+1, i%2+1, res.StatusCode, res.body)
			case i == spec.requests && res.StatusCode != http.StatusTooManyRequests:
				problem = fmt.Sprintf("request %d (process %d): got %d %s, want 429", i+1, i%2+1, res.StatusCode, res.body)
			}
			if problem != "" {
				break
			}
		}
		if problem == "" {
			if n, err := dbsize(redisAddr); err != nil || n == 0 {
				t.Errorf("Redis holds %d keys (%v): the fixed limiter does not count there", n, err)
			}
			return
		}
		out := after[0].output() + after[1].output()
		if attempt == 3 || !failedOpen(out) {
			t.Fatalf("%s\nfixed code:\n%s\napp output:\n%s", problem, p.read(t, codeFiles(sources)[0]), out)
		}
		t.Logf("attempt %d: %s after the limiter failed open on a slow Redis; retrying", attempt, problem)
	}
}

// pairApp is one of the two processes of an app.
type pairApp struct {
	*app
	port int
}

// stop kills the process group now (the test's cleanup does it again,
// harmlessly, and reaps it).
func (a pairApp) stop() { _ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL) }

// startPair starts the app twice, on two ports, against one Redis.
func startPair(t *testing.T, dir string, spec runSpec, redisAddr string) [2]pairApp {
	t.Helper()
	var out [2]pairApp
	for i := range out {
		port := freePort(t)
		out[i] = pairApp{startApp(t, dir, spec.start, port, redisAddr), port}
	}
	return out
}

// alternate sends n requests, odd ones to the first process and even ones
// to the second.
func alternate(t *testing.T, client *http.Client, spec runSpec, apps [2]pairApp, n int) []response {
	t.Helper()
	var out []response
	for i := 0; i < n; i++ {
		a := apps[i%2]
		url := fmt.Sprintf("http://127.0.0.1:%d%s", a.port, spec.route)
		out = append(out, send(t, client, spec.method, url, a.app))
	}
	return out
}

// redisCommand sends one command (inline arguments) and requires a
// non-error reply.
func redisCommand(addr string, args ...string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	cmd := fmt.Sprintf("*%d\r\n", len(args))
	for _, a := range args {
		cmd += fmt.Sprintf("$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(cmd)); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.HasPrefix(line, "-") {
		return fmt.Errorf("%s: %s", args[0], strings.TrimSpace(line))
	}
	return nil
}
