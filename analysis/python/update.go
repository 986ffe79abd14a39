package python

import (
	"bytes"
	"hash/maphash"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Update implements analysis.IncrementalFrontend: it brings the facts up to
// date after edits by re-parsing only the top-level statements the edits
// touched, without the whole-file tree. On a 30,000-line module that is a
// parse of a few lines instead of tree-sitter's ~5 ms incremental reparse.
//
// The edited region is widened to whole lines and whole statements, parsed
// on its own, and must come out as clean top-level statements starting at
// column 0. Anything that could make the region depend on its surroundings
// (a decorator or "else:" left dangling, an unclosed bracket or string, an
// indented first line) shows up as a syntax error in the region parse, and
// then Update returns ok=false so the caller summarizes a full parse.
func (frontend) Update(path string, prev analysis.Facts, text []byte, edits []analysis.Edit) (analysis.Facts, bool) {
	old, ok := prev.(*Facts)
	if !ok || !old.Clean || len(old.Units) == 0 || len(edits) == 0 {
		return nil, false
	}
	units := make([]placed, len(old.Units))
	for i, u := range old.Units {
		units[i] = placed{start: u.Start, end: u.End, unit: u}
	}
	witness, witnessOK := old.Witness, true
	lo, hi := -1, -1 // the edited range, in the current text's coordinates
	for _, e := range edits {
		if e.Start < 0 || e.OldEnd < e.Start || e.NewEnd < e.Start {
			return nil, false
		}
		for i := range units {
			units[i].apply(e)
		}
		if lo >= 0 {
			lo, hi = mapStart(lo, e), mapEnd(hi, e)
			lo, hi = min(lo, e.Start), max(hi, e.NewEnd)
		} else {
			lo, hi = e.Start, e.NewEnd
		}
		if witnessOK {
			if witness.Start-witnessMargin <= e.OldEnd && e.Start <= witness.End+witnessMargin {
				witnessOK = false
			} else if witness.Start > e.OldEnd {
				witness = witness.Shift(e.NewEnd - e.OldEnd)
			}
		}
	}
	if hi > len(text) || units[len(units)-1].end > len(text) {
		return nil, false
	}
	if !witnessOK {
		if witness, ok = relevantAt(text); !ok {
			return &Facts{}, true
		}
	}

	// Widen [lo, hi) to whole lines and to every statement it touches.
	// The line holding hi is included even when hi starts it: an inserted
	// newline moves the rest of the old line onto that line.
	rs, re := lineStart(text, lo), len(text)
	if i := bytes.IndexByte(text[min(hi, len(text)):], '\n'); i >= 0 {
		re = hi + i + 1
	}
	for changed := true; changed; {
		changed = false
		for i := range units {
			u := &units[i]
			// Whole lines [rs, re): a statement starting on the next line
			// is outside, so the widening does not cascade down the file.
			if !u.dirty && (u.end < rs || u.start >= re) {
				continue
			}
			if !u.dirty {
				u.dirty, changed = true, true
			}
			if s := lineStart(text, u.start); s < rs {
				rs, changed = s, true
			}
			if e := lineEnd(text, u.end); e > re {
				re, changed = e, true
			}
		}
	}
	region := text[rs:re]
	if !startsAtColumnZero(region) || continued(text, rs) || continued(text, re) {
		return nil, false
	}
	tree, err := syntax.Parse(syntax.Python, region)
	if err != nil {
		return nil, false
	}
	defer tree.Close()
	root := tree.Root()
	if root.HasError() {
		return nil, false
	}
	var spans []analysis.Span
	root.Children(func(n syntax.Node) bool {
		if n.IsNamed() && n.Kind() != "comment" {
			spans = append(spans, analysis.Span{Start: n.Start(), End: n.End()})
		}
		return true
	})
	if !wellFormed(region, spans) {
		return nil, false
	}

	reuse := map[uint64]*Unit{}
	for _, u := range units {
		if u.dirty {
			reuse[u.unit.Hash] = u.unit
		}
	}
	facts := &Facts{Witness: witness, Clean: true, Units: make([]*Unit, 0, len(units)+4)}
	// Units after the edit move: copy them into one slab, not one
	// allocation each (a 30,000-line module has thousands).
	movedCount := 0
	for _, p := range units {
		if !p.dirty && p.start != p.unit.Start {
			movedCount++
		}
	}
	slab := make([]Unit, 0, movedCount)
	moved := func(p placed) *Unit {
		if p.start == p.unit.Start {
			return p.unit
		}
		slab = append(slab, *p.unit)
		u := &slab[len(slab)-1]
		u.Start, u.End = p.start, p.end
		return u
	}
	i := 0
	for ; i < len(units) && !units[i].dirty && units[i].start < rs; i++ {
		facts.Units = append(facts.Units, moved(units[i]))
	}
	flat := syntax.GetFlat()
	defer syntax.PutFlat(flat)
	root.Children(func(n syntax.Node) bool {
		if !n.IsNamed() || n.Kind() == "comment" {
			return true
		}
		start, end := rs+n.Start(), rs+n.End()
		h := maphash.Bytes(seed, text[start:end])
		if u, ok := reuse[h]; ok && u.End-u.Start == end-start {
			moved := *u
			moved.Start, moved.End = start, end
			facts.Units = append(facts.Units, &moved)
			return true
		}
		u := &Unit{Start: start, End: end, Hash: h}
		u.UnitFacts = summarizeStatement(flat.Load(syntax.Python, n), region, n.Start())
		facts.Units = append(facts.Units, u)
		return true
	})
	for ; i < len(units); i++ {
		if !units[i].dirty {
			facts.Units = append(facts.Units, moved(units[i]))
		}
	}
	return facts, true
}

// placed is a previous unit with its position in the current text.
type placed struct {
	start, end int
	unit       *Unit
	dirty      bool // an edit touched it: its text must be parsed again
}

// apply moves the unit through one edit; a unit the edit touches (even at
// its edge: typing right after a statement may extend it) becomes dirty,
// with a span covering whatever it may have become.
func (p *placed) apply(e analysis.Edit) {
	switch {
	case p.end < e.Start:
	case p.start > e.OldEnd:
		d := e.NewEnd - e.OldEnd
		p.start, p.end = p.start+d, p.end+d
	default:
		p.dirty = true
		p.start, p.end = min(mapStart(p.start, e), e.Start), max(mapEnd(p.end, e), e.NewEnd)
	}
}

func mapStart(pos int, e analysis.Edit) int {
	switch {
	case pos <= e.Start:
		return pos
	case pos >= e.OldEnd:
		return pos + e.NewEnd - e.OldEnd
	}
	return e.Start
}

func mapEnd(pos int, e analysis.Edit) int {
	switch {
	case pos <= e.Start:
		return pos
	case pos >= e.OldEnd:
		return pos + e.NewEnd - e.OldEnd
	}
	return e.NewEnd
}

func lineStart(text []byte, off int) int {
	off = min(max(off, 0), len(text))
	return bytes.LastIndexByte(text[:off], '\n') + 1
}

// lineEnd is the offset just after the newline ending the line at off.
func lineEnd(text []byte, off int) int {
	off = min(max(off, 0), len(text))
	if off > 0 && text[off-1] == '\n' {
		return off
	}
	if i := bytes.IndexByte(text[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(text)
}

// startsAtColumnZero reports whether the first line of code (not blank, not
// a comment) is unindented: otherwise it continues something outside.
func startsAtColumnZero(region []byte) bool {
	for len(region) > 0 {
		line := region
		if i := bytes.IndexByte(region, '\n'); i >= 0 {
			line, region = region[:i], region[i+1:]
		} else {
			region = nil
		}
		trimmed := bytes.TrimLeft(line, " \t\f\r")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		return len(trimmed) == len(line)
	}
	return true
}

// colZeroContinuations may start a line at column 0 inside a top-level
// statement: closing brackets, further decorators and the definition they
// decorate, and the clauses of compound statements.
var colZeroContinuations = [][]byte{
	[]byte(")"), []byte("]"), []byte("}"), []byte("@"), []byte("def "), []byte("async "), []byte("class "),
	[]byte("else"), []byte("elif "), []byte("except"), []byte("finally"),
}

// wellFormed checks what tree-sitter's lenient Python grammar does not: that
// no top-level statement has a line of code at column 0 other than the ones
// above. "def f():\nx = 1\n    y = 2" parses without error, with a
// statement structure a region parse would not reproduce, so such text
// never takes the fast path.
func wellFormed(text []byte, spans []analysis.Span) bool {
	prevEnd := -1
	for _, sp := range spans {
		// A statement starts a line (or follows another after ";"), and
		// does not end with the ":" of a header whose block is missing.
		if ls := lineStart(text, sp.Start); ls != sp.Start && (prevEnd < 0 || lineStart(text, prevEnd) != ls) {
			return false
		}
		prevEnd = sp.End
		body := text[sp.Start:sp.End]
		if t := bytes.TrimRight(body, " \t\r\n"); len(t) > 0 && t[len(t)-1] == ':' {
			return false
		}
		for i := bytes.IndexByte(body, '\n'); i >= 0; {
			line := body[i+1:]
			if j := bytes.IndexByte(line, '\n'); j >= 0 {
				line = line[:j]
			}
			if len(line) > 0 && line[0] != ' ' && line[0] != '\t' && line[0] != '#' && line[0] != '\r' && !colZeroContinuation(line) {
				return false
			}
			next := bytes.IndexByte(body[i+1:], '\n')
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return true
}

func colZeroContinuation(line []byte) bool {
	for _, c := range colZeroContinuations {
		if bytes.HasPrefix(line, c) {
			return true
		}
	}
	return false
}

// continued reports whether the line ending just before off (a line start)
// ends with a backslash, which joins it with the line at off.
func continued(text []byte, off int) bool {
	line := bytes.TrimRight(text[:off], "\r\n")
	if len(line) == len(text[:off]) {
		return false // off is not after a newline (start or end of text)
	}
	return len(line) > 0 && line[len(line)-1] == '\\'
}
