package javascript

import (
	"sort"
	"strings"

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
	routes map[string][]*routeReg // by file
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

// guess stands in for an app whose origin is out of sight: a parameter of a
// function never seen invoked, or a name imported from a module outside the
// workspace. Only app-like names (or files importing a framework) qualify.
func (it *interp) guess(fr *frame, recv Value) *instance {
	if recv.Kind != KIdent {
		return nil
	}
	fw := fr.m.importsFramework()
	if fw == "" && !appLikeName(recv.Name) {
		return nil
	}
	if fw == "" {
		fw = fwExpress
		if recv.Name == "fastify" || recv.Name == "instance" {
			fw = fwFastify
		}
	}
	key := fr.fn
	if it.guesses[key] == nil {
		it.guesses[key] = map[string]*instance{}
	}
	if inst := it.guesses[key][recv.Name]; inst != nil {
		return inst
	}
	inst := &instance{framework: fw, guessed: true}
	it.guesses[key][recv.Name] = inst
	return inst
}

// originUnknown reports whether a receiver's value is out of sight: a
// parameter nobody was seen passing, or an import from a project file that
// is not in the workspace. A name bound to something we can see (a
// FindMyWay() router, an axios instance, a package import) is not a guess.
func (it *interp) originUnknown(fr *frame, v Value) bool {
	if v.Kind != KIdent {
		return false
	}
	f, _, ok := it.lookup(fr, v.Name)
	if ok {
		return false
	}
	if f != nil && f.fn != nil && f != it.moduleFrame(fr.m) {
		return true // a parameter
	}
	im, imported := fr.m.imports[v.Name]
	if !imported {
		return false
	}
	if frameworkOf(im.Module) != "" {
		return true
	}
	rel := strings.HasPrefix(im.Module, ".") || strings.HasPrefix(im.Module, "@/") || strings.HasPrefix(im.Module, "~/")
	return rel && it.p.resolve(fr.m.path, im.Module) == nil
}

// lookup finds the value a name is bound to in the frame chain or the
// module: (frame it lives in, value, ok). Parameters bound to instances are
// handled by inst.
func (it *interp) lookup(fr *frame, name string) (*frame, Value, bool) {
	for f := fr; f != nil; f = f.parent {
		if f.fn != nil {
			for _, p := range f.fn.Params {
				if p == name {
					return f, Value{}, false
				}
			}
		}
		if v, ok := f.locals[name]; ok {
			return f, v, true
		}
	}
	mf := it.moduleFrame(fr.m)
	if b, ok := fr.m.bindings[name]; ok {
		return mf, b.Value, true
	}
	if f, ok := fr.m.funcs[name]; ok {
		return mf, Value{Kind: KFunc, Fn: f}, true
	}
	return mf, Value{}, false
}

// imported resolves an imported name to the exporting module's value.
func (it *interp) imported(m *module, name string) (*frame, Value, bool) {
	im, ok := m.imports[name]
	if !ok {
		return nil, Value{}, false
	}
	target := it.p.resolve(m.path, im.Module)
	if target == nil {
		return nil, Value{}, false
	}
	exp := im.Name
	if exp == "*" {
		exp = "default"
		if _, ok := target.exports["default"]; !ok {
			return nil, Value{}, false
		}
	}
	tm, v, ok := it.p.export(target, exp, 0)
	if !ok {
		return nil, Value{}, false
	}
	return it.moduleFrame(tm), v, true
}

// moduleValue resolves require('./x') to the module's default export.
func (it *interp) moduleValue(m *module, spec string) (*frame, Value, bool) {
	target := it.p.resolve(m.path, spec)
	if target == nil {
		return nil, Value{}, false
	}
	tm, v, ok := it.p.export(target, "default", 0)
	if !ok {
		return nil, Value{}, false
	}
	return it.moduleFrame(tm), v, true
}

// deref follows a name, an import, a require or ns.member to the value it
// denotes, with the frame that value lives in. ok=false when it cannot.
func (it *interp) deref(fr *frame, v Value, depth int) (*frame, Value, bool) {
	if depth > 12 {
		return nil, Value{}, false
	}
	switch v.Kind {
	case KIdent:
		if f, b, ok := it.lookup(fr, v.Name); ok {
			if b.Kind == KIdent && b.Name == v.Name && f == fr {
				return nil, Value{}, false
			}
			return f, b, true
		} else if f != nil && f.fn != nil && f != it.moduleFrame(fr.m) {
			return nil, Value{}, false // a parameter
		}
		return it.imported(fr.m, v.Name)
	case KMember:
		if mod, ok := requireModule(v.Name); ok {
			_, rest := fr.m.origin(v.Name)
			if target := it.p.resolve(fr.m.path, mod); target != nil && rest != "" && !containsDot(rest) {
				if tm, val, ok := it.p.export(target, rest, 0); ok {
					return it.moduleFrame(tm), val, true
				}
			}
			return nil, Value{}, false
		}
		root := rootName(v.Name)
		if im, ok := fr.m.imports[root]; ok && (im.Name == "*" || im.Name == "default") {
			rest := v.Name[len(root)+1:]
			if target := it.p.resolve(fr.m.path, im.Module); target != nil && !containsDot(rest) {
				if tm, val, ok := it.p.export(target, rest, 0); ok {
					return it.moduleFrame(tm), val, true
				}
			}
		}
	case KCall:
		if v.Name == "require" && len(v.Args) == 1 {
			return it.moduleValue(fr.m, v.Args[0].Str)
		}
		if mod, ok := requireModule(v.Name); ok && v.Name == "require('"+mod+"')" && len(v.Args) == 0 {
			return it.moduleValue(fr.m, mod)
		}
	}
	return nil, Value{}, false
}

func containsDot(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return true
		}
	}
	return false
}

// funcOf resolves a value to the function it denotes. encapsulated is false
// for fastify-plugin wrappers (fp(fn)), whose hooks reach the parent.
func (it *interp) funcOf(fr *frame, v Value, depth int) (f *Func, m *module, encapsulated bool) {
	if depth > 12 {
		return nil, nil, true
	}
	switch v.Kind {
	case KFunc:
		if v.Fn == nil {
			return nil, nil, true
		}
		return v.Fn, fr.m, true
	case KCall:
		if v.Name == "require" || v.Name == "" {
			break
		}
		if n := lastName(v.Name); (n == "fp" || n == "fastifyPlugin" || n == "plugin") && len(v.Args) > 0 {
			f, m, _ := it.funcOf(fr, v.Args[0], depth+1)
			return f, m, false
		}
		return nil, nil, true
	}
	if v.Kind == KCall && v.Callee != nil {
		return nil, nil, true
	}
	f2, val, ok := it.deref(fr, v, depth+1)
	if !ok {
		return nil, nil, true
	}
	return it.funcOf(f2, val, depth+1)
}

// inst resolves a value to the app/router instance it denotes, creating
// instances for constructor calls (memoized per binding).
func (it *interp) inst(fr *frame, v Value, depth int) *instance {
	if depth > 12 {
		return nil
	}
	switch v.Kind {
	case KIdent:
		for f := fr; f != nil; f = f.parent {
			if inst, ok := f.vars[v.Name]; ok {
				return inst
			}
		}
		fast := instKey{fr, "", v.Name}
		if inst, ok := it.insts[fast]; ok {
			return inst
		}
		inst := it.instOfName(fr, v, depth)
		it.insts[fast] = inst
		return inst
	case KMember:
		f2, val, ok := it.deref(fr, v, depth+1)
		if ok {
			return it.inst(f2, val, depth+1)
		}
		return nil
	case KCall, KNew:
		return it.instFromCall(fr, v, depth)
	case KOther:
		// new Hono().basePath('/api') and the like: obj(...).method
		if v.Callee != nil && v.Name == "?.routes" {
			return it.inst(fr, *v.Callee, depth+1)
		}
	}
	return nil
}

// instOfName resolves a name to its instance (memoized per binding, so a
// router imported by two files is one router).
func (it *interp) instOfName(fr *frame, v Value, depth int) *instance {
	f2, val, ok := it.deref(fr, v, depth+1)
	if !ok {
		return nil
	}
	key := instKey{f2, f2.m.path, v.Name}
	if val.Kind == KIdent || val.Kind == KMember {
		key.name = "=" + val.Name + "@" + v.Name
	}
	if inst, ok := it.insts[key]; ok {
		return inst
	}
	it.insts[key] = nil // cycle guard
	inst := it.inst(f2, val, depth+1)
	it.insts[key] = inst
	return inst
}

func (it *interp) instFromCall(fr *frame, v Value, depth int) *instance {
	if fw := fr.m.constructorFramework(v); fw != "" {
		inst := &instance{framework: fw}
		if len(v.Args) > 0 && v.Args[0].Kind == KObject {
			if p, ok := v.Args[0].Key("prefix"); ok && p.Kind == KString {
				inst.base = p.Str
			}
		}
		return inst
	}
	method, recv := "", Value{}
	switch {
	case v.Name != "" && containsDot(v.Name):
		method = lastName(v.Name)
		recv = Value{Kind: KIdent, Name: v.Name[:len(v.Name)-len(method)-1]}
		if containsDot(recv.Name) {
			recv.Kind = KMember
		}
	case v.Callee != nil && v.Callee.Kind == KOther && v.Callee.Callee != nil:
		method, recv = v.Callee.Name[2:], *v.Callee.Callee
	}
	switch method {
	case "routes", "middleware": // Koa: app.use(router.routes())
		return it.inst(fr, recv, depth+1)
	case "basePath": // Hono: a view of the app under a prefix
		parent := it.inst(fr, recv, depth+1)
		if parent == nil {
			return nil
		}
		child := &instance{framework: parent.framework}
		prefix := ""
		if len(v.Args) > 0 && v.Args[0].Kind == KString {
			prefix = v.Args[0].Str
		}
		child.mounts = append(child.mounts, mountEdge{parent: parent, prefix: prefix, at: anchor{path: fr.m.path, off: -1, sub: -1}})
		return child
	}
	if f2, val, ok := it.deref(fr, v, depth+1); ok {
		return it.inst(f2, val, depth+1)
	}
	// createApp(): the instance a function returns.
	if f, m, _ := it.funcOf(fr, Value{Kind: KIdent, Name: v.Name}, depth+1); f != nil && v.Name != "" && !containsDot(v.Name) {
		for _, r := range f.Returns {
			rf := it.root(m, f)
			if inst := it.inst(rf, r, depth+1); inst != nil {
				return inst
			}
		}
	}
	return nil
}
