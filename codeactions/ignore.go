package codeactions

import (
	"fmt"
	"regexp"

	"github.com/stablestack/stablestack/analysis"
)

// ignore builds "Ignore RATE00x for this line": a suppression comment in the
// file's comment syntax on its own line above the finding, indented like that
// line (analysis.FindSuppressions honours a comment on the line above). A
// comment already there gains the rule instead of a second line.
func (fc *fileCtx) ignore(i int, f analysis.Finding) (fix, bool) {
	if f.Rule == nil {
		return fix{}, false
	}
	leader := "#"
	if fc.family == "node" {
		leader = "//"
	}
	start := lineStart(fc.text, f.Span.Start)
	fx := fix{
		title:   fmt.Sprintf("Ignore %s for this line", f.Rule.ID),
		finding: i,
	}
	if start > 0 {
		prev := lineStart(fc.text, start-1)
		if m := ignoreList.FindSubmatchIndex(fc.text[prev:start]); m != nil && string(fc.text[prev+m[2]:prev+m[3]]) == leader {
			at := prev + m[5]
			fx.edits = []Edit{{Span: analysis.Span{Start: at, End: at}, NewText: ", " + f.Rule.ID}}
			return fx, true
		}
	}
	fx.edits = []Edit{{
		Span:    analysis.Span{Start: start, End: start},
		NewText: indentAt(fc.text, f.Span.Start) + leader + " stablestack: ignore[" + f.Rule.ID + "]" + fc.nl,
	}}
	return fx, true
}

// ignoreList matches a whole-line suppression comment listing rules; group 2
// ends just before its closing bracket.
var ignoreList = regexp.MustCompile(`^[ \t]*(#|//) stablestack: ignore\[([A-Za-z0-9, ]*)\][ \t]*\r?\n?$`)
