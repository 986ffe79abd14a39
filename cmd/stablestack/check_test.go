package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// These tests run the built binary in temporary projects, as CI and
// pre-commit do: real flags, real exit codes, real files.

var binary string // built once by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stablestack-bin-")
	if err != nil {
		panic(err)
	}
	// World-readable, so the permission test can run the binary as nobody.
	os.Chmod(dir, 0o755)
	binary = filepath.Join(dir, "stablestack")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func runIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runCmd(t, exec.Command(binary, args...), dir)
}

func runCmd(t *testing.T, cmd *exec.Cmd, dir string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &errOut
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errOut.String(), code}
}

func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const unprotected = `from fastapi import FastAPI

app = FastAPI()


@app.post("/login")
def login():
    return {}
`

const clean = `def add(a, b):
    return a + b
`

func TestCheckExitCodes(t *testing.T) {
	dirty := project(t, map[string]string{"app.py": unprotected, "requirements.txt": "fastapi\n"})
	tidy := project(t, map[string]string{"util.py": clean})
	for _, tc := range []struct {
		name string
		dir  string
		args []string
		code int
		out  string // substring of stdout
		err  string // substring of stderr
	}{
		{"findings", dirty, []string{"check", "."}, 1, "app.py:6:1: RATE001 POST /login has no rate limiting\n", ""},
		{"bare path means check", dirty, []string{"."}, 1, "app.py:6:1: RATE001", ""},
		{"default path is .", dirty, []string{"check"}, 1, "app.py:6:1: RATE001", ""},
		{"flags after paths", dirty, []string{"check", ".", "--format", "github"}, 1, "::warning file=app.py,line=6,col=1,", ""},
		{"exit-zero", dirty, []string{"check", "--exit-zero", "."}, 0, "app.py:6:1: RATE001", ""},
		{"ignore", dirty, []string{"check", "--ignore", "RATE001", "."}, 0, "", ""},
		{"select other rule", dirty, []string{"check", "--select=RATE002", "."}, 0, "", ""},
		{"clean", tidy, []string{"check", "."}, 0, "", ""},
		{"unknown flag", dirty, []string{"check", "--frobnicate", "."}, 2, "", "flag provided but not defined"},
		{"unknown format", dirty, []string{"check", "--format", "xml", "."}, 2, "", `unknown format "xml"`},
		{"unknown rule", dirty, []string{"check", "--select", "RATE999"}, 2, "", `unknown rule "RATE999"`},
		{"fix with diff", dirty, []string{"check", "--fix", "--diff"}, 2, "", "cannot be used together"},
		{"missing path", dirty, []string{"check", "nope.py"}, 2, "", "nope.py: error: no such file or directory"},
		{"help", dirty, []string{"check", "-h"}, 0, "Usage: stablestack check", ""},
		{"double dash", dirty, []string{"check", "--", "app.py"}, 1, "app.py:6:1: RATE001", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runIn(t, tc.dir, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.out) || !strings.Contains(r.stderr, tc.err) {
				t.Errorf("stablestack %s: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stdout containing %q, stderr containing %q",
					strings.Join(tc.args, " "), r.code, tc.code, r.stdout, r.stderr, tc.out, tc.err)
			}
			if tc.code == 2 && r.stdout != "" && tc.name != "help" {
				t.Errorf("an error run printed to stdout:\n%s", r.stdout)
			}
		})
	}
}

func TestCheckMachineFormats(t *testing.T) {
	dir := project(t, map[string]string{"app.py": unprotected})
	r := runIn(t, dir, "check", "--format", "json", ".")
	var doc struct {
		Findings []struct {
			Rule, Path string
			Start      struct{ Line, Column int }
		}
		Summary struct{ Findings int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 1 {
		t.Fatalf("json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if len(doc.Findings) != 1 || doc.Findings[0].Rule != "RATE001" || doc.Findings[0].Path != "app.py" ||
		doc.Findings[0].Start.Line != 6 || doc.Findings[0].Start.Column != 1 || doc.Summary.Findings != 1 {
		t.Errorf("json findings: %+v", doc)
	}
	r = runIn(t, dir, "check", "--format", "sarif", ".")
	var log struct {
		Version string
		Runs    []struct{ Results []struct{ RuleID string } }
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil || log.Version != "2.1.0" || len(log.Runs[0].Results) != 1 {
		t.Errorf("sarif: %v %+v\n%s", err, log, r.stdout)
	}
}

// TestCheckDiffThenFix: --diff writes nothing and its output, applied with
// git apply, gives exactly what --fix writes; after --fix the project is clean.
func TestCheckDiffThenFix(t *testing.T) {
	files := map[string]string{"app.py": unprotected, "requirements.txt": "fastapi\n"}
	dir := project(t, files)
	r := runIn(t, dir, "check", "--diff")
	if r.code != 1 || !strings.Contains(r.stdout, "+@rate_limit(requests=100, window=60)\n") ||
		!strings.Contains(r.stdout, "+++ b/stablestack_rate_limiter.py\n") {
		t.Fatalf("--diff: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "app.py")); string(b) != unprotected {
		t.Fatal("--diff modified app.py")
	}
	if _, err := os.Stat(filepath.Join(dir, "stablestack_rate_limiter.py")); err == nil {
		t.Fatal("--diff created the module")
	}
	patched := project(t, files)
	git := exec.Command("git", "apply", "-")
	git.Stdin = strings.NewReader(r.stdout)
	if g := runCmd(t, git, patched); g.code != 0 {
		t.Fatalf("git apply: %s", g.stderr)
	}

	r = runIn(t, dir, "check", "--fix")
	if r.code != 0 || !strings.Contains(r.stdout, "fixed app.py: 1 finding fixed") ||
		!strings.Contains(r.stdout, "created stablestack_rate_limiter.py") {
		t.Fatalf("--fix: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, name := range []string{"app.py", "stablestack_rate_limiter.py"} {
		fixed, _ := os.ReadFile(filepath.Join(dir, name))
		applied, _ := os.ReadFile(filepath.Join(patched, name))
		if !bytes.Equal(fixed, applied) || len(fixed) == 0 {
			t.Errorf("%s: --fix and the applied --diff differ", name)
		}
	}
	if r := runIn(t, dir, "check"); r.code != 0 {
		t.Errorf("after --fix: exit %d\n%s", r.code, r.stdout)
	}
	if r := runIn(t, dir, "check", "--diff"); r.code != 0 || r.stdout != "" {
		t.Errorf("--diff after --fix: exit %d\n%s", r.code, r.stdout)
	}
}

// TestCheckBadInput: each kind of bad file is reported on stderr, never
// crashes, and fails the run only when named explicitly.
func TestCheckBadInput(t *testing.T) {
	dir := project(t, map[string]string{
		"app.py":    unprotected,
		"bin.py":    "import os\x00\x00",
		"latin1.py": "# caf\xe9\nfrom flask import Flask\nweb = Flask(__name__)\n@web.route('/x', methods=['POST'])\ndef x():\n    return ''\n",
		"broken.py": "from flask import Flask\nweb = Flask(__name__)\ndef (:\n",
	})
	if err := os.Symlink("loop.py", filepath.Join(dir, "loop.py")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b.py", filepath.Join(dir, "a.py")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.py", filepath.Join(dir, "b.py")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(dir, "self")); err != nil { // a directory loop
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.py"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := runIn(t, dir, "check", ".")
	if r.code != 1 {
		t.Errorf("walk: exit %d, want 1 (findings; bad files found by walking do not fail the run)\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"bin.py: warning: skipped: binary file",
		"latin1.py:1:6: warning: invalid UTF-8",
		"broken.py:3:",
		"warning: syntax error",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("walk: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "app.py:6:1: RATE001") || !strings.Contains(r.stdout, "latin1.py:4:1: RATE001") {
		t.Errorf("walk: findings missing:\n%s", r.stdout)
	}

	for _, tc := range []struct{ path, msg string }{
		{"bin.py", "bin.py: error: skipped: binary file"},
		{"loop.py", "loop.py: error: "},
		{"a.py", "a.py: error: "},
		{"pipe.py", "pipe.py: error: skipped: not a regular file"},
	} {
		r := runIn(t, dir, "check", tc.path, "app.py")
		if r.code != 2 || !strings.Contains(r.stderr, tc.msg) || !strings.Contains(r.stdout, "app.py:6:1: RATE001") {
			t.Errorf("check %s app.py: exit %d (want 2), stderr %q (want %q), stdout %q", tc.path, r.code, r.stderr, tc.msg, r.stdout)
		}
	}
}

// TestCheckUnreadableFile uses chmod 000. Root reads such files anyway, so
// as root the binary runs as nobody (uid 65534) to see a real EACCES.
func TestCheckUnreadableFile(t *testing.T) {
	dir := project(t, map[string]string{"app.py": unprotected, "secret.py": unprotected})
	if os.Geteuid() == 0 {
		// nobody must reach the project and the binary: t.TempDir() and
		// os.MkdirTemp make private directories.
		for _, start := range []string{dir, filepath.Dir(binary)} {
			for d := start; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
				os.Chmod(d, 0o755)
			}
			for d := start; ; d = filepath.Dir(d) {
				if info, err := os.Stat(d); err != nil || info.Mode().Perm()&0o001 == 0 {
					msg := d + " is not world-searchable: set TMPDIR to a directory that is (such as /tmp) for this test"
					if os.Getenv("CI") == "true" {
						t.Fatal(msg)
					}
					t.Skip("SKIPPED: " + msg)
				}
				if d == "/" {
					break
				}
			}
		}
	}
	if err := os.Chmod(filepath.Join(dir, "secret.py"), 0); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) result {
		cmd := exec.Command(binary, args...)
		if os.Geteuid() == 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		}
		return runCmd(t, cmd, dir)
	}
	r := run("check", ".")
	if r.code != 1 || !strings.Contains(r.stderr, "secret.py: warning: skipped: permission denied") {
		t.Errorf("walk: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = run("check", "secret.py")
	if r.code != 2 || !strings.Contains(r.stderr, "secret.py: error: skipped: permission denied") {
		t.Errorf("explicit: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// TestCheckProgressOnlyOnTerminal runs the binary under script(1), which
// gives it a terminal: progress and colour appear there and never in pipes.
func TestCheckProgressOnlyOnTerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("script(1) (bsdutils) is required under CI=true")
		}
		t.Skip("SKIPPED: script(1) not installed")
	}
	dir := project(t, map[string]string{"app.py": unprotected})
	piped := runIn(t, dir, "check", ".")
	if strings.Contains(piped.stderr, "checking") || strings.Contains(piped.stdout, "\x1b[") {
		t.Errorf("piped output has progress or colour:\nstdout %q\nstderr %q", piped.stdout, piped.stderr)
	}
	tty := runCmd(t, exec.Command(script, "-qec", binary+" check .", "/dev/null"), dir)
	for _, want := range []string{"checking 1/1 files", "\x1b[1mapp.py\x1b[0m:6:1", "1 problem (1 RATE001) in 1 file"} {
		if !strings.Contains(tty.stdout, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, tty.stdout)
		}
	}
	if tty.code != 1 {
		t.Errorf("terminal run: exit %d", tty.code)
	}
}
