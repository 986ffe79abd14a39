package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandNamesWinOverPaths: in a directory holding a folder named like a
// command (this repository has check/), the command must still run.
func TestCommandNamesWinOverPaths(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"check", "version"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, nil, &out, &errb); code != exitClean || !strings.HasPrefix(out.String(), "stablestack ") {
		t.Fatalf("version: exit %d, out %q, err %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"no-such-command"}, nil, &out, &errb); code != exitError || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("unknown command: exit %d, err %q", code, errb.String())
	}
}
