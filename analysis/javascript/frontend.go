package javascript

import (
	"hash/maphash"
	"runtime"
	"sort"

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
	var todo []pending
	size := 0
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
		todo = append(todo, pending{n, u})
		size += end - start
		facts.Units = append(facts.Units, u)
		return true
	})
	fe.summarizeAll(todo, text, size)
	return facts
}

// pending is a statement to summarize into its unit.
type pending struct {
	n syntax.Node
	u *Unit
}

// parallelBytes is how much new statement text makes it worth summarizing
// on every core (a variable so tests can lower it).
var parallelBytes = 256 << 10

// summarizeAll fills the units of the statements, on one worker per core
// when there is enough text (a bundle of megabytes): each statement is
// copied (syntax.Flat) and summarized on its own, so the order does not
// matter. Flat.Load only reads the tree through the C runtime, which is
// safe from several threads; smacker's node cache is not touched (the
// nodes were all fetched above).
func (fe frontend) summarizeAll(todo []pending, text []byte, size int) {
	if size < parallelBytes || runtime.GOMAXPROCS(0) == 1 {
		var flat syntax.Flat // one copy of the current statement's nodes, reused
		for _, p := range todo {
			p.u.summarize(flat.Load(fe.lang, p.n), text, p.u.Start)
		}
		return
	}
	// Largest first, so a huge statement does not start last.
	order := make([]int, len(todo))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return todo[order[a]].u.End-todo[order[a]].u.Start > todo[order[b]].u.End-todo[order[b]].u.Start
	})
	flats := make(chan *syntax.Flat, runtime.GOMAXPROCS(0))
	parallel(0, len(todo), func(k int) bool {
		var flat *syntax.Flat
		select {
		case flat = <-flats:
		default:
			flat = new(syntax.Flat)
		}
		p := todo[order[k]]
		p.u.summarize(flat.Load(fe.lang, p.n), text, p.u.Start)
		select {
		case flats <- flat:
		default:
		}
		return true
	})
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
