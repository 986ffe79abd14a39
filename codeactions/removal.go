package codeactions

import (
	"sort"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// removal collects the statements a rewrite deletes. Statements alone on
// their lines go with their lines, deletions separated only by blank lines
// become one, and the blank lines around a deletion shrink to the larger of
// the two gaps, so deleting a definition does not leave a gap of four.
type removal struct {
	fc    *fileCtx
	spans []analysis.Span
	extra []Edit // replacements that go with the deletions (a trimmed import)
}

func (r *removal) remove(n syntax.Node) {
	text := r.fc.text
	start, end := n.Start(), n.End()
	if onlySpaceBefore(text, start) && restOfLineBlank(text, end) {
		start, end = lineStart(text, start), nextLineStart(text, end)
	}
	r.spans = append(r.spans, analysis.Span{Start: start, End: end})
}

// restOfLineBlank reports whether only whitespace, a ";" or a comment
// follows off on its line.
func restOfLineBlank(text []byte, off int) bool {
	for i := off; i < len(text) && text[i] != '\n'; i++ {
		switch text[i] {
		case ' ', '\t', '\r', ';':
		case '#':
			return true
		case '/':
			return i+1 < len(text) && text[i+1] == '/'
		default:
			return false
		}
	}
	return true
}

// removed reports whether the node lies inside deleted code.
func (r *removal) removed(n syntax.Node) bool {
	for _, s := range r.spans {
		if s.Start <= n.Start() && n.End() <= s.End {
			return true
		}
	}
	return false
}

// edits returns the deletions, merged where they overlap or touch.
func (r *removal) edits() []Edit {
	spans := append([]analysis.Span(nil), r.spans...)
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	text := r.fc.text
	var out []Edit
	for _, s := range spans {
		if n := len(out); n > 0 && (s.Start <= out[n-1].Span.End || onlyBlank(text[out[n-1].Span.End:s.Start])) {
			if s.End > out[n-1].Span.End {
				out[n-1].Span.End = s.End
			}
			continue
		}
		out = append(out, Edit{Span: s})
	}
	for i := range out {
		s := &out[i].Span
		if s.Start != lineStart(text, s.Start) || s.End != lineStart(text, s.End) {
			continue
		}
		before := 0
		for at := s.Start; at > 0 && blankLine(text, lineStart(text, at-1)); at = lineStart(text, at-1) {
			before++
		}
		if s.Start == 0 {
			before = len(text) // nothing above: no gap to keep
		}
		for k := 0; k < before && s.End < len(text) && blankLine(text, s.End); k++ {
			s.End = nextLineStart(text, s.End)
		}
	}
	return append(out, r.extra...)
}

func onlyBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// identKinds are the node kinds that name a variable, per language family.
var identKinds = map[string]map[string]bool{
	"python": {"identifier": true},
	"node":   {"identifier": true, "shorthand_property_identifier": true},
}

// refs lists the nodes in scope that name variable name (not attribute or
// keyword-argument names, which are not references).
func (fc *fileCtx) refs(scope syntax.Node, name string) []syntax.Node {
	kinds := identKinds[fc.family]
	var out []syntax.Node
	scope.Walk(func(n syntax.Node) bool {
		if !kinds[n.Kind()] || n.Text(fc.text) != name {
			return true
		}
		if par := n.Parent(); !par.IsNull() {
			switch par.Kind() {
			case "attribute":
				if par.Field("attribute").Start() == n.Start() {
					return true
				}
			case "keyword_argument":
				if par.Field("name").Start() == n.Start() {
					return true
				}
			}
		}
		out = append(out, n)
		return true
	})
	return out
}

// childOf returns the ancestor of n (or n) whose parent is p.
func childOf(n, p syntax.Node) syntax.Node {
	for c := n; !c.IsNull(); c = c.Parent() {
		par := c.Parent()
		if par.IsNull() {
			return syntax.Node{}
		}
		if par.Start() == p.Start() && par.End() == p.End() && par.Kind() == p.Kind() {
			return c
		}
	}
	return syntax.Node{}
}

// enclosing returns the nearest ancestor of n of one of kinds.
func enclosing(n syntax.Node, kinds map[string]bool) syntax.Node {
	for p := n.Parent(); !p.IsNull(); p = p.Parent() {
		if kinds[p.Kind()] {
			return p
		}
	}
	return syntax.Node{}
}

// allRemoved reports whether every node in list lies in deleted code or in
// skip.
func (r *removal) allRemoved(list []syntax.Node, skip syntax.Node) bool {
	for _, n := range list {
		if r.removed(n) || (!skip.IsNull() && skip.Start() <= n.Start() && n.End() <= skip.End()) {
			continue
		}
		return false
	}
	return true
}
