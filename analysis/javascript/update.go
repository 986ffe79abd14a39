package javascript

import (
	"bytes"
	"hash/maphash"
	"sort"
	"sync/atomic"

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
	// Around these lines a region can parse differently alone than in the
	// file (see ambiguousAngle).
	if ambiguousAngle(text) {
		return nil, false
	}
	if len(edits) == 1 {
		return fe.updateOne(old, text, edits[0])
	}
	type span struct {
		start, end int
		unit       *Unit // nil for a dirty region
	}
	var spans []span
	for ei, e := range edits {
		delta := e.NewEnd - e.OldEnd
		dirty := span{start: e.Start, end: e.NewEnd}
		n := len(spans)
		if ei == 0 {
			n = len(old.Units) // the first edit reads the units themselves: no copy
		}
		kept := make([]span, 0, n+1)
		placed := false
		for i := 0; i < n; i++ {
			var s span
			if ei == 0 {
				u := old.Units[i]
				s = span{u.Start, u.End, u}
			} else {
				s = spans[i]
			}
			switch {
			case s.end < e.Start:
				kept = append(kept, s)
			case s.start > e.OldEnd:
				if !placed {
					kept, placed = append(kept, dirty), true
				}
				kept = append(kept, span{s.start + delta, s.end + delta, s.unit})
			default: // touched: becomes part of the dirty region
				if placed {
					return nil, false // cannot happen with sorted spans; be safe
				}
				end := s.end + delta
				if s.end < e.OldEnd {
					end = e.NewEnd
				}
				dirty.start = min(dirty.start, s.start)
				dirty.end = max(dirty.end, end)
			}
		}
		if !placed {
			kept = append(kept, dirty)
		}
		spans = kept
	}
	if len(spans) > 0 && (spans[0].start < 0 || spans[len(spans)-1].end > len(text)) {
		return nil, false
	}
	facts := &Facts{Lang: fe.lang, Units: make([]*Unit, 0, len(spans))}
	moved := make([]Unit, 0, len(spans)) // one allocation for every kept unit
	for i, s := range spans {
		if s.unit != nil {
			moved = append(moved, *s.unit)
			u := &moved[len(moved)-1]
			u.Start, u.End = s.start, s.end
			facts.Units = append(facts.Units, u)
			continue
		}
		if i > 0 && spans[i-1].end > s.start {
			return nil, false // regions overlap: leave it to a full summary
		}
		// The region takes in the gaps around it (comments there may have
		// been opened or closed by the edit), and is parsed together with its
		// neighbours to see that they still end and start where they did.
		start, end := 0, len(text)
		ctxStart, ctxEnd := 0, len(text)
		if i > 0 {
			start, ctxStart = spans[i-1].end, spans[i-1].start
		}
		if i+1 < len(spans) {
			end, ctxEnd = spans[i+1].start, spans[i+1].end
		}
		if start > s.start || end < s.end {
			return nil, false
		}
		units, ok := fe.reparseRegion(text, start, end, ctxStart, ctxEnd)
		if !ok {
			return nil, false
		}
		facts.Units = append(facts.Units, units...)
	}
	return facts, true
}

// updateOne is Update for one edit (a keystroke), with the same result as
// the general case without listing every unit as a span: the units are in
// order, so those the edit touches are one run [a, b), found by binary
// search; the units before it are shared with prev as they are and those
// after it are copied, shifted (shared too when the edit keeps the length).
func (fe frontend) updateOne(old *Facts, text []byte, e analysis.Edit) (analysis.Facts, bool) {
	units := old.Units
	n := len(units)
	delta := e.NewEnd - e.OldEnd
	a := sort.Search(n, func(i int) bool { return units[i].End >= e.Start })
	b := a + sort.Search(n-a, func(i int) bool { return units[a+i].Start > e.OldEnd })
	// The dirty region: the edit, widened to the units it touches.
	ds, de := e.Start, e.NewEnd
	if a < b {
		ds = min(ds, units[a].Start)
		end := units[b-1].End + delta
		if units[b-1].End < e.OldEnd {
			end = e.NewEnd
		}
		de = max(de, end)
	}
	first, last := ds, de
	if a > 0 {
		first = units[0].Start
	}
	if b < n {
		last = units[n-1].End + delta
	}
	if first < 0 || last > len(text) {
		return nil, false
	}
	// As in Update: the region takes in the gaps around it and is parsed
	// with its neighbours.
	start, end := 0, len(text)
	ctxStart, ctxEnd := 0, len(text)
	if a > 0 {
		if units[a-1].End > ds {
			return nil, false
		}
		start, ctxStart = units[a-1].End, units[a-1].Start
	}
	if b < n {
		end, ctxEnd = units[b].Start+delta, units[b].End+delta
	}
	if start > ds || end < de {
		return nil, false
	}
	region, ok := fe.reparseTerminated(text, start, end, ctxStart, ctxEnd, a > 0 && units[a-1].has&hasSemicolonEnd != 0)
	if !ok {
		region, ok = fe.reparseRegion(text, start, end, ctxStart, ctxEnd)
	}
	if !ok {
		return nil, false
	}
	facts := &Facts{Lang: fe.lang, Units: make([]*Unit, 0, a+len(region)+n-b)}
	facts.Units = append(facts.Units, units[:a]...)
	facts.Units = append(facts.Units, region...)
	if delta == 0 {
		facts.Units = append(facts.Units, units[b:]...)
		return facts, true
	}
	var moved []Unit
	for _, u := range units[b:] {
		if len(moved) == cap(moved) {
			moved = make([]Unit, 0, min(n-b, movedChunk))
		}
		moved = append(moved, *u)
		m := &moved[len(moved)-1]
		m.Start += delta
		m.End += delta
		facts.Units = append(facts.Units, m)
	}
	return facts, true
}

// movedChunk is how many units Update copies into one array (20 KB, a
// small object). One array for 5,000 units is a 200 KB large object, fresh
// cold memory on every edit: in the server benchmark (in process) copying
// into it took ~185 us per edit, against ~100 us into chunks.
const movedChunk = 512

// reparseTerminated is reparseRegion without the neighbours where a
// semicolon already settles the boundary, parsing about a third of the
// text for a keystroke in a file of one-line statements.
//
// The statement before the region (unchanged, complete in the previous
// parse) ends with a ";" token (hasSemicolonEnd; a ";" in a comment does
// not count): no statement continues past it but an if by "else", which
// cannot start a region that parses alone without error (and a do
// statement is complete only after its while), so the file's parse starts
// a statement where the region starts, in the same state as the start of
// a text. The region
// is required to start on a later line (an HTML-like "-->" comment is
// recognized only at the start of a line) and to hold no "#!" (a hash-bang
// line is recognized only at the start of a text).
//
// The region's last statement ends with a ";" token followed by nothing
// but whitespace up to the next statement (unchanged, complete in the
// previous parse, so not an "else"): nothing in the next statement can
// join it. TestUpdateTerminatedBoundaries has the cases that need a
// neighbour.
//
// ok=false means a neighbour is needed (or the region has an error):
// the caller parses it with its neighbours.
func (fe frontend) reparseTerminated(text []byte, start, end, ctxStart, ctxEnd int, prevSemicolon bool) ([]*Unit, bool) {
	prevDone := ctxStart == start
	if !prevDone && prevSemicolon {
		lead := text[start:end]
		first := len(lead) - len(bytes.TrimLeft(lead, " \t\r\n"))
		prevDone = bytes.IndexByte(lead[:first], '\n') >= 0 && !bytes.Contains(lead, []byte("#!"))
	}
	last := end // just past the region's last statement, when only whitespace follows it
	for last > start && isSpaceByte(text[last-1]) {
		last--
	}
	nextDone := ctxEnd == end || last > start && text[last-1] == ';'
	if !prevDone || !nextDone {
		return nil, false
	}
	units, ok := fe.reparseRegion(text, start, end, start, end)
	if !ok || ctxEnd != end && (len(units) == 0 || units[len(units)-1].End != last || units[len(units)-1].has&hasSemicolonEnd == 0) {
		return nil, false
	}
	terminatedHits.Add(1)
	return units, true
}

// terminatedHits counts the regions parsed without their neighbours (for
// tests).
var terminatedHits atomic.Int64

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// reparseRegion summarizes text[start:end] as top-level statements by
// parsing text[ctxStart:ctxEnd] (the region with the statements just
// before and after it). It fails when that parse has an error, or when the
// neighbours no longer end at start and begin at end: automatic semicolon
// insertion or a comment joined them to the region.
func (fe frontend) reparseRegion(text []byte, start, end, ctxStart, ctxEnd int) ([]*Unit, bool) {
	if start > end || ctxStart > start || ctxEnd < end {
		return nil, false
	}
	region := text[start:end]
	// "*/" in the region may close a "/*" that an earlier statement's
	// lexing depended on (a regex literal /*.../ becomes a comment).
	if bytes.Contains(region, []byte("*/")) && bytes.Contains(text[:start], []byte("/*")) {
		return nil, false
	}
	ctx := text[ctxStart:ctxEnd]
	tree, err := syntax.Parse(fe.lang, ctx)
	if err != nil {
		return nil, false
	}
	defer tree.Close()
	root := tree.Root()
	if root.HasError() {
		return nil, false
	}
	var units []*Unit
	prevOK, nextOK := ctxStart == start, ctxEnd == end
	ok := true
	var flat syntax.Flat
	root.Children(func(n syntax.Node) bool {
		if !n.IsNamed() || n.Kind() == "comment" || n.Kind() == "hash_bang_line" {
			return true
		}
		s, e := ctxStart+n.Start(), ctxStart+n.End()
		switch {
		case e <= start:
			prevOK = prevOK || (e == start && s == ctxStart)
		case s >= end:
			nextOK = nextOK || (s == end && e == ctxEnd)
		case s >= start && e <= end:
			u := &Unit{Start: s, End: e, Hash: maphash.Bytes(seed, text[s:e])}
			u.summarize(flat.Load(fe.lang, n), ctx, n.Start())
			units = append(units, u)
		default:
			ok = false // a statement crosses the region's edge
		}
		return ok
	})
	if !ok || !prevOK || !nextOK {
		return nil, false
	}
	return units, true
}
