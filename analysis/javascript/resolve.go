package javascript

import (
	"strings"
)

// Name resolution for the interpreter: what a receiver, a middleware or a
// plugin value denotes, following locals, module bindings, imports,
// requires and re-exports across files, and the apps and routers that
// constructor calls create.

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
