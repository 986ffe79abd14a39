package check

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/codeactions"
)

// requireTool finds a program; a missing one skips loudly, except under CI
// where it fails (CI must run every test).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required (CI=true): %v", name, err)
		}
		t.Skipf("SKIPPED: %s not installed: %v", name, err)
	}
	return p
}

// TestUnifiedDiffAppliesWithGit proves the diffs are real unified diffs:
// git apply turns the old text into exactly what codeactions.Apply makes,
// over random edits (insertions, deletions, replacements, edits on
// neighbouring lines, at the start and at an end without newline).
func TestUnifiedDiffAppliesWithGit(t *testing.T) {
	git := requireTool(t, "git")
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 200; i++ {
		old := randomText(rng)
		edits := randomEdits(rng, old)
		want, err := codeactions.Apply(old, edits)
		if err != nil {
			t.Fatal(err)
		}
		var diff bytes.Buffer
		if err := writeUnifiedDiff(&diff, "a/f.py", "b/f.py", old, edits); err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(want, old) {
			if diff.Len() != 0 {
				t.Fatalf("case %d: no change but a diff:\n%s", i, diff.String())
			}
			continue
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "f.py"), old, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(git, "apply", "--unsafe-paths", "-")
		cmd.Dir = dir
		cmd.Stdin = bytes.NewReader(diff.Bytes())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("case %d: git apply: %v\n%s\n--- old\n%q\n--- diff\n%s", i, err, out, old, diff.String())
		}
		got, _ := os.ReadFile(filepath.Join(dir, "f.py"))
		if !bytes.Equal(got, want) {
			t.Fatalf("case %d: applied diff gives\n%q\nwant\n%q\n--- diff\n%s", i, got, want, diff.String())
		}
		// git apply tolerates misplaced hunks; check the headers exactly.
		if err := checkHunkHeaders(old, want, diff.String()); err != nil {
			t.Fatalf("case %d: %v\n--- diff\n%s", i, err, diff.String())
		}
	}
}

// checkHunkHeaders verifies that each hunk's "@@ -a,b +c,d @@" ranges hold
// exactly the hunk's context and removed (old) or added (new) lines.
func checkHunkHeaders(old, new []byte, diff string) error {
	oldLines, newLines := splitLines(string(old)), splitLines(string(new))
	lines := strings.Split(diff, "\n")
	for i := 0; i < len(lines); i++ {
		var a, b, c, d int
		if _, err := fmt.Sscanf(lines[i], "@@ -%d,%d +%d,%d @@", &a, &b, &c, &d); err != nil {
			continue
		}
		var o, n []string
		for j := i + 1; j < len(lines) && lines[j] != "" && !strings.HasPrefix(lines[j], "@@") && !strings.HasPrefix(lines[j], "--- "); j++ {
			l := lines[j]
			nl := "\n"
			if j+1 < len(lines) && strings.HasPrefix(lines[j+1], "\\ No newline") {
				nl = ""
			}
			switch l[0] {
			case ' ':
				o, n = append(o, l[1:]+nl), append(n, l[1:]+nl)
			case '-':
				o = append(o, l[1:]+nl)
			case '+':
				n = append(n, l[1:]+nl)
			}
		}
		if len(o) != b || len(n) != d {
			return fmt.Errorf("hunk %q counts %d/%d lines", lines[i], len(o), len(n))
		}
		if b > 0 && strings.Join(oldLines[a-1:a-1+b], "") != strings.Join(o, "") {
			return fmt.Errorf("hunk %q: old lines do not match the file", lines[i])
		}
		if d > 0 && strings.Join(newLines[c-1:c-1+d], "") != strings.Join(n, "") {
			return fmt.Errorf("hunk %q: new lines do not match the result", lines[i])
		}
	}
	return nil
}

func randomText(rng *rand.Rand) []byte {
	var b strings.Builder
	n := rng.Intn(40)
	for i := 0; i < n; i++ {
		switch rng.Intn(4) {
		case 0:
			b.WriteString("\n")
		default:
			b.WriteString("line " + strings.Repeat("x", rng.Intn(5)) + string(rune('a'+i%26)) + "\n")
		}
	}
	s := b.String()
	if rng.Intn(3) == 0 {
		s = strings.TrimSuffix(s, "\n") // no newline at end of file
	}
	return []byte(s)
}

func randomEdits(rng *rand.Rand, text []byte) []codeactions.Edit {
	var edits []codeactions.Edit
	at := 0
	for at <= len(text) && len(edits) < 6 {
		start := at + rng.Intn(len(text)-at+1)
		end := start + rng.Intn(min(len(text)-start, 12)+1)
		if rng.Intn(2) == 0 {
			end = start // insertion
		}
		newText := []string{"", "@rate_limit(requests=100, window=60)\n", "X", "import a\n\n", "\n"}[rng.Intn(5)]
		edits = append(edits, codeactions.Edit{Span: analysis.Span{Start: start, End: end}, NewText: newText})
		at = end + 1 + rng.Intn(30)
	}
	return edits
}

func TestNewFileDiff(t *testing.T) {
	var b bytes.Buffer
	writeNewFileDiff(&b, "b/m.py", []byte("a\nb"))
	want := "--- /dev/null\n+++ b/m.py\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
