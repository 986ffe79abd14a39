package check

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// TestLargeFiles: files over the size from which they are summarized in
// pieces (engine.OpenLarge) are reported as a whole-file parse would: every
// unprotected route at its line, and a syntax error where a broken one has
// it (a broken file is parsed whole).
func TestLargeFiles(t *testing.T) {
	dir := t.TempDir()
	var js, broken, py strings.Builder
	js.WriteString("const express = require('express');\nconst app = express();\n")
	py.WriteString("from fastapi import FastAPI\napp = FastAPI()\n")
	for i := 0; i < 4000; i++ {
		// (No number in the bodies: one that responds 429 counts as a limiter.)
		fmt.Fprintf(&js, "\napp.get('/items/%d', (req, res) => {\n  res.json({ q: req.query.q });\n});\n", i)
		fmt.Fprintf(&py, "\n@app.get('/items/%d')\nasync def item_%d(q: str = ''):\n    return {'q': q}\n", i, i)
	}
	b := js.String()
	cut := strings.Index(b, "\napp.get('/items/2000'")
	broken.WriteString(b[:cut] + "\n)}]{\n" + b[cut:])
	for text, lang := range map[string]syntax.Language{js.String(): syntax.JavaScript, py.String(): syntax.Python} {
		if _, ok := engine.OpenLarge("/large", lang, []byte(text), nil, 0); !ok {
			t.Fatalf("the %s file is not opened in pieces: this test would not cover that path", lang)
		}
	}
	write(t, dir, "server.js", js.String())
	write(t, dir, "broken.js", broken.String())
	write(t, dir, "app.py", py.String())
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), Options{Dir: dir, Color: "never"}, &out, &errOut); code != ExitFindings {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	report := out.String() + errOut.String()
	for _, want := range []string{
		"server.js:4:1: RATE001", "server.js:16000:1: RATE001", // the first and the last route
		"app.py:4:1: RATE001", "app.py:16000:1: RATE001",
		"broken.js:8004:1: warning: syntax error",
		"broken.js:4:1: RATE001", "broken.js:16002:1: RATE001",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("missing %q", want)
		}
	}
	perFile := map[string]int{}
	for _, line := range strings.Split(report, "\n") {
		if file, _, ok := strings.Cut(line, ":"); ok && strings.Contains(line, ": RATE001 ") {
			perFile[file]++
		}
	}
	for _, file := range []string{"server.js", "app.py"} {
		if perFile[file] != 4000 {
			t.Errorf("%s: %d findings, want one per route (4000)", file, perFile[file])
		}
	}
}
