package javascript

import (
	"bytes"
	"hash/maphash"
	"sort"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Update implements analysis.IncrementalFrontend: the statements an edit
// touches are re-parsed on their own, every other unit is kept (shifted),
// so a keystroke costs the size of one statement, not of the file.
//
// It declines (ok=false) whenever the region alone might parse differently
// than in context: a syntax error in the region (an unclosed brace, string
// or comment reaches beyond it), or a boundary where JavaScript's automatic
// semicolon insertion could join the region to its neighbour (a line
// starting with "(", "[", "`", an operator...).
func (fe frontend) Update(path string, prev analysis.Facts, text []byte, edits []analysis.Edit) (analysis.Facts, bool) {
	old, ok := prev.(*Facts)
	if !ok || old.Lang != fe.lang || old.Broken || len(edits) == 0 {
		return nil, false
	}
	type span struct {
		start, end int
		unit       *Unit // nil for a dirty region
	}
	spans := make([]span, len(old.Units))
	for i, u := range old.Units {
		spans[i] = span{u.Start, u.End, u}
	}
	for _, e := range edits {
		delta := e.NewEnd - e.OldEnd
		dirty := span{start: e.Start, end: e.NewEnd}
		kept := spans[:0:0]
		for _, s := range spans {
			switch {
			case s.end < e.Start:
				kept = append(kept, s)
			case s.start > e.OldEnd:
				kept = append(kept, span{s.start + delta, s.end + delta, s.unit})
			default: // touched: becomes part of the dirty region
				end := s.end + delta
				if s.end < e.OldEnd {
					end = e.NewEnd
				}
				dirty.start = min(dirty.start, s.start)
				dirty.end = max(dirty.end, end)
			}
		}
		kept = append(kept, dirty)
		sort.Slice(kept, func(i, j int) bool { return kept[i].start < kept[j].start })
		spans = kept
	}
	if len(spans) > 0 && (spans[0].start < 0 || spans[len(spans)-1].end > len(text)) {
		return nil, false
	}
	facts := &Facts{Lang: fe.lang}
	for i, s := range spans {
		if s.unit != nil {
			moved := *s.unit
			moved.Start, moved.End = s.start, s.end
			facts.Units = append(facts.Units, &moved)
			continue
		}
		if i > 0 && spans[i-1].end > s.start {
			return nil, false // regions overlap: leave it to a full summary
		}
		// The region takes in the gaps around it: comments there may have
		// been opened or closed by the edit.
		start, end := 0, len(text)
		if i > 0 {
			start = spans[i-1].end
		}
		if i+1 < len(spans) {
			end = spans[i+1].start
		}
		if start > s.start || end < s.end {
			return nil, false
		}
		units, ok := fe.reparseRegion(text, start, end)
		if !ok {
			return nil, false
		}
		facts.Units = append(facts.Units, units...)
	}
	return facts, true
}

// reparseRegion summarizes text[start:end] as a sequence of top-level
// statements, or fails when that might differ from parsing the whole file.
func (fe frontend) reparseRegion(text []byte, start, end int) ([]*Unit, bool) {
	if start > end || !safeBoundary(text, start, end) {
		return nil, false
	}
	// A line comment ending the region runs to the end of the line (its
	// statement node may too): take the line's trailing blanks in.
	if r := text[start:end]; bytes.Contains(r[bytes.LastIndexByte(r, '\n')+1:], []byte("//")) {
		if nl := bytes.IndexByte(text[end:], '\n'); nl >= 0 {
			end += nl
		} else {
			end = len(text)
		}
	}
	region := text[start:end]
	if len(bytes.TrimSpace(region)) == 0 {
		return nil, true
	}
	// "*/" in the region may close a "/*" that an earlier statement's
	// lexing depended on (a regex literal /*.../ becomes a comment).
	if bytes.Contains(region, []byte("*/")) && bytes.Contains(text[:start], []byte("/*")) {
		return nil, false
	}
	tree, err := syntax.Parse(fe.lang, region)
	if err != nil {
		return nil, false
	}
	defer tree.Close()
	root := tree.Root()
	if root.HasError() {
		return nil, false
	}
	var units []*Unit
	root.Children(func(n syntax.Node) bool {
		if !n.IsNamed() || n.Kind() == "comment" || n.Kind() == "hash_bang_line" {
			return true
		}
		s, e := n.Start(), n.End()
		u := &Unit{Start: start + s, End: start + e, Hash: maphash.Bytes(seed, region[s:e])}
		u.UnitFacts = safeSummarize(n, region, s)
		units = append(units, u)
		return true
	})
	return units, true
}

// safeBoundary reports whether the region can be parsed apart from its
// neighbours: what precedes it ends a statement (or a line), its first
// token cannot continue the previous line, and neither can the next
// statement's.
func safeBoundary(text []byte, start, end int) bool {
	first := start + skipBlank(text[start:end])
	before := bytes.TrimRight(text[:start], " \t\r\n")
	if len(before) > 0 && first < end {
		switch before[len(before)-1] {
		case ';', '}':
		default:
			if !bytes.Contains(text[len(before):first], []byte("\n")) {
				return false // the region continues a line
			}
		}
	}
	if !startsStatement(text[first:end]) {
		return false
	}
	if rest := text[end:]; len(rest) > 0 && !startsStatement(rest[skipBlank(rest):]) {
		return false
	}
	if end < len(text) && end > start && !isSpace(text[end]) && text[end-1] != ';' && text[end-1] != '}' && !isSpace(text[end-1]) {
		return false // the region ends inside a token
	}
	// A line comment in the region's last line swallows whatever follows
	// it on that line.
	region := text[start:end]
	if bytes.Contains(region[bytes.LastIndexByte(region, '\n')+1:], []byte("//")) {
		rest := text[end:]
		if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
			rest = rest[:nl]
		}
		if len(bytes.TrimSpace(rest)) > 0 {
			return false
		}
	}
	return true
}

// skipBlank returns the length of the whitespace and comments text starts with.
func skipBlank(text []byte) int {
	i := 0
	for i < len(text) {
		switch {
		case isSpace(text[i]):
			i++
		case bytes.HasPrefix(text[i:], []byte("//")):
			nl := bytes.IndexByte(text[i:], '\n')
			if nl < 0 {
				return len(text)
			}
			i += nl + 1
		case bytes.HasPrefix(text[i:], []byte("/*")):
			cl := bytes.Index(text[i+2:], []byte("*/"))
			if cl < 0 {
				return len(text)
			}
			i += cl + 4
		default:
			return i
		}
	}
	return i
}

// startsStatement reports whether text begins with something that cannot
// continue the previous line's expression.
func startsStatement(text []byte) bool {
	if len(text) == 0 {
		return true
	}
	c := text[0]
	if isIdentByte(c) && !bytes.HasPrefix(text, []byte("in ")) && !bytes.HasPrefix(text, []byte("instanceof")) {
		return true
	}
	switch c {
	case '\'', '"', '@', '{', ';', '#':
		return true
	}
	return false
}
