package python

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stablestack/stablestack/analysis"
)

// RATE001 findings of a statement are cached across edits of a large file.
//
// After a keystroke in a 30,000-line module, re-deciding every route
// (resolving its app, its handler, its protections through the workspace)
// was the largest cost of the edit-to-diagnostics path, although the edit
// touched one statement. A statement's findings depend on its own facts
// (the UnitFacts pointer: unchanged text keeps it), on what the other
// statements of the file export, and on the other files and configuration.
// The cache keeps each statement's findings, with spans relative to the
// statement, and throws all of them away when anything but the edited
// statements could have changed:
//   - another file's facts, the configuration or the workspace roots;
//   - the non-function facts of an edited statement (imports, objects,
//     wiring, classes, settings, containers: unitDeps.export);
//   - a function defined in an edited statement whose name (or class name)
//     another statement mentions anywhere in its text. Functions are only
//     ever looked up by name, so one nobody mentions cannot change
//     another statement's findings, and a mention is the first hop of any
//     longer chain.
//
// route_cache_test.go checks the cache against uncached checks over random
// edits.

// routeCacheMinUnits is the size from which a file's findings are cached:
// smaller files are cheap to check in full, and the CLI, which checks each
// file once, keeps no state for them. A variable for tests.
var routeCacheMinUnits = 256

// fileInfoIDs numbers fileInfos (index.filesSum).
var fileInfoIDs atomic.Uint64

// mix spreads an id over 64 bits (splitmix64's finalizer), so sums of
// different sets of ids do not collide by accident.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// routeCache is the cache of one file.
type routeCache struct {
	mu sync.Mutex // held for a whole check of the file

	// What every cached finding was computed against.
	ws     analysis.Workspace
	cfg    *analysis.Config
	roots  string
	others uint64

	units []*UnitFacts // the version last checked, in order
	// refs counts, per identifier, the statements of that version whose
	// text mentions it; nil until first needed.
	refs map[uint64]int32
	// results[i] holds the findings of units[i], spans relative to it.
	results []cachedFindings
	hits    int // statements answered from the cache, for tests
}

type cachedFindings struct {
	found []analysis.Finding
	ok    bool
}

var routeCaches struct {
	sync.Mutex
	byPath map[string]*routeCache
}

// maxRouteCaches bounds the files with a cache. Only the few files being
// edited benefit, so when a new file would exceed it the whole set starts
// over rather than tracking recency.
const maxRouteCaches = 64

// routeCacheFor returns the locked cache of a file, or nil when the file is
// too small to need one. The caller unlocks it.
func routeCacheFor(path string, facts *Facts) *routeCache {
	if len(facts.Units) < routeCacheMinUnits {
		return nil
	}
	routeCaches.Lock()
	if routeCaches.byPath == nil || len(routeCaches.byPath) >= maxRouteCaches && routeCaches.byPath[path] == nil {
		routeCaches.byPath = map[string]*routeCache{}
	}
	rc := routeCaches.byPath[path]
	if rc == nil {
		rc = &routeCache{}
		routeCaches.byPath[path] = rc
	}
	routeCaches.Unlock()
	rc.mu.Lock()
	return rc
}

// othersDigest identifies the index's view of every file but path (and of
// path too when the index holds another version of it than facts).
func (ix *index) othersDigest(path string, facts *Facts) uint64 {
	if fi := ix.files[path]; fi != nil && fi.facts == facts {
		return ix.filesSum - mix(fi.id)
	}
	return ix.filesSum
}

// begin brings the cache to the version about to be checked, dropping
// every result that version may invalidate.
func (rc *routeCache) begin(ws analysis.Workspace, cfg *analysis.Config, ix *index, path string, facts *Facts) {
	units := make([]*UnitFacts, len(facts.Units))
	for i, u := range facts.Units {
		units[i] = u.UnitFacts
	}
	roots := strings.Join(ix.roots, "\x00")
	others := ix.othersDigest(path, facts)
	same := rc.units != nil && rc.ws == ws && rc.cfg == cfg && rc.roots == roots && rc.others == others
	if local := rc.units != nil && rc.onlyLocalChanges(units); !same || !local {
		rc.results = make([]cachedFindings, len(units))
	}
	rc.ws, rc.cfg, rc.roots, rc.others, rc.units = ws, cfg, roots, others, units
}

// realign moves the results of the p unchanged statements before an edit
// and the s after it to their new indexes; the n statements between have
// none yet.
func (rc *routeCache) realign(p, s, n int) {
	old := rc.results
	if n == len(old)-p-s {
		clear(old[p : p+n])
		return
	}
	next := make([]cachedFindings, p+n+s)
	copy(next, old[:p])
	copy(next[p+n:], old[len(old)-s:])
	rc.results = next
}

// onlyLocalChanges compares the new version's statements with the cached
// one's and reports whether the findings of the statements they share still
// hold. It keeps refs up to date either way.
func (rc *routeCache) onlyLocalChanges(units []*UnitFacts) bool {
	old := rc.units
	p := 0
	for p < len(old) && p < len(units) && old[p] == units[p] {
		p++
	}
	s := 0
	for s < len(old)-p && s < len(units)-p && old[len(old)-1-s] == units[len(units)-1-s] {
		s++
	}
	removed, added := old[p:len(old)-s], units[p:len(units)-s]
	if len(removed) == 0 && len(added) == 0 {
		return true
	}
	if len(removed)+len(added) > maxLocalChange {
		rc.refs = nil // cheaper to rebuild when next needed than to update
		return false
	}
	rc.realign(p, s, len(added))
	exportsOK := sameExports(removed, added)
	changed := changedFuncNames(removed, added)
	if rc.refs == nil && len(changed) > 0 {
		// Built when a function first changes: most edits never need it.
		rc.refs = map[uint64]int32{}
		for _, uf := range old {
			rc.count(uf, 1)
		}
	}
	for _, uf := range removed {
		rc.count(uf, -1)
	}
	for _, uf := range added {
		rc.count(uf, 1)
	}
	if !exportsOK {
		return false
	}
	if len(changed) == 0 {
		return true
	}
	if rc.refs == nil {
		return false // a statement without deps: mentions unknown
	}
	// A mention by an edited statement does not count: those are checked
	// again anyway.
	inAdded := map[uint64]int32{}
	for _, uf := range added {
		for _, id := range uf.deps.refs {
			inAdded[id]++
		}
	}
	for _, id := range changed {
		if rc.refs[id]-inAdded[id] > 0 {
			return false
		}
	}
	return true
}

// count adds (sign 1) or removes (-1) a statement's mentions; a statement
// without deps makes refs unknown (nil), which invalidates the cache.
func (rc *routeCache) count(uf *UnitFacts, sign int32) {
	if rc.refs == nil {
		return
	}
	if uf.deps == nil {
		rc.refs = nil
		return
	}
	for _, id := range uf.deps.refs {
		if n := rc.refs[id] + sign; n != 0 {
			rc.refs[id] = n
		} else {
			delete(rc.refs, id)
		}
	}
}

// sameExports reports whether two runs of statements export the same
// non-function facts, in the same order.
func sameExports(removed, added []*UnitFacts) bool {
	var a, b []uint64
	for _, uf := range removed {
		if uf.deps == nil {
			return false
		}
		if uf.deps.export != emptyExport {
			a = append(a, uf.deps.export)
		}
	}
	for _, uf := range added {
		if uf.deps == nil {
			return false
		}
		if uf.deps.export != emptyExport {
			b = append(b, uf.deps.export)
		}
	}
	return slices.Equal(a, b)
}

// emptyExport is the digest of a statement exporting nothing (a plain
// function or a decorated route), which may come and go freely.
// maxLocalChange is the number of replaced statements beyond which a
// version counts as new: comparing them would cost more than checking.
const maxLocalChange = 64

var emptyExport = exportDigest(&UnitFacts{})

// changedFuncNames returns the names (and class names) of the functions
// defined differently in removed than in added.
func changedFuncNames(removed, added []*UnitFacts) []uint64 {
	count := map[funcSig]int{}
	for _, uf := range removed {
		if uf.deps == nil {
			continue
		}
		for _, f := range uf.deps.funcs {
			count[f]++
		}
	}
	for _, uf := range added {
		if uf.deps == nil {
			continue
		}
		for _, f := range uf.deps.funcs {
			count[f]--
		}
	}
	var out []uint64
	for f, n := range count {
		if n == 0 {
			continue
		}
		out = append(out, f.name)
		if f.class != 0 {
			out = append(out, f.class)
		}
	}
	return out
}
