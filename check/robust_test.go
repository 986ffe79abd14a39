package check

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// panicFrontend stands in for an analyzer bug: Go has no real frontend, so
// the test binary registers this one for .go files.
type panicFrontend struct{}

type goFacts struct{}

func (goFacts) Language() syntax.Language { return syntax.Go }

func (panicFrontend) Relevant(text []byte) bool { return true }

func (panicFrontend) Summarize(path string, text []byte, tree *syntax.Tree, prev analysis.Facts) analysis.Facts {
	if bytes.Contains(text, []byte("PANIC")) {
		panic("frontend bug")
	}
	return goFacts{}
}

func init() { analysis.RegisterFrontend(syntax.Go, panicFrontend{}) }

// TestAnalyzerPanicIsReported: a crash in the analyzer costs one file, is
// reported with the file's path, and fails the run (exit 2) even though the
// file was found by walking: it is our bug and may hide findings.
func TestAnalyzerPanicIsReported(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "boom.go", "package main // PANIC\n")
	write(t, dir, "app.py", "from fastapi import FastAPI\napp = FastAPI()\n@app.post('/x')\ndef x():\n    return {}\n")
	var out, errOut bytes.Buffer
	code := Run(context.Background(), Options{Dir: dir}, &out, &errOut)
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	if !strings.Contains(errOut.String(), "boom.go: error: internal error while summarizing this file") ||
		!strings.Contains(errOut.String(), "frontend bug") {
		t.Errorf("stderr does not report the panic:\n%s", errOut.String())
	}
	if !strings.Contains(out.String(), "app.py:3:1: RATE001") {
		t.Errorf("the other file's findings are missing:\n%s", out.String())
	}
}
