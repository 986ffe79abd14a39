package javascript

import (
	"sort"

	"github.com/stablestack/stablestack/analysis"
)

// The interpreter runs the recorded registration calls of every module in
// order, following routers, plugins and installer functions across files, and
// produces each route with the middleware that was installed before it.
//
// Order is what makes Express and friends safe or not: app.use(limiter)
// protects the routes registered and the routers mounted after it, not
// before. Events are ordered by their anchor: the position of the statement
// in the file that decided the order (for routes added by an installer
// function or a plugin, the position of the call that ran it). Events in
// different files cannot be ordered and count as earlier, which errs toward
// "protected": a missed finding, never a false one.

// anchor is where an event happened, for ordering: off in path, and sub,
// the event's own position, which orders the events of one installer or
// plugin run (they share path and off).
type anchor struct {
	path string
	off  int
	sub  int
}

// before reports whether a happened before b (see the package comment).
func (a anchor) before(b anchor) bool {
	if a.path != b.path {
		return true
	}
	if a.off != b.off {
		return a.off < b.off
	}
	return a.sub < b.sub
}

// instance is an app, router or plugin context routes are registered on.
type instance struct {
	framework string
	base      string // a Koa router's prefix option
	mounts    []mountEdge
	uses      []use // rate-limiting middleware installed on it
	guessed   bool  // a parameter whose argument was never seen
}

// mountEdge says child is mounted on parent at prefix.
type mountEdge struct {
	parent  *instance
	prefix  string
	at      anchor
	limited bool // a limiter comes before the router in the same use() call
}

// use is rate-limiting middleware installed on an instance.
type use struct {
	prefixes []string // nil: every path
	at       anchor
}

// routeReg is one registered route.
type routeReg struct {
	inst      *instance
	methods   []string
	path      string
	dynamic   bool
	file      string
	span      analysis.Span // absolute
	at        anchor
	protected bool // by its own handler chain or options
	// unit is the statement the registration call sits in; rel and
	// relInsert (the first handler, where a limiter argument goes; -1 if
	// unknown) are relative to it, so a route kept from an earlier
	// interpretation still lands on the right offsets after edits above it.
	unit      *UnitFacts
	rel       analysis.Span
	relInsert int
}

// interpretation is the result for the whole workspace.
type interpretation struct {
	// routes are every file's routes in order, after a full
	// interpretation (a reused one fills only open).
	routes map[string][]*routeReg
	// open are the routes of each file that their own handler chain or
	// options leave unprotected (routes without the protected ones, in
	// order): all RATE001 reads, a tenth of the routes in a typical file.
	open map[string][]*routeReg
}

// openOf is routes without those protected by their own handler chain or
// options; routes itself when none is.
func openOf(routes []*routeReg) []*routeReg {
	n := 0
	for _, r := range routes {
		if !r.protected {
			n++
		}
	}
	switch n {
	case 0:
		return nil
	case len(routes):
		return routes
	}
	out := make([]*routeReg, 0, n)
	for _, r := range routes {
		if !r.protected {
			out = append(out, r)
		}
	}
	return out
}

// frame is one running scope: a module's top level or a function body.
type frame struct {
	m      *module
	fn     *Func
	parent *frame
	vars   map[string]*instance // parameters bound to the instances they received
	locals map[string]Value
	anchor *anchor
	depth  int
	// lastRecv/lastInst remember the last receiver resolved in this frame:
	// consecutive registrations on one app (app.get, app.post, ...) resolve
	// it once. Bindings never change, so the answer cannot go stale.
	lastRecv string
	lastInst *instance
}

type instKey struct {
	fr   *frame
	path string
	name string
}

type interp struct {
	p       *program
	insts   map[instKey]*instance
	guesses map[*Func]map[string]*instance
	invoked map[*Func]bool
	refd    map[*Func]bool
	roots   map[*Func]*frame
	active  map[*Func]bool
	modules map[*module]*frame
	res     *interpretation
	base    int        // start of the unit being interpreted
	unit    *UnitFacts // the unit being interpreted
	// limiterMemo caches isLimiter for calls (guarded by nothing: an
	// interp runs on one goroutine).
	limiterMemo map[limiterKey]bool // start of the unit whose call is being interpreted
}

// maxInvokeDepth bounds installer and plugin nesting.
const maxInvokeDepth = 8

// interpret runs the whole workspace once (memoized per program).
func (p *program) interpret() *interpretation {
	p.once.Do(func() {
		defer p.done.Store(true)
		structure := p.structureOf()
		if res, ok := p.reuseFrom(p.prevReuse, structure); ok {
			p.result, p.prevReuse = res, nil
			return
		}
		p.prevReuse = nil
		it := p.newInterp()
		mods := make([]*module, 0, len(p.modules))
		for _, m := range p.modules {
			mods = append(mods, m)
		}
		sort.Slice(mods, func(i, j int) bool { return mods[i].path < mods[j].path })
		for _, m := range mods {
			it.markReferenced(m)
		}
		for _, m := range mods {
			fr := it.moduleFrame(m)
			for _, u := range m.facts.Units {
				it.run(fr, &u.Scope, u)
			}
		}
		// Functions nobody was seen running: interpret them on their own,
		// their parameters standing for apps of unknown origin.
		for _, m := range mods {
			for _, f := range m.all {
				if len(f.Calls) > 0 && !it.invoked[f] && !it.refd[f] {
					it.root(m, f)
				}
			}
		}
		it.res.open = make(map[string][]*routeReg, len(it.res.routes))
		for file, routes := range it.res.routes {
			if open := openOf(routes); len(open) > 0 {
				it.res.open[file] = open
			}
		}
		p.result = it.res
		p.remember(it, structure)
	})
	return p.result
}

func (p *program) newInterp() *interp {
	return &interp{p: p, insts: map[instKey]*instance{}, guesses: map[*Func]map[string]*instance{},
		invoked: map[*Func]bool{}, refd: map[*Func]bool{}, roots: map[*Func]*frame{}, active: map[*Func]bool{},
		modules: map[*module]*frame{}, res: &interpretation{routes: map[string][]*routeReg{}},
		limiterMemo: map[limiterKey]bool{}}
}

func (it *interp) moduleFrame(m *module) *frame {
	if fr, ok := it.modules[m]; ok {
		return fr
	}
	fr := &frame{m: m, locals: map[string]Value{}}
	it.modules[m] = fr
	return fr
}

// markReferenced finds the functions some call runs (installers, plugins),
// so they are not also interpreted on their own with unknown parameters.
func (it *interp) markReferenced(m *module) {
	fr := it.moduleFrame(m)
	visit := func(sc *Scope) {
		for _, c := range sc.Calls {
			switch {
			case c.Recv.Kind == KNone:
				if f, _, _ := it.funcOf(fr, c.Callee, 0); f != nil {
					it.refd[f] = true
				}
			case c.Method == "register" && len(c.Args) > 0:
				if f, _, _ := it.funcOf(fr, c.Args[0], 0); f != nil {
					it.refd[f] = true
				}
				targets, _ := it.autoloadTargets(fr, &c)
				for _, t := range targets {
					if _, v, ok := it.p.export(t.m, "default", 0); ok {
						if f, _, _ := it.funcOf(it.moduleFrame(t.m), v, 0); f != nil {
							it.refd[f] = true
						}
					}
				}
			}
		}
	}
	for _, u := range m.facts.Units {
		visit(&u.Scope)
	}
	for _, f := range m.all {
		visit(&f.Scope)
	}
}

// root interprets a function on its own (once).
func (it *interp) root(m *module, f *Func) *frame {
	if fr, ok := it.roots[f]; ok {
		return fr
	}
	fr := it.newFrame(m, f, nil, it.moduleFrame(m), nil)
	it.roots[f] = fr
	it.runFunc(fr)
	return fr
}

func (it *interp) newFrame(m *module, f *Func, vars map[string]*instance, parent *frame, at *anchor) *frame {
	fr := &frame{m: m, fn: f, parent: parent, vars: vars, locals: map[string]Value{}, anchor: at}
	if parent != nil {
		fr.depth = parent.depth + 1
	}
	for _, b := range f.Bindings {
		if _, dup := fr.locals[b.Name]; !dup {
			fr.locals[b.Name] = b.Value
		}
	}
	return fr
}

// invoke runs f with some parameters bound to instances, anchored at the
// call site.
func (it *interp) invoke(m *module, f *Func, vars map[string]*instance, caller *frame, at anchor) {
	if it.active[f] || caller.depth >= maxInvokeDepth {
		return
	}
	it.invoked[f] = true
	a := at
	if caller.anchor != nil {
		a = *caller.anchor
	}
	parent := it.moduleFrame(m)
	if caller.m == m {
		parent = caller
	}
	fr := it.newFrame(m, f, vars, parent, &a)
	fr.depth = caller.depth + 1
	it.runFunc(fr)
}

func (it *interp) runFunc(fr *frame) {
	it.active[fr.fn] = true
	defer delete(it.active, fr.fn)
	u := fr.m.units[fr.fn]
	if u == nil {
		return
	}
	it.run(fr, &fr.fn.Scope, u)
}

// run interprets a scope's calls in order.
func (it *interp) run(fr *frame, sc *Scope, u *Unit) {
	for i := range sc.Calls {
		c := &sc.Calls[i]
		span := u.Abs(c.Span)
		at := anchor{fr.m.path, span.Start, span.Start}
		if fr.anchor != nil {
			at = *fr.anchor
			at.sub = span.Start
		}
		if c.Recv.Kind == KNone {
			it.installer(fr, c, at)
			continue
		}
		var inst *instance
		if c.Recv.Kind == KIdent && c.Recv.Name == fr.lastRecv && fr.lastInst != nil {
			inst = fr.lastInst
		} else {
			inst = it.inst(fr, c.Recv, 0)
			if inst == nil && it.originUnknown(fr, c.Recv) {
				inst = it.guess(fr, c.Recv)
			}
			if c.Recv.Kind == KIdent {
				fr.lastRecv, fr.lastInst = c.Recv.Name, inst
			}
		}
		if inst == nil {
			continue
		}
		it.unit = u.UnitFacts
		it.registration(fr, inst, c, span, at, u.Start)
	}
}

// installer runs routes(app) / require('./routes')(app).
func (it *interp) installer(fr *frame, c *Call, at anchor) {
	f, m, _ := it.funcOf(fr, c.Callee, 0)
	if f == nil {
		return
	}
	vars := map[string]*instance{}
	for i, a := range c.Args {
		if i >= len(f.Params) || f.Params[i] == "" {
			break
		}
		if inst := it.inst(fr, a, 0); inst != nil {
			vars[f.Params[i]] = inst
		}
	}
	if len(vars) > 0 {
		it.invoke(m, f, vars, fr, at)
	}
}
