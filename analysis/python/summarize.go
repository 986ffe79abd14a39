package python

import (
	"bytes"
	"hash/maphash"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

func init() {
	analysis.RegisterFrontend(syntax.Python, frontend{})
	analysis.UnprotectedRoute.Implement(syntax.Python, checkUnprotectedRoutes)
}

type frontend struct{}

// relevantMarkers are the byte strings at least one of which appears in any
// file that defines a route, an app object, a limiter or a counter-based
// check. A file with none cannot yield a finding or a fact others depend on.
var relevantMarkers = [][]byte{
	[]byte("route"), []byte(".get("), []byte(".post("), []byte(".put("), []byte(".patch("),
	[]byte(".delete("), []byte("FastAPI"), []byte("APIRouter"), []byte("Flask"), []byte("Blueprint"),
	[]byte("import"),
}

// Relevant implements analysis.Frontend. Almost every module imports
// something, so the real saving comes from the narrower markers once the
// rules need them; this keeps the contract simple and safe.
func (frontend) Relevant(text []byte) bool {
	for _, m := range relevantMarkers {
		if bytes.Contains(text, m) {
			return true
		}
	}
	return false
}

var seed = maphash.MakeSeed()

// Summarize implements analysis.Frontend.
func (frontend) Summarize(path string, text []byte, tree *syntax.Tree, prev analysis.Facts) analysis.Facts {
	old, _ := prev.(*Facts)
	reuse := map[uint64]*Unit{}
	if old != nil {
		for _, u := range old.Units {
			reuse[u.Hash] = u
		}
	}
	facts := &Facts{}
	tree.Root().Children(func(n syntax.Node) bool {
		if !n.IsNamed() || n.Kind() == "comment" {
			return true
		}
		start, end := n.Start(), n.End()
		h := maphash.Bytes(seed, text[start:end])
		if u, ok := reuse[h]; ok && u.End-u.Start == end-start {
			moved := *u
			moved.Start, moved.End = start, end
			facts.Units = append(facts.Units, &moved)
			return true
		}
		u := &Unit{Start: start, End: end, Hash: h}
		u.UnitFacts = summarizeStatement(n, text, start)
		facts.Units = append(facts.Units, u)
		return true
	})
	return facts
}

// summarizeStatement extracts the facts of one top-level statement. base is
// the statement's start, subtracted from every span.
func summarizeStatement(n syntax.Node, text []byte, base int) UnitFacts {
	var uf UnitFacts
	rel := func(x syntax.Node) analysis.Span { return analysis.Span{Start: x.Start() - base, End: x.End() - base} }
	switch n.Kind() {
	case "import_statement", "import_from_statement":
		uf.Imports = imports(n, text)
	case "expression_statement":
		if a := n.NamedChild(0); a.Kind() == "assignment" {
			if o, ok := object(a, text); ok {
				o.Span = rel(a)
				uf.Objects = append(uf.Objects, o)
			}
		}
	case "decorated_definition":
		if r, ok := route(n, text, rel); ok {
			uf.Routes = append(uf.Routes, r)
		}
	}
	return uf
}
