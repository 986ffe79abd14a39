package javascript

import (
	"slices"
	"sort"
	"sync"
)

// Reusing an interpretation across edits.
//
// Most edits touch a statement that only registers routes
// (app.post('/x', limiter, handler)). Such a statement adds no binding,
// middleware, mount or function, so the apps, routers and their middleware
// are exactly what they were, and every other route's verdict stands. When
// the new workspace differs from the last interpreted one only in such
// statements, the new interpretation keeps the old one's state and
// interprets just the new route statements; the rest is copied. Anything
// else (an import, a use(), a function) means a full interpretation.
//
// Ordering stays sound because a new route statement is anchored at the end
// of the structural statement before it, in the coordinates of the full
// interpretation that created the middleware anchors.

// reuseState is what an interpretation leaves for the next generation.
type reuseState struct {
	mu sync.Mutex // serializes reuse of it (its memo maps grow)
	it *interp
	// structure lists each module's structural units (all but route-only
	// ones), in order: equal lists mean equal apps and middleware.
	structure map[string][]*UnitFacts
	// structEnd is the end offset of each structural unit in the
	// coordinates of the full interpretation.
	structEnd map[*UnitFacts]int
	// unitRoutes are the routes of each route-only unit (present, maybe
	// empty, for every route-only unit).
	unitRoutes map[*UnitFacts][]*routeReg
	// other are the routes registered outside route-only units, by file.
	other map[string][]*routeReg
	roots []string
	// seq lists each file's route-only units in order with their routes:
	// the next generation walks it next to its own units, and finds every
	// statement an edit left alone by comparing pointers (not hashing
	// thousands into unitRoutes). spare is a list no generation reads any
	// more, whose memory the next one fills.
	seq, spare map[string][]unitRoutes
	// count is the number of open routes of each file, to size its list.
	count map[string]int
}

// unitRoutes is a route-only unit, the routes it registered and those of
// them not protected by their own handler chain (openOf).
type unitRoutes struct {
	uf     *UnitFacts
	routes []*routeReg
	open   []*routeReg
}

// seqLookahead is how far ahead in the previous list a unit is looked for
// before unitRoutes is asked: an edit replaces, adds or removes a few
// statements.
const seqLookahead = 4

// routeOnly reports whether a top-level statement only registers routes
// with http-method calls on a named receiver.
func routeOnly(uf *UnitFacts) bool {
	if len(uf.Calls) == 0 || len(uf.Imports) > 0 || len(uf.Exports) > 0 || len(uf.Bindings) > 0 ||
		len(uf.Funcs) > 0 || len(uf.Active) > 0 || len(uf.Counters) > 0 {
		return false
	}
	for i := range uf.Calls {
		c := &uf.Calls[i]
		if httpMethodOf(c.Method) == "" || c.Recv.Kind != KIdent || c.Chain != nil {
			return false
		}
	}
	return true
}

// structureOf lists the structural units of every module.
func (p *program) structureOf() map[string][]*UnitFacts {
	out := make(map[string][]*UnitFacts, len(p.modules))
	for path, m := range p.modules {
		var list []*UnitFacts
		for _, u := range m.facts.Units {
			if u.has&hasRouteOnly == 0 {
				list = append(list, u.UnitFacts)
			}
		}
		out[path] = list
	}
	return out
}

func sameStructure(a, b map[string][]*UnitFacts) bool {
	if len(a) != len(b) {
		return false
	}
	for path, la := range a {
		lb, ok := b[path]
		if !ok || len(la) != len(lb) {
			return false
		}
		for i := range la {
			if la[i] != lb[i] {
				return false
			}
		}
	}
	return true
}

// remember records, after a full interpretation, what the next generation
// needs to reuse it.
func (p *program) remember(it *interp, structure map[string][]*UnitFacts) {
	routeUnits := 0 // sizes unitRoutes: 5,000 entries grew it a dozen times
	for _, m := range p.modules {
		for _, u := range m.facts.Units {
			if u.has&hasRouteOnly != 0 {
				routeUnits++
			}
		}
	}
	st := &reuseState{it: it, structure: structure, structEnd: map[*UnitFacts]int{},
		unitRoutes: make(map[*UnitFacts][]*routeReg, routeUnits), other: map[string][]*routeReg{}, roots: p.ws.Roots(),
		seq: map[string][]unitRoutes{}, spare: map[string][]unitRoutes{}, count: map[string]int{}}
	for _, m := range p.modules {
		for _, u := range m.facts.Units {
			if u.has&hasRouteOnly != 0 {
				st.unitRoutes[u.UnitFacts] = nil
			} else {
				st.structEnd[u.UnitFacts] = u.End
			}
		}
	}
	for file, routes := range it.res.routes {
		st.count[file] = len(it.res.open[file])
		for _, r := range routes {
			if _, ok := st.unitRoutes[r.unit]; ok {
				st.unitRoutes[r.unit] = append(st.unitRoutes[r.unit], r)
			} else {
				st.other[file] = append(st.other[file], r)
			}
		}
	}
	for path, m := range p.modules {
		n := 0
		for _, u := range m.facts.Units {
			if u.has&hasRouteOnly != 0 {
				n++
			}
		}
		if n == 0 {
			continue
		}
		list := make([]unitRoutes, 0, n)
		for _, u := range m.facts.Units {
			if u.has&hasRouteOnly != 0 {
				rs := st.unitRoutes[u.UnitFacts]
				list = append(list, unitRoutes{u.UnitFacts, rs, openOf(rs)})
			}
		}
		st.seq[path] = list
	}
	p.reuse = st
}

// reuseFrom builds this program's interpretation from the previous one's
// state when only route-only statements changed; ok=false otherwise.
func (p *program) reuseFrom(prev *reuseState, structure map[string][]*UnitFacts) (*interpretation, bool) {
	if prev == nil || !sameStructure(prev.structure, structure) || !slices.Equal(prev.roots, p.ws.Roots()) {
		return nil, false
	}
	prev.mu.Lock()
	defer prev.mu.Unlock()
	if prev.unitRoutes == nil {
		return nil, false // already built on by another program
	}
	it := prev.it
	// res.routes is only where it.run puts the routes of a new statement;
	// res.open is the result.
	res := &interpretation{routes: map[string][]*routeReg{}, open: make(map[string][]*routeReg, len(p.modules))}
	// The route map is handed on and extended (an edit adds one entry); it
	// is compacted when stale entries (edited-away statements) pile up.
	next := &reuseState{it: it, structure: structure, structEnd: prev.structEnd,
		unitRoutes: prev.unitRoutes, other: prev.other, roots: prev.roots,
		seq: make(map[string][]unitRoutes, len(p.modules)), spare: prev.seq, count: make(map[string]int, len(p.modules))}
	prev.unitRoutes = nil // prev is spent: a second reuse of it must fail
	live := 0
	saved := it.res
	it.res = res
	defer func() { it.res = saved }()
	paths := make([]string, 0, len(p.modules))
	for path := range p.modules {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	// Frames belong to the modules the state was built with; the structure
	// being equal, their names resolve the same way.
	frames := make(map[string]*frame, len(it.modules))
	for pm, f := range it.modules {
		frames[pm.path] = f
	}
	for _, path := range paths {
		m := p.modules[path]
		fr := frames[path]
		var open []*routeReg
		if n := prev.count[path]; n > 0 {
			open = make([]*routeReg, 0, n+8)
		}
		open = append(open, openOf(prev.other[path])...)
		old := prev.seq[path]
		list := prev.spare[path][:0] // no generation reads it any more
		j := 0                       // where the next unit is expected in old
		run := 0                     // old[run:j] are taken in order, not yet copied to list
		end := 0                     // the anchor of a new route: the end of the structural unit before it
		for _, u := range m.facts.Units {
			if u.has&hasRouteOnly == 0 {
				end = prev.structEnd[u.UnitFacts]
				continue
			}
			live++
			if j < len(old) && old[j].uf == u.UnitFacts {
				open = append(open, old[j].open...)
				j++
				continue // copied with its run, in one go
			}
			list = append(list, old[run:j]...)
			var e unitRoutes
			found := false
			for k := j + 1; k < len(old) && k < j+seqLookahead; k++ {
				if old[k].uf == u.UnitFacts {
					e, found, j = old[k], true, k+1
					break
				}
			}
			if !found {
				var rs []*routeReg
				if rs, found = next.unitRoutes[u.UnitFacts]; !found {
					if fr == nil {
						return nil, false
					}
					res.routes[path] = nil
					fr.anchor = &anchor{path: path, off: end}
					it.run(fr, &u.Scope, u)
					fr.anchor = nil
					rs = res.routes[path]
					next.unitRoutes[u.UnitFacts] = rs
				}
				e = unitRoutes{u.UnitFacts, rs, openOf(rs)}
			}
			list = append(list, e)
			open = append(open, e.open...)
			run = j
		}
		list = append(list, old[run:j]...)
		delete(res.routes, path)
		next.seq[path] = list
		next.count[path] = len(open)
		if len(open) > 0 {
			res.open[path] = open
		}
	}
	if len(next.unitRoutes) > 2*live+64 {
		compact := make(map[*UnitFacts][]*routeReg, live)
		for _, m := range p.modules {
			for _, u := range m.facts.Units {
				if rs, ok := next.unitRoutes[u.UnitFacts]; ok {
					compact[u.UnitFacts] = rs
				}
			}
		}
		next.unitRoutes = compact
	}
	p.reuse = next
	reuseHits.Add(1)
	return res, true
}
