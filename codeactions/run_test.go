package codeactions

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/internal/txtar"
)

// python is Debian's interpreter, where python3-redis and the frameworks live.
const python = "/usr/bin/python3"

// The limit the fixed apps run with: small, so a test sends few requests and
// waits at most a couple of seconds for the window to slide.
const (
	runRequests = 3
	runWindow   = 2
)

// TestFixedAppsRun proves the fixes produce working code. Each
// testdata/run/*.txtar is an app with unprotected routes. The test takes it
// through fix-all exactly as an editor would (the limiter module arrives as
// the action's CreateFile), starts it against a real redis-server, and hits
// the route: requests 1..N pass, N+1 gets 429 with an integer Retry-After
// >= 1 and the RateLimit-Policy / RateLimit headers, and after waiting
// Retry-After seconds a request passes again.
//
// The "run" section of an archive says how:
//
//	lang: python            (or node)
//	needs: fastapi uvicorn  (Python modules / npm packages the app imports)
//	start: {python} -m uvicorn app:app --host 127.0.0.1 --port {port}
//	hit: POST /login
func TestFixedAppsRun(t *testing.T) {
	files, _ := filepath.Glob("testdata/run/*.txtar")
	if len(files) == 0 {
		t.Fatal("no apps in testdata/run")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runSlots <- struct{}{}
			defer func() { <-runSlots }()
			runApp(t, path)
		})
	}
}

// runSlots bounds how many apps run at once: each is a server process plus
// a Redis, and a starved machine makes the limiter fail open.
var runSlots = make(chan struct{}, 4)

type runSpec struct {
	lang, start, method, route string
	needs                      []string
	// action, when set, is the title of the quick fix to apply to every
	// finding that offers it (instead of fix-all).
	action string
	// requests and window are the limit the fixed app enforces (default:
	// the configured runRequests / runWindow).
	requests, window int
	// library marks an app that keeps a third-party limiter: its 429 is
	// checked, and that its counts are in Redis, but not our headers.
	library bool
}

func parseRunSpec(t *testing.T, ar *txtar.Archive) runSpec {
	var s runSpec
	for _, l := range strings.Split(string(ar.Get("run")), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "lang":
			s.lang = v
		case "needs":
			s.needs = strings.Fields(v)
		case "start":
			s.start = v
		case "hit":
			s.method, s.route, _ = strings.Cut(v, " ")
		case "action":
			s.action = v
		case "requests":
			s.requests, _ = strconv.Atoi(v)
		case "window":
			s.window, _ = strconv.Atoi(v)
		case "library":
			s.library = v == "true"
		default:
			t.Fatalf("unknown run key %q", k)
		}
	}
	if s.lang == "" || s.start == "" || s.route == "" {
		t.Fatalf("run section needs lang, start and hit")
	}
	if s.requests == 0 {
		s.requests = runRequests
	}
	if s.window == 0 {
		s.window = runWindow
	}
	return s
}

func runApp(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ar := txtar.Parse(data)
	spec := parseRunSpec(t, ar)
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
	cfg := analysis.DefaultConfig()
	cfg.Requests, cfg.Window = runRequests, runWindow
	p := newProject(t, sources, cfg)
	if spec.action != "" {
		applyEverywhere(t, p, sources, spec.action)
	} else {
		fixProject(t, p, sources)
	}
	if spec.lang == "node" {
		modules, _ := filepath.Abs(filepath.Join("testdata", "node", "node_modules"))
		if err := os.Symlink(modules, filepath.Join(p.dir, "node_modules")); err != nil {
			t.Fatal(err)
		}
	}

	port := freePort(t)
	app := startApp(t, p.dir, spec.start, port, redisAddr)
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, spec.route)
	client := &http.Client{Timeout: 10 * time.Second}
	// The limiter fails open when Redis is slower than its 100 ms budget,
	// which a loaded test machine can cause (the first call also connects
	// and loads the script). A request let through that way is not counted,
	// so a run that saw the limiter fail open is repeated once the counts
	// have expired, instead of reporting a limit that was never checked.
	for attempt := 1; ; attempt++ {
		res, problem := limitedRun(t, client, spec, url, app)
		if problem == "" {
			checkLimited(t, spec, res, client, url, app, redisAddr)
			return
		}
		if attempt == 3 || !failedOpen(app.output()) {
			t.Fatalf("%s\napp output:\n%s", problem, app.output())
		}
		t.Logf("attempt %d: %s after the limiter failed open on a slow Redis; retrying", attempt, problem)
		time.Sleep(time.Duration(2*spec.window+1) * time.Second)
	}
}

// failedOpen reports whether the app logged that the limiter let requests
// through because Redis did not answer in time.
func failedOpen(output string) bool {
	return strings.Contains(output, "Redis unavailable") || strings.Contains(output, "cannot reach Redis")
}

// limitedRun sends requests 1..N+1 and returns the last response, or what
// went wrong.
func limitedRun(t *testing.T, client *http.Client, spec runSpec, url string, app *app) (response, string) {
	for i := 1; i <= spec.requests; i++ {
		if res := send(t, client, spec.method, url, app); res.StatusCode >= 400 {
			return res, fmt.Sprintf("request %d: %d %s", i, res.StatusCode, res.body)
		}
	}
	res := send(t, client, spec.method, url, app)
	if res.StatusCode != http.StatusTooManyRequests {
		return res, fmt.Sprintf("request %d: got %d, want 429", spec.requests+1, res.StatusCode)
	}
	return res, ""
}

// checkLimited checks the 429: the counts in Redis for a library, else our
// headers, and that waiting Retry-After lets the next request in.
func checkLimited(t *testing.T, spec runSpec, res response, client *http.Client, url string, app *app, redisAddr string) {
	if spec.library {
		// The library's own responses; what the fix changed is where the
		// counts live.
		if n, err := dbsize(redisAddr); err != nil || n == 0 {
			t.Errorf("Redis holds %d keys (%v): the library is not counting in Redis", n, err)
		}
		return
	}
	retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
	// A sliding-window counter may ask for more than one window: the full
	// current bucket still weighs on the start of the next one.
	if err != nil || retry < 1 || retry > 2*spec.window {
		t.Errorf("Retry-After = %q, want an integer in [1, %d]", res.Header.Get("Retry-After"), 2*spec.window)
	}
	policy := res.Header.Get("RateLimit-Policy")
	if !strings.Contains(policy, fmt.Sprintf("q=%d", spec.requests)) || !strings.Contains(policy, fmt.Sprintf("w=%d", spec.window)) {
		t.Errorf("RateLimit-Policy = %q, want q=%d and w=%d", policy, spec.requests, spec.window)
	}
	if res.Header.Get("RateLimit") == "" {
		t.Errorf("no RateLimit header on the 429 (headers: %v)", res.Header)
	}
	if retry >= 1 {
		// Waiting is the behaviour under test (Retry-After is honoured), not a
		// timing assertion: the wait is exactly what the server asked for.
		time.Sleep(time.Duration(retry)*time.Second + 100*time.Millisecond)
		if res := send(t, client, spec.method, url, app); res.StatusCode >= 400 {
			t.Errorf("after waiting Retry-After=%ds: got %d, want a pass\napp output:\n%s", retry, res.StatusCode, app.output())
		}
	}
}

// needPython skips (fails in CI) unless Debian's python3 imports modules.
func needPython(t *testing.T, modules ...string) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		missing(t, python+" not found")
	}
	out, err := exec.Command(python, "-c", "import "+strings.Join(modules, ", ")).CombinedOutput()
	if err != nil {
		missing(t, fmt.Sprintf("python modules %v (Debian python3-* packages): %s", modules, out))
	}
}

// app is a started server process.
type app struct {
	cmd *exec.Cmd
	out *lockedBuffer
}

func (a *app) output() string { return a.out.String() }

// startApp runs start (with {python} and {port} substituted) in dir, with
// REDIS_URL pointing at the test's Redis, and waits until the port accepts
// connections. The process group is killed when the test ends.
func startApp(t *testing.T, dir, start string, port int, redisAddr string) *app {
	t.Helper()
	start = strings.NewReplacer("{python}", python, "{port}", strconv.Itoa(port)).Replace(start)
	argv := strings.Fields(start)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"REDIS_URL=redis://"+redisAddr+"/0",
		"PORT="+strconv.Itoa(port),
		"PYTHONPATH="+dir,
		"PYTHONDONTWRITEBYTECODE=1",
		"NODE_ENV=production",
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	a := &app{cmd: cmd, out: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = a.out, a.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("%s exited before listening: %v\n%s", start, err, a.output())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s\n%s", start, addr, a.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type response struct {
	*http.Response
	body string
}

func send(t *testing.T, c *http.Client, method, url string, a *app) response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v\napp output:\n%s", method, url, err, a.output())
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res, string(body)}
}

// lockedBuffer collects a process's output while tests read it.
type lockedBuffer struct {
	mu syncMutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
