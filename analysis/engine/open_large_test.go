package engine_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// largeSources are texts over OpenLarge's threshold: Express and FastAPI
// modules with four thousand routes each.
func largeSources() map[syntax.Language]string {
	var js, py strings.Builder
	js.WriteString("const express = require('express');\nconst app = express();\n")
	py.WriteString("from fastapi import FastAPI\napp = FastAPI()\nhits = {}\n")
	for i := 0; i < 4000; i++ {
		fmt.Fprintf(&js, "\napp.get('/items/%d', (req, res) => {\n  res.json({ item: %d, q: req.query.q });\n});\n", i, i)
		fmt.Fprintf(&py, "\n@app.get('/items/%d')\nasync def item_%d(q: str = ''):\n    return {'item': %d, 'q': q}\n", i, i, i)
	}
	return map[syntax.Language]string{syntax.JavaScript: js.String(), syntax.Python: py.String()}
}

// TestSummarizeLargeTextInPieces: Summarize without a tree opens a large
// text in pieces, and gives the facts of a whole-file parse; with a syntax
// error in the middle, OpenLarge declines and the whole-file parse is used.
func TestSummarizeLargeTextInPieces(t *testing.T) {
	for lang, src := range largeSources() {
		broken := src[:len(src)/2] + "\n)}]{\n" + src[len(src)/2:]
		for _, text := range []string{src, broken} {
			_, opened := engine.OpenLarge("/w/large", lang, []byte(text), nil, 0)
			if want := text == src; opened != want {
				t.Fatalf("%s (broken %v): OpenLarge answered %v", lang, text != src, opened)
			}
			got, err := engine.Summarize("/w/large", lang, []byte(text), nil, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			tree, err := syntax.Parse(lang, []byte(text))
			if err != nil {
				t.Fatal(err)
			}
			want := analysis.FrontendFor(lang).Summarize("/w/large", []byte(text), tree, nil)
			tree.Close()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (broken %v): facts differ from a whole-file parse", lang, text != src)
			}
		}
		if _, ok := engine.OpenLarge("/w/small", lang, []byte(src[:10<<10]), nil, 0); ok {
			t.Errorf("%s: a 10 KB text was opened in pieces", lang)
		}
	}
}
