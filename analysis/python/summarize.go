package python

import (
	"hash/maphash"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

func init() {
	analysis.RegisterFrontend(syntax.Python, frontend{})
	analysis.UnprotectedRoute.Implement(syntax.Python, checkUnprotectedRoutes)
	analysis.InMemoryLimiter.Implement(syntax.Python, checkInMemoryLimiters)
}

type frontend struct{}

var seed = maphash.MakeSeed()

// Summarize implements analysis.Frontend.
func (frontend) Summarize(path string, text []byte, tree *syntax.Tree, prev analysis.Facts) analysis.Facts {
	witness, relevant := relevantAt(text)
	if !relevant {
		// The pre-filter defines the analysis's scope: a file it rules out
		// contributes no facts even when parsed anyway, so a check with and
		// without the pre-filter gives the same findings by construction.
		return &Facts{}
	}
	old, _ := prev.(*Facts)
	reuse := map[uint64]*Unit{}
	if old != nil {
		for _, u := range old.Units {
			reuse[u.Hash] = u
		}
	}
	facts := &Facts{Witness: witness}
	var spans []analysis.Span
	// The extractor reads each statement from a Flat: one copy made in a
	// single C walk, then plain Go reads instead of a call into C per
	// accessor.
	flat := syntax.GetFlat()
	defer syntax.PutFlat(flat)
	tree.Root().Children(func(n syntax.Node) bool {
		if !n.IsNamed() || n.Kind() == "comment" {
			return true
		}
		start, end := n.Start(), n.End()
		spans = append(spans, analysis.Span{Start: start, End: end})
		h := maphash.Bytes(seed, text[start:end])
		if u, ok := reuse[h]; ok && u.End-u.Start == end-start {
			if u.Start == start {
				facts.Units = append(facts.Units, u)
				return true
			}
			moved := *u
			moved.Start, moved.End = start, end
			facts.Units = append(facts.Units, &moved)
			return true
		}
		u := &Unit{Start: start, End: end, Hash: h}
		u.UnitFacts = summarizeStatement(flat.Load(syntax.Python, n), text, start)
		facts.Units = append(facts.Units, u)
		return true
	})
	facts.Clean = !tree.Root().HasError() && wellFormed(text, spans)
	return facts
}

// summarizeStatement extracts the facts of one top-level statement. base is
// the statement's start, subtracted from every span.
func summarizeStatement(n syntax.FlatNode, text []byte, base int) *UnitFacts {
	x := &extractor{text: text, base: base}
	x.visit(n, scope{})
	x.uf.deps = newUnitDeps(&x.uf, text[n.Start():n.End()])
	return &x.uf
}

// Relevant implements analysis.Frontend.
func (frontend) Relevant(text []byte) bool { return Relevant(text) }
