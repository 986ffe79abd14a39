package python

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/stablestack/stablestack/analysis"
)

// fileInfo is one file's facts arranged for lookups. It depends only on the
// file's Facts (immutable), so it is reused across workspace generations
// while the Facts pointer stays the same.
type fileInfo struct {
	id      uint64 // unique per fileInfo: the index's digest of its files sums them
	path    string
	facts   *Facts
	module  string // dotted module path relative to its workspace root
	pkg     bool   // an __init__.py: relative imports start at the module itself
	imports map[string]Import
	objects map[string]located[Object]
	classes map[string]located[Class]
	stores  map[string]bool // module-level containers (hits = {})
	libs    map[string]bool // top-level modules imported: "fastapi", "flask_limiter"

	// Functions are indexed on first use: a module of thousands of routes
	// protected by decorators never needs them, and this index is rebuilt
	// for the edited file after every edit.
	funcsOnce sync.Once
	funcs     map[string]located[Func]            // module-level functions (and nested ones, unless shadowed)
	methods   map[string]map[string]located[Func] // class -> method -> func
}

// located is a fact with the unit it came from (for absolute spans).
type located[T any] struct {
	v *T // points into the Unit's facts (immutable)
	u *Unit
}

func newFileInfo(path string, f *Facts, roots []string) *fileInfo {
	nImports, nObjects, nClasses := 0, 0, 0
	for _, u := range f.Units {
		nImports += len(u.Imports)
		nObjects += len(u.Objects)
		nClasses += len(u.Classes)
	}
	fi := &fileInfo{
		id: fileInfoIDs.Add(1), path: path, facts: f,
		imports: make(map[string]Import, nImports), objects: make(map[string]located[Object], nObjects),
		classes: make(map[string]located[Class], nClasses), libs: map[string]bool{}, stores: map[string]bool{},
	}
	fi.module, fi.pkg = modulePath(path, roots)
	for _, u := range f.Units {
		for _, im := range u.Imports {
			fi.imports[im.Alias] = im
			top := strings.SplitN(strings.TrimLeft(im.Module, "."), ".", 2)[0]
			if !strings.HasPrefix(im.Module, ".") {
				fi.libs[top] = true
			}
		}
		for i := range u.Objects {
			o := &u.Objects[i]
			if prev, ok := fi.objects[o.Name]; !ok || !prev.v.TopLevel || o.TopLevel {
				fi.objects[o.Name] = located[Object]{o, u}
			}
		}
		for i := range u.Classes {
			fi.classes[u.Classes[i].Name] = located[Class]{&u.Classes[i], u}
		}
		for _, st := range u.Stores {
			if st.Class == "" {
				fi.stores[st.Name] = true
			}
		}
	}
	return fi
}

// funcMap returns the functions by name, indexing them on first use.
func (fi *fileInfo) funcMap() map[string]located[Func] {
	fi.funcsOnce.Do(fi.indexFuncs)
	return fi.funcs
}

// methodMap returns class -> method -> function.
func (fi *fileInfo) methodMap() map[string]map[string]located[Func] {
	fi.funcsOnce.Do(fi.indexFuncs)
	return fi.methods
}

func (fi *fileInfo) indexFuncs() {
	n := 0
	for _, u := range fi.facts.Units {
		n += len(u.Funcs)
	}
	fi.funcs, fi.methods = make(map[string]located[Func], n), map[string]map[string]located[Func]{}
	for _, u := range fi.facts.Units {
		for i := range u.Funcs {
			fn := &u.Funcs[i]
			if fn.Class != "" {
				if fi.methods[fn.Class] == nil {
					fi.methods[fn.Class] = map[string]located[Func]{}
				}
				fi.methods[fn.Class][fn.Name] = located[Func]{fn, u}
				continue
			}
			if _, ok := fi.funcs[fn.Name]; !ok {
				fi.funcs[fn.Name] = located[Func]{fn, u}
			}
		}
	}
}

// modulePath turns /root/pkg/api/views.py into "pkg.api.views" for the
// first root that contains it ("" when none does).
func modulePath(path string, roots []string) (string, bool) {
	for _, root := range roots {
		rel, err := filepath.Rel(root, path)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		rel = strings.TrimSuffix(strings.TrimSuffix(filepath.ToSlash(rel), ".py"), ".pyi")
		pkg := false
		if rel == "__init__" || strings.HasSuffix(rel, "/__init__") {
			rel, pkg = strings.TrimSuffix(strings.TrimSuffix(rel, "__init__"), "/"), true
		}
		return strings.ReplaceAll(rel, "/", "."), pkg
	}
	base := strings.TrimSuffix(filepath.Base(path), ".py")
	return base, base == "__init__"
}

// index is what the checks know about the whole workspace. It is built once
// per workspace generation and configuration.
type index struct {
	files map[string]*fileInfo
	// filesSum is the sum of mix(fi.id) over files: it changes whenever
	// any file's facts do, and subtracting one file gives a digest of all
	// the others (route_cache.go).
	filesSum uint64
	modules  map[string][]*fileInfo // every dotted suffix of a module path -> files
	cfg      *analysis.Config
	roots    []string

	// parents lists, for a router or app, the mounts that serve its routes.
	parents map[objKey][]mountRef
	// links acting on each app or router (middleware, hooks, applied limits).
	links map[objKey][]linkRef
	// guard is what protects every route of a framework regardless of which
	// app it belongs to (Flask-Limiter default limits, DRF default throttles,
	// Django rate-limit middleware).
	guard map[string]bool
	// appGuard is set for frameworks where some app has an app-wide
	// protection; routers never seen mounted inherit it.
	appGuard map[string]bool
	// longLived are class names instantiated at module level somewhere, or
	// installed as middleware: their self.x containers outlive requests.
	longLived map[string]bool
	settings  []settingRef
	// limitedApps are apps a Flask-Limiter with default limits is attached to.
	limitedApps map[objKey]bool
	// remoteUses are counter checks on a container imported from another
	// module (from state import attempts), by the container's definition.
	remoteUses map[objKey][]useRef

	// memo caches answers that many routes of a file share (is "app.post" a
	// limiter, what framework is "app"): a file with thousands of routes
	// asks the same questions thousands of times after every edit.
	memoMu sync.RWMutex
	memo   map[memoKey]memoVal // guarded by memoMu
}

type memoVal struct {
	b bool
	s string
}

// objKey identifies an app or router object: the file defining it and its name.
type objKey struct{ path, name string }

type mountRef struct {
	parent objKey
	names  []string
	fi     *fileInfo
}

type linkRef struct {
	link Link
	fi   *fileInfo
}

type useRef struct {
	use Use
	u   *Unit
	fi  *fileInfo
}

type settingRef struct {
	s  Setting
	u  *Unit
	fi *fileInfo
}

// fileFor returns the index entry of a file being checked (it may not be in
// the workspace yet, e.g. an unsaved buffer).
func (ix *index) fileFor(f *analysis.File, facts *Facts) *fileInfo {
	if fi := ix.files[f.Path]; fi != nil && fi.facts == facts {
		return fi
	}
	return newFileInfo(f.Path, facts, ix.roots)
}

// resolveModule finds the file of an imported module, relative to from.
func (ix *index) resolveModule(from *fileInfo, module string) *fileInfo {
	if strings.HasPrefix(module, ".") {
		dots := len(module) - len(strings.TrimLeft(module, "."))
		parts := strings.Split(from.module, ".")
		if !from.pkg {
			parts = parts[:len(parts)-1]
		}
		up := dots - 1
		if up > len(parts) {
			return nil
		}
		parts = parts[:len(parts)-up]
		if rest := module[dots:]; rest != "" {
			parts = append(parts, rest)
		}
		module = strings.Join(parts, ".")
	}
	cands := ix.modules[module]
	switch len(cands) {
	case 0:
		return nil
	case 1:
		return cands[0]
	}
	// Several files end with this module path: prefer the closest to the importer.
	best, bestLen := cands[0], -1
	for _, c := range cands {
		if n := commonPrefix(c.path, from.path); n > bestLen {
			best, bestLen = c, n
		}
	}
	return best
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// resolve follows a dotted name used in fi to the file and name that define
// it: "views.login" with "from . import views" gives (views.py, "login").
// Unresolvable names come back as (nil, name).
func (ix *index) resolve(fi *fileInfo, name string) (*fileInfo, string) {
	for hop := 0; hop < 4 && fi != nil; hop++ {
		head, rest, dotted := strings.Cut(name, ".")
		if !dotted {
			if fi.defines(name) {
				return fi, name
			}
			im, ok := fi.imports[name]
			if !ok || im.Name == "" || im.Name == "*" {
				return nil, name
			}
			// from m import name: a module (from pkg import views) or a name in m.
			if sub := ix.resolveModule(fi, joinModule(im.Module, im.Name)); sub != nil {
				return sub, ""
			}
			fi, name = ix.resolveModule(fi, im.Module), im.Name
			continue
		}
		im, ok := fi.imports[head]
		if !ok {
			return nil, name
		}
		module := im.Module
		if im.Name != "" {
			module = joinModule(im.Module, im.Name)
		}
		// import a.b.c binds "a": the dotted rest names submodules first.
		for rest != "" {
			sub, more, ok := strings.Cut(rest, ".")
			if !ok || ix.resolveModule(fi, module+"."+sub) == nil {
				break
			}
			module, rest = module+"."+sub, more
		}
		fi, name = ix.resolveModule(fi, module), rest
		if rest == "" {
			return fi, ""
		}
	}
	return nil, name
}

func joinModule(module, name string) string {
	if strings.HasSuffix(module, ".") {
		return module + name
	}
	return module + "." + name
}

func (fi *fileInfo) defines(name string) bool {
	if _, ok := fi.objects[name]; ok {
		return true
	}
	if _, ok := fi.classes[name]; ok {
		return true
	}
	if fi.stores[name] {
		return true
	}
	_, ok := fi.funcMap()[name]
	return ok
}

// importsFrom reports whether alias is bound by an import from a module
// starting with one of prefixes ("django.urls").
func (fi *fileInfo) importsFrom(alias string, prefixes ...string) bool {
	im, ok := fi.imports[alias]
	if !ok {
		return false
	}
	for _, p := range prefixes {
		if im.Module == p || strings.HasPrefix(im.Module, p+".") || im.Module+"."+im.Name == p {
			return true
		}
	}
	return false
}
