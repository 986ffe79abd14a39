package python

import (
	"bytes"
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Open implements analysis.OpeningFrontend: the facts of a whole text
// without a whole-file tree, parsing pieces of it on every core at once.
//
// When a file is opened nothing is known yet and the user waits for the
// first diagnostics, so the work is split: the text is cut at lines that
// start a top-level statement, each piece is parsed and summarized on its
// own, and the units are put back together. The argument that makes this
// equal to a whole-file parse is Update's: a piece that parses without any
// error into well-formed top-level statements starting at column 0 parses
// the same inside the file. A cut in the middle of a bracket, a string or a
// compound statement leaves the piece before it broken (an unclosed bracket
// or string, a header without its block), so any doubt shows up as a syntax
// error somewhere and Open answers ok=false: the caller then parses the
// whole file, as it would have anyway. prev's units are reused where the
// text of a statement is unchanged.
func (frontend) Open(path string, prev analysis.Facts, text []byte, workers int) (analysis.Facts, bool) {
	witness, relevant := relevantAt(text)
	if !relevant {
		return &Facts{}, true
	}
	cuts := openCuts(text, openPieces(len(text)))
	if len(cuts) < 3 {
		return nil, false // one piece: nothing to gain over Summarize
	}
	reuse := map[uint64]*Unit{}
	if old, ok := prev.(*Facts); ok {
		for _, u := range old.Units {
			reuse[u.Hash] = u
		}
	}
	pieces := make([][]*Unit, len(cuts)-1)
	failed := make([]bool, len(cuts)-1)
	// Each worker (one per core unless told) takes the pieces in turn, so
	// no more trees are alive at once than there are workers (peak memory
	// of a big file).
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(pieces)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(pieces); i = int(next.Add(1) - 1) {
				pieces[i], failed[i] = openPiece(text, cuts[i], cuts[i+1], reuse)
			}
		}()
	}
	wg.Wait()
	facts := &Facts{Witness: witness, Clean: true}
	for i, units := range pieces {
		if failed[i] {
			return nil, false
		}
		facts.Units = append(facts.Units, units...)
	}
	if len(facts.Units) == 0 {
		return nil, false
	}
	return facts, true
}

// openPieceBytes is the size of text worth a piece of its own; a variable
// so tests can cut small texts.
//
// Pieces are small (a few dozen statements) rather than one per core: the
// workers take them in turn, so uneven pieces still keep every core busy to
// the end, and each worker holds only one small tree at a time. That second
// point is most of the gain: a freshly started server has to fault in every
// page tree-sitter touches, and with one piece per core a cold open of a
// 5,000-line module took ~4,800 page faults; with 4 KiB pieces it takes
// ~2,600 (~7,400 instead of ~16,600 at 25,000 lines), because the memory of
// a piece's tree is reused for the next one.
var openPieceBytes = 4 << 10

// openPieces is how many pieces a text is cut into.
func openPieces(size int) int {
	return size / openPieceBytes
}

// openCuts returns 0, the cut offsets and len(text): each cut is the start
// of a line that begins a top-level statement, near an even share of the
// text.
func openCuts(text []byte, pieces int) []int {
	cuts := []int{0}
	for k := 1; k < pieces; k++ {
		at := statementStartAfter(text, max(k*len(text)/pieces, cuts[len(cuts)-1]+1))
		if at < 0 {
			break
		}
		cuts = append(cuts, at)
	}
	return append(cuts, len(text))
}

// statementStartAfter finds the first line at or after off that can start a
// top-level statement: code at column 0 that does not continue the one
// before (a closing bracket, an else:, a decorator or def under a
// decorator, a line after a backslash). -1 when there is none.
func statementStartAfter(text []byte, off int) int {
	ls := lineEnd(text, off)
	prevDecorator := false
	for back := ls; back > 0; {
		back = lineStart(text, back-1)
		if line := lineAt(text, back); isCode(line) {
			prevDecorator = line[0] == '@'
			break
		}
	}
	for ; ls < len(text); ls = lineEnd(text, ls+1) {
		line := lineAt(text, ls)
		if !isCode(line) {
			continue // blank, indented or a comment
		}
		header := line[0] == '@' || bytes.HasPrefix(line, []byte("def ")) ||
			bytes.HasPrefix(line, []byte("async ")) || bytes.HasPrefix(line, []byte("class "))
		switch {
		case continued(text, ls):
		case header && !prevDecorator:
			return ls
		case !header && line[0] < 0x80 && identStart(line[0]) && !colZeroContinuation(line):
			return ls
		}
		prevDecorator = line[0] == '@'
	}
	return -1
}

// lineAt is the line starting at ls, without its newline.
func lineAt(text []byte, ls int) []byte {
	line := text[ls:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	return line
}

// isCode reports whether a line has code at column 0.
func isCode(line []byte) bool {
	return len(line) > 0 && line[0] != ' ' && line[0] != '\t' && line[0] != '#' && line[0] != '\r' && line[0] != '\f'
}

// openPiece parses text[start:end] on its own and summarizes its
// statements; failed is set when the piece is not a clean run of top-level
// statements.
func openPiece(text []byte, start, end int, reuse map[uint64]*Unit) (units []*Unit, failed bool) {
	piece := text[start:end]
	if !startsAtColumnZero(piece) {
		return nil, true
	}
	tree, err := syntax.Parse(syntax.Python, piece)
	if err != nil {
		return nil, true
	}
	defer tree.Close()
	root := tree.Root()
	if root.HasError() {
		return nil, true
	}
	var spans []analysis.Span
	// The whole piece is copied at once: a piece is small, and its
	// statements are all read.
	flat := syntax.GetFlat()
	defer syntax.PutFlat(flat)
	flat.Load(syntax.Python, root).Children(func(n syntax.FlatNode) bool {
		if !n.IsNamed() || n.Kind() == "comment" {
			return true
		}
		spans = append(spans, analysis.Span{Start: n.Start(), End: n.End()})
		s, e := start+n.Start(), start+n.End()
		h := maphash.Bytes(seed, text[s:e])
		if u, ok := reuse[h]; ok && u.End-u.Start == e-s {
			moved := *u
			moved.Start, moved.End = s, e
			units = append(units, &moved)
			return true
		}
		u := &Unit{Start: s, End: e, Hash: h}
		u.UnitFacts = summarizeStatement(n, piece, n.Start())
		units = append(units, u)
		return true
	})
	if !wellFormed(piece, spans) {
		return nil, true
	}
	return units, false
}
