package javascript

import (
	"bytes"
	"hash/maphash"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Open implements analysis.OpeningFrontend: the facts of a whole text
// without a whole-file tree, parsing pieces of it on every core at once.
//
// When a file is opened the user waits for the first diagnostics and
// nothing is known yet, so the work is split: the text is cut at lines that
// may start a top-level statement, each piece is parsed and summarized on
// its own, and the units are put back together. Why this equals a
// whole-file parse, cut by cut (the argument Update makes for one region):
//
//   - each piece parses without any error (an unclosed string, template,
//     comment or bracket, or a cut inside a statement, leaves an error in
//     the piece before or after the cut);
//   - at every cut, the last statement before it and the first after it
//     (A and B) are parsed together, and that parse must have no error and
//     be exactly A then B, node for node as in the pieces. That is where the
//     whole-file parse could differ: automatic semicolon insertion joining
//     B to A (a = b / (x) ...), or a token of B changing how A ends. With A
//     and B the same in context, the whole-file parse reaches every cut at a
//     statement boundary and parses each piece as the piece alone.
//
// Anything else answers ok=false and the caller parses the whole file, as
// it would have anyway. TestOpenEqualsSummarize checks the result against
// Summarize on the golden sources, random mutations of them and large real
// packages. prev's units are reused where a statement's text is unchanged.
func (fe frontend) Open(path string, prev analysis.Facts, text []byte, workers int) (analysis.Facts, bool) {
	if len(text) > syntax.MaxParseBytes || ambiguousAngle(text) {
		return nil, false // too large: the caller reports it; ambiguous: see there
	}
	cuts := openCuts(text, openPieces(len(text)))
	if len(cuts) < 3 {
		return nil, false // one piece: nothing to gain over Summarize
	}
	reuse := map[uint64]*Unit{}
	if old, ok := prev.(*Facts); ok && old != nil && old.Lang == fe.lang {
		for _, u := range old.Units {
			reuse[u.Hash] = u
		}
	}
	pieces := make([]openedPiece, len(cuts)-1)
	// Largest pieces first, so that a huge one does not start last while
	// the other cores sit idle.
	order := make([]int, len(pieces))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return cuts[order[a]+1]-cuts[order[a]] > cuts[order[b]+1]-cuts[order[b]]
	})
	ok := parallel(workers, len(pieces), func(k int) bool {
		i := order[k]
		pieces[i] = fe.openPiece(text, cuts[i], cuts[i+1], reuse)
		return !pieces[i].failed
	}) && parallel(workers, len(pieces)-1, func(i int) bool {
		return settled(text, &pieces[i], &pieces[i+1]) || fe.sameInContext(text, &pieces[i], &pieces[i+1])
	})
	if !ok {
		return nil, false
	}
	facts := &Facts{Lang: fe.lang}
	// Each unit of one version has its own UnitFacts, as in Summarize.
	used := map[*UnitFacts]bool{}
	for _, p := range pieces {
		for _, u := range p.units {
			if used[u.UnitFacts] {
				copied := *u.UnitFacts
				u.UnitFacts = &copied
			}
			used[u.UnitFacts] = true
			facts.Units = append(facts.Units, u)
		}
	}
	return facts, true
}

// ambiguousAngle finds the lines around which the TypeScript grammars keep
// two parses alive, both without errors, until text further on decides:
//
//   - a line starting with "<" after a line that ends an expression (a
//     name, a closing bracket, a literal): expo\n<div>\nf();
//   - a line ending with type arguments after a name: foo<T>\nbar().
//
// ("<" as an operator, or a type argument list with a semicolon inserted.)
// Parsed alone, a piece can come out different from the whole file there,
// so such files are opened the slow way. JSX lines do not match: they
// follow "(", ">" and the like, and their tags do not follow a name.
func ambiguousAngle(text []byte) bool {
	for i := bytes.IndexByte(text, '<'); i >= 0; {
		ls := bytes.LastIndexByte(text[:i], '\n') + 1
		if lead := bytes.TrimLeft(text[ls:i], " \t"); bytes.HasPrefix(lead, []byte("//")) || bytes.HasPrefix(lead, []byte("*")) ||
			bytes.HasPrefix(lead, []byte("/*")) {
			// A comment line (// Mapping<T>, * @param x<T>): not code.
		} else if len(lead) == 0 && ls > 0 {
			prev := bytes.TrimRight(text[:ls-1], " \t\r\n")
			if len(prev) > 0 {
				switch c := prev[len(prev)-1]; {
				case isIdentByte(c), c == ')', c == ']', c == '"', c == '\'', c == '`', c >= 0x80:
					return true
				}
			}
		} else if i > 0 && isIdentByte(text[i-1]) {
			le := i + bytes.IndexByte(text[i:], '\n')
			if le < i {
				le = len(text)
			}
			line := bytes.TrimRight(text[i:le], " \t\r")
			if bytes.HasSuffix(line, []byte(">")) && !bytes.HasSuffix(line, []byte("=>")) {
				return true
			}
		}
		j := bytes.IndexByte(text[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// parallel runs fn(0..n-1) on workers goroutines (0: one per core), so no
// more trees are alive at once than there are workers, and reports whether every call
// returned true (it stops handing out work after the first false). A panic
// in fn is raised again in the caller's goroutine once the workers are
// done, where the server's recovery contains it as it would without the
// workers (a panic in a goroutine of its own would end the process).
func parallel(workers, n int, fn func(i int) bool) bool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	var panicked any
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					failed.Store(true)
					mu.Lock()
					if panicked == nil {
						panicked = r
					}
					mu.Unlock()
				}
			}()
			for i := int(next.Add(1) - 1); i < n && !failed.Load(); i = int(next.Add(1) - 1) {
				if !fn(i) {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
	return !failed.Load()
}

// openPieceBytes is the size of text worth a piece of its own; a variable
// so tests can cut small texts.
//
// Small pieces make the open faster even though each cut costs a junction
// check: a worker holds one small tree at a time, which tree-sitter builds
// and frees in memory it has just used (a fresh server's first open had
// 3,200 page faults with 32 KiB pieces and 1,850 with 4 KiB ones, at about
// 2 us each on these machines), the copy of each piece is still in cache
// when it is read, and the cores stay balanced when one of them is slowed.
var openPieceBytes = 4 << 10

// openPieces is how many pieces a text is cut into. Where a piece cannot be
// cut (inside a huge statement of a bundle) it simply stays larger, while
// the other cores share the rest.
func openPieces(size int) int {
	return size / openPieceBytes
}

// openCuts returns 0, the cut offsets and len(text): each cut is the start
// of a line that may begin a top-level statement, near an even share of
// the text, between two short statements (the junction check parses the
// statement on each side of a cut again). Where there is no such line
// near a share (inside a huge statement), no cut is made. The text is
// scanned once, however many pieces: a 6 MB bundle is cut into 1,500.
func openCuts(text []byte, pieces int) []int {
	cuts := []int{0}
	lines := statementLines(text)
	j := 0
	for k := 1; k < pieces; k++ {
		from := max(k*len(text)/pieces, cuts[len(cuts)-1]+1)
		for j < len(lines) && lines[j] < from {
			j++
		}
		if at := shortJunction(lines, j, from+len(text)/(2*pieces), len(text)); at >= 0 {
			cuts = append(cuts, lines[at])
			j = at + 1
		}
	}
	return append(cuts, len(text))
}

// shortStatement is how far apart two statement lines may be for the
// statement between them to count as short.
const shortStatement = 4 << 10

// shortJunction is the index of the first statement line from lines[j] on,
// before limit, whose neighbouring statement lines (the one before and the
// one after, or the end of the text) are close, or -1. Formatted code
// starts its top-level statements at column 0 and indents their insides, so
// the distance between two statement lines is about the size of the
// statement between them.
func shortJunction(lines []int, j, limit, end int) int {
	for ; j < len(lines) && lines[j] < limit; j++ {
		next := end
		if j+1 < len(lines) {
			next = lines[j+1]
		}
		if j > 0 && lines[j]-lines[j-1] <= shortStatement && next-lines[j] <= shortStatement {
			return j
		}
	}
	return -1
}

// statementLines is the start of every statement line of text, in order.
func statementLines(text []byte) []int {
	var lines []int
	for at := statementLineAfter(text, 0); at >= 0; at = statementLineAfter(text, nextLine(text, at)) {
		lines = append(lines, at)
	}
	return lines
}

// continuationWords start lines that continue the statement before them
// (or cannot start one): never cut there.
var continuationWords = map[string]bool{
	"else": true, "catch": true, "finally": true, "in": true, "instanceof": true, "of": true, "as": true,
	"satisfies": true, "extends": true, "implements": true, "while": true, "from": true, "keyof": true,
	"case": true, "default": true,
}

// statementLineAfter finds the first line at or after off that starts at
// column 0 with an identifier or keyword that may begin a statement
// (const, function, app.get(...)). Lines starting with anything else
// ((, [, `, an operator, a closing bracket, whitespace) are never cuts.
// -1 when there is none.
func statementLineAfter(text []byte, off int) int {
	for ls := lineStartAt(text, off); ls < len(text); ls = nextLine(text, ls) {
		c := text[ls]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			continue
		}
		k := ls
		for k < len(text) && isIdentByte(text[k]) {
			k++
		}
		if !continuationWords[string(text[ls:k])] {
			return ls
		}
	}
	return -1
}

// lineStartAt is off when a line starts there, else the next line's start.
func lineStartAt(text []byte, off int) int {
	if off == 0 || off <= len(text) && text[off-1] == '\n' {
		return off
	}
	return nextLine(text, off)
}

// nextLine is the start of the line after the one at off (len(text)+1
// past the last line).
func nextLine(text []byte, off int) int {
	if off >= len(text) {
		return off + 1
	}
	if i := bytes.IndexByte(text[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(text) + 1
}

// openedPiece is one piece's statements: units with absolute offsets and
// the shapes of its first and last statements for the junction checks.
type openedPiece struct {
	units       []*Unit
	first, last nodeShape
	failed      bool
}

// openPiece parses text[start:end] on its own and summarizes its
// statements; failed is set when the piece is not a clean run of top-level
// statements.
func (fe frontend) openPiece(text []byte, start, end int, reuse map[uint64]*Unit) (p openedPiece) {
	piece := text[start:end]
	tree, err := syntax.Parse(fe.lang, piece)
	if err != nil {
		return openedPiece{failed: true}
	}
	defer tree.Close()
	root := tree.Root()
	if root.HasError() {
		return openedPiece{failed: true}
	}
	// The whole piece is copied in one walk (the statements' nodes are
	// all read anyway): no call into C, and no node in smacker's cache,
	// per statement.
	flat := syntax.GetFlat()
	defer syntax.PutFlat(flat)
	var last syntax.FlatNode
	flat.Load(fe.lang, root).Children(func(n syntax.FlatNode) bool {
		if !n.IsNamed() || n.Kind() == "comment" || n.Kind() == "hash_bang_line" {
			return true
		}
		last = n
		s, e := start+n.Start(), start+n.End()
		if len(p.units) == 0 {
			p.first = shapeOf(n, start)
		}
		h := maphash.Bytes(seed, text[s:e])
		if u, ok := reuse[h]; ok && u.End-u.Start == e-s {
			moved := *u
			moved.Start, moved.End = s, e
			p.units = append(p.units, &moved)
			return true
		}
		u := &Unit{Start: s, End: e, Hash: h}
		u.summarize(n, piece, n.Start())
		p.units = append(p.units, u)
		return true
	})
	if len(p.units) == 0 {
		p.failed = true
		return p
	}
	p.last = shapeOf(last, start)
	return p
}

// settled reports whether the cut between a and b needs no junction check,
// by the argument reparseTerminated makes for an edited region: a's last
// statement ends with a ";" token and only whitespace, a line break
// included, separates it from b's first statement. No statement continues
// past a ";" but an if by "else" (never a cut), so the whole-file parse
// starts b's first statement in the state a text starts in; b's piece
// starts with a name, never "#!" or "-->".
func settled(text []byte, a, b *openedPiece) bool {
	last, first := a.units[len(a.units)-1], b.units[0]
	between := text[last.End:first.Start]
	return last.has&hasSemicolonEnd != 0 && len(bytes.TrimLeft(between, " \t\r\n")) == 0 && bytes.IndexByte(between, '\n') >= 0
}

// sameInContext parses the last statement of a and the first of b together
// and reports whether that gives exactly those two statements, node for
// node.
func (fe frontend) sameInContext(text []byte, a, b *openedPiece) bool {
	start, end := a.last.start(), b.first.end()
	tree, err := syntax.Parse(fe.lang, text[start:end])
	if err != nil {
		return false
	}
	defer tree.Close()
	root := tree.Root()
	if root.HasError() {
		return false
	}
	var flat syntax.Flat
	var got []nodeShape
	root.Children(func(n syntax.Node) bool {
		if n.IsNamed() && n.Kind() != "comment" && n.Kind() != "hash_bang_line" {
			got = append(got, shapeOf(flat.Load(fe.lang, n), start))
		}
		return len(got) <= 2
	})
	return len(got) == 2 && slices.Equal(got[0], a.last) && slices.Equal(got[1], b.first)
}

// nodeShape is a statement's tree as a flat list: every node in preorder
// with its kind, field, parent and absolute span, enough to tell whether
// two parses of it agree.
type nodeShape []shapeNode

type shapeNode struct {
	sym, field uint16
	named      bool
	parent     int
	start, end int
}

func shapeOf(n syntax.FlatNode, base int) nodeShape {
	var out nodeShape
	root := n.Index()
	n.Walk(func(c syntax.FlatNode) bool {
		parent := -1
		if c != n {
			parent = c.Parent().Index() - root
		}
		field := c.FieldID()
		if c == n {
			field = 0 // the statement's own field in its parent is not its shape
		}
		out = append(out, shapeNode{sym: c.Symbol(), field: field, named: c.IsNamed(), parent: parent,
			start: base + c.Start(), end: base + c.End()})
		return true
	})
	return out
}

func (s nodeShape) start() int { return s[0].start }
func (s nodeShape) end() int   { return s[0].end }
