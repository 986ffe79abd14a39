package javascript

import (
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stablestack/stablestack/analysis"
)

// module is one file's facts indexed by name for the checks.
type module struct {
	path     string
	facts    *Facts
	imports  map[string]Import
	exports  map[string]Export
	star     []string // export * from ...
	bindings map[string]Binding
	funcs    map[string]*Func
	units    map[*Func]*Unit // where each active function's spans are anchored
	all      []*Func         // every active function (UnitFacts.Active), nested ones included
	// counterUnits are the units with Counters, in order: RATE002 reads
	// only those, and a file of 5,000 routes has none or a few.
	counterUnits []*Unit
}

// newModule indexes a file's facts.
func newModule(path string, facts *Facts) *module {
	m := &module{path: path, facts: facts, imports: map[string]Import{}, exports: map[string]Export{},
		bindings: map[string]Binding{}, funcs: map[string]*Func{}, units: map[*Func]*Unit{}}
	for _, u := range facts.Units {
		if u.has&newModuleMask == 0 {
			continue // a route registration: nothing to index
		}
		for _, im := range u.Imports {
			if im.Local != "" {
				m.imports[im.Local] = im
			}
		}
		for _, e := range u.Exports {
			if e.Name == "*" && e.FromName == "*" {
				m.star = append(m.star, e.From)
				continue
			}
			if _, dup := m.exports[e.Name]; !dup {
				m.exports[e.Name] = e
			}
		}
		for _, b := range u.Bindings {
			if _, dup := m.bindings[b.Name]; !dup {
				m.bindings[b.Name] = b
			}
		}
		for _, f := range u.Funcs {
			if f.Name != "" {
				if _, dup := m.funcs[f.Name]; !dup {
					m.funcs[f.Name] = f
				}
			}
		}
		for _, f := range u.Active {
			m.units[f] = u
			m.all = append(m.all, f)
		}
		if len(u.Counters) > 0 {
			m.counterUnits = append(m.counterUnits, u)
		}
	}
	return m
}

// program is the whole workspace's JS/TS modules plus the interpretation of
// their apps, routers and routes. It is built once per workspace generation.
type program struct {
	ws      analysis.Workspace
	cfg     *analysis.Config
	modules map[string]*module

	once   sync.Once
	result *interpretation
	// prevReuse is the last interpreted program's state (nil when there is
	// none or the configuration changed); reuse is this program's, for the
	// next one. done is set when the interpretation is complete.
	prevReuse *reuseState
	reuse     *reuseState
	done      atomic.Bool
}

// programs caches the latest program of each workspace (the server has
// one; tests and the CLI may have a few), so checks of one generation share
// one interpretation and the next generation can build on it.
var (
	cacheMu  sync.Mutex
	programs = map[analysis.Workspace]*cachedProgram{} // guarded by cacheMu
)

type cachedProgram struct {
	gen uint64
	cfg *analysis.Config
	p   *program
}

// maxCachedPrograms bounds the cache; beyond it an arbitrary entry goes.
const maxCachedPrograms = 4

// reuseHits counts interpretations built on the previous one (for tests).
var reuseHits atomic.Int64

// programFor returns the program of ws, cached per generation. When the
// file being checked is not the one the workspace holds (an unsaved buffer
// checked before it is indexed), a fresh program including it is built.
func programFor(f *analysis.File, ws analysis.Workspace, cfg *analysis.Config) *program {
	stored := ws.File(f.Path)
	fresh := stored == nil || stored.Facts != f.Facts
	gen := ws.Generation()
	cacheMu.Lock()
	c := programs[ws]
	cacheMu.Unlock()
	if !fresh && c != nil && c.gen == gen && c.cfg == cfg {
		return c.p
	}
	var prev *program
	if c != nil {
		prev = c.p
	}
	p := &program{ws: ws, cfg: cfg, modules: map[string]*module{}}
	if prev != nil && !fresh && c.cfg == cfg && prev.done.Load() {
		p.prevReuse = prev.reuse
	}
	ws.Each(func(o *analysis.File) bool {
		if facts, ok := o.Facts.(*Facts); ok && o.Lang.IsJS() {
			// Facts are immutable: an unchanged file keeps its index.
			if prev != nil {
				if m := prev.modules[o.Path]; m != nil && m.facts == facts {
					p.modules[o.Path] = m
					return true
				}
			}
			p.modules[o.Path] = newModule(o.Path, facts)
		}
		return true
	})
	if facts, ok := f.Facts.(*Facts); ok {
		if m := p.modules[f.Path]; m == nil || m.facts != facts { // the workspace's copy may be this one
			p.modules[f.Path] = newModule(f.Path, facts)
		}
	}
	if !fresh {
		cacheMu.Lock()
		if len(programs) >= maxCachedPrograms && programs[ws] == nil {
			for k := range programs {
				delete(programs, k)
				break
			}
		}
		programs[ws] = &cachedProgram{gen: gen, cfg: cfg, p: p}
		cacheMu.Unlock()
	}
	return p
}

// resolveExtensions are tried, in order, for an import without extension.
var resolveExtensions = []string{".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"}

// resolve finds the module an import specifier names, relative to from.
// Bare specifiers (packages) resolve to nothing; "@/x" and "~/x" are tried
// against the workspace roots and their src directories, the usual aliases.
func (p *program) resolve(from, spec string) *module {
	var bases []string
	switch {
	case strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../") || spec == "." || spec == "..":
		bases = []string{filepath.Join(filepath.Dir(from), filepath.FromSlash(spec))}
	case strings.HasPrefix(spec, "@/") || strings.HasPrefix(spec, "~/"):
		for _, r := range p.ws.Roots() {
			bases = append(bases, filepath.Join(r, filepath.FromSlash(spec[2:])), filepath.Join(r, "src", filepath.FromSlash(spec[2:])))
		}
	default:
		return nil
	}
	for _, base := range bases {
		if m := p.modules[base]; m != nil {
			return m
		}
		trimmed := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".js"), ".mjs"), ".cjs")
		for _, ext := range resolveExtensions {
			if m := p.modules[trimmed+ext]; m != nil {
				return m
			}
		}
		for _, ext := range resolveExtensions {
			if m := p.modules[filepath.Join(base, "index"+ext)]; m != nil {
				return m
			}
		}
	}
	return nil
}

// export finds what module m exports under name, following re-exports.
// It returns the module the value lives in.
func (p *program) export(m *module, name string, depth int) (*module, Value, bool) {
	if m == nil || depth > 8 {
		return nil, Value{}, false
	}
	if e, ok := m.exports[name]; ok {
		if e.From != "" {
			if name == "default" && e.FromName == "default" && e.Value.Kind == KCall {
				return p.export(p.resolve(m.path, e.From), "default", depth+1)
			}
			return p.export(p.resolve(m.path, e.From), e.FromName, depth+1)
		}
		return m, e.Value, true
	}
	// CommonJS: const { a } = require('./x') where module.exports = { a, ... }.
	if d, ok := m.exports["default"]; ok && name != "default" {
		if d.Value.Kind == KObject {
			if v, ok := d.Value.Key(name); ok {
				return m, v, true
			}
		}
		if d.Value.Kind == KIdent {
			if b, ok := m.bindings[d.Value.Name]; ok && b.Value.Kind == KObject {
				if v, ok := b.Value.Key(name); ok {
					return m, v, true
				}
			}
		}
	}
	for _, s := range m.star {
		if mm, v, ok := p.export(p.resolve(m.path, s), name, depth+1); ok {
			return mm, v, true
		}
	}
	return nil, Value{}, false
}
