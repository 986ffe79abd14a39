package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAddRateLimiter(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("fastapi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runCmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(append([]string{"add-rate-limiter"}, args...), nil, &out, &errb)
		return code, out.String(), errb.String()
	}

	code, out, errs := runCmd("--dir", dir)
	if code != exitClean || !strings.Contains(out, "created stablestack_rate_limiter.py") ||
		!strings.Contains(out, "added redis>=4.2 to requirements.txt") {
		t.Fatalf("first run: %d %q %q", code, out, errs)
	}
	req, _ := os.ReadFile(filepath.Join(dir, "requirements.txt"))
	if string(req) != "fastapi\nredis>=4.2\n" {
		t.Fatalf("requirements.txt = %q", req)
	}

	code, out, _ = runCmd("--dir", dir, "--lang", "python")
	if code != exitClean || !strings.Contains(out, "unchanged stablestack_rate_limiter.py") {
		t.Fatalf("second run: %d %q", code, out)
	}

	mod := filepath.Join(dir, "stablestack_rate_limiter.py")
	f, _ := os.OpenFile(mod, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("# tuned by hand\n")
	f.Close()
	code, _, errs = runCmd("--dir", dir)
	if code != exitError || !strings.Contains(errs, "--force") {
		t.Fatalf("edited copy: %d %q", code, errs)
	}
	if data, _ := os.ReadFile(mod); !bytes.HasSuffix(data, []byte("# tuned by hand\n")) {
		t.Fatal("edited copy was overwritten without --force")
	}
	code, out, _ = runCmd("--dir", dir, "--force")
	if code != exitClean || !strings.Contains(out, "updated stablestack_rate_limiter.py") {
		t.Fatalf("forced run: %d %q", code, out)
	}
}

func TestAddRateLimiterErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--dir", t.TempDir()},                   // nothing to detect a language from
		{"--dir", t.TempDir(), "--lang", "ruby"}, // unknown language
		{"--dir", "/nonexistent/dir", "--lang", "python"},
		{"--bogus"},
		{"extra-arg"},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"add-rate-limiter"}, args...), nil, &out, &errb); code != exitError || errb.Len() == 0 {
			t.Errorf("%v: code %d, stderr %q", args, code, errb.String())
		}
	}
}
