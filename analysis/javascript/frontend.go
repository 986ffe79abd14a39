package javascript

import (
	"hash/maphash"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

func init() {
	for _, l := range []syntax.Language{syntax.JavaScript, syntax.TypeScript, syntax.TSX} {
		analysis.RegisterFrontend(l, frontend{lang: l})
		analysis.UnprotectedRoute.Implement(l, checkUnprotectedRoutes)
		analysis.InMemoryLimiter.Implement(l, checkInMemoryLimiters)
	}
}

type frontend struct{ lang syntax.Language }

var seed = maphash.MakeSeed()

// Summarize implements analysis.Frontend: one Unit per top-level statement,
// reusing the previous version's unit when the statement's text is the same.
func (fe frontend) Summarize(path string, text []byte, tree *syntax.Tree, prev analysis.Facts) analysis.Facts {
	old, _ := prev.(*Facts)
	reuse := map[uint64]*Unit{}
	if old != nil && old.Lang == fe.lang {
		for _, u := range old.Units {
			reuse[u.Hash] = u
		}
	}
	facts := &Facts{Lang: fe.lang, Broken: tree.Root().HasError()}
	// Each unit of one version has its own UnitFacts (checks key results by
	// it): a statement repeated verbatim gets a copy, not the shared one.
	used := map[*UnitFacts]bool{}
	var flat syntax.Flat // one copy of the current statement's nodes, reused
	tree.Root().Children(func(n syntax.Node) bool {
		if !n.IsNamed() || n.Kind() == "comment" || n.Kind() == "hash_bang_line" {
			return true
		}
		start, end := n.Start(), n.End()
		h := maphash.Bytes(seed, text[start:end])
		if u, ok := reuse[h]; ok && u.End-u.Start == end-start {
			moved := *u
			moved.Start, moved.End = start, end
			if used[u.UnitFacts] {
				copied := *u.UnitFacts
				moved.UnitFacts = &copied
			}
			used[moved.UnitFacts] = true
			facts.Units = append(facts.Units, &moved)
			return true
		}
		u := &Unit{Start: start, End: end, Hash: h}
		u.UnitFacts = safeSummarize(flat.Load(fe.lang, n), text, start)
		facts.Units = append(facts.Units, u)
		return true
	})
	return facts
}

// safeSummarize contains a bug in one statement's extraction to that
// statement: the file's other facts survive and the server keeps running.
//
// The statement comes as a syntax.Flat copy: extraction reads every node of
// it, often several times, and a FlatNode read is plain Go where a
// syntax.Node read is a cgo call (and an entry in smacker's node cache).
func safeSummarize(n syntax.FlatNode, text []byte, base int) (uf *UnitFacts) {
	defer func() {
		if r := recover(); r != nil {
			uf = &UnitFacts{}
			if panicHook != nil {
				panicHook(r)
			}
		}
	}()
	f := summarizeStatement(n, text, base)
	return &f
}

// panicHook lets tests turn a contained panic back into a failure.
var panicHook func(any)
