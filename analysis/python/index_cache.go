package python

import (
	"strings"
	"sync"

	"github.com/stablestack/stablestack/analysis"
)

// The workspace index is derived from every file's facts; it is rebuilt
// when the workspace generation or the configuration changes, reusing the
// fileInfo of every file whose Facts pointer is unchanged.

// One index per configuration in use: in a multi-root workspace whose
// folders have their own settings, checks alternate between
// configurations, and a single entry would rebuild the index at every
// switch. fileInfos do not depend on the configuration and are shared.
var cache struct {
	sync.Mutex
	ws    analysis.Workspace
	gen   uint64
	roots string // module paths in fileInfos depend on the roots
	infos map[*Facts]*fileInfo
	byCfg map[*analysis.Config]*index // built at gen
}

// indexFor returns the workspace index, building it when the workspace or
// the configuration changed since the last call.
func indexFor(ws analysis.Workspace, cfg *analysis.Config) *index {
	cache.Lock()
	defer cache.Unlock()
	gen := ws.Generation()
	if cache.ws != ws || cache.gen != gen {
		// Indexes of an older generation are stale for every configuration.
		cache.byCfg = map[*analysis.Config]*index{}
	}
	if idx := cache.byCfg[cfg]; idx != nil {
		return idx
	}
	roots := ws.Roots()
	rootsKey := strings.Join(roots, "\x00")
	reuse := cache.infos
	if cache.ws != ws || cache.roots != rootsKey {
		reuse = nil
	}
	infos := map[*Facts]*fileInfo{}
	idx := &index{
		files: map[string]*fileInfo{}, modules: map[string][]*fileInfo{}, cfg: cfg,
		parents: map[objKey][]mountRef{}, links: map[objKey][]linkRef{},
		guard: map[string]bool{}, appGuard: map[string]bool{}, longLived: map[string]bool{},
		remoteUses: map[objKey][]useRef{}, limitedApps: map[objKey]bool{},
	}
	ws.Each(func(f *analysis.File) bool {
		facts, ok := f.Facts.(*Facts)
		if !ok || len(facts.Units) == 0 {
			return true
		}
		fi := reuse[facts]
		if fi == nil || fi.path != f.Path {
			fi = newFileInfo(f.Path, facts, roots)
		}
		infos[facts] = fi
		idx.files[f.Path] = fi
		idx.filesSum += mix(fi.id)
		parts := strings.Split(fi.module, ".")
		for i := range parts {
			key := strings.Join(parts[i:], ".")
			idx.modules[key] = append(idx.modules[key], fi)
		}
		return true
	})
	idx.build()
	idx.roots = roots
	cache.ws, cache.gen, cache.roots, cache.infos = ws, gen, rootsKey, infos
	cache.byCfg[cfg] = idx
	return idx
}

// memoKey identifies a memoized answer: fi is the file the question is
// asked from (a pointer, so an unsaved buffer's fileInfo never shares answers
// with the indexed version of the same path), path/name the subject.
type memoKey struct {
	kind       uint8
	fi         *fileInfo
	path, name string
}

const (
	memoRejects uint8 = iota
	memoFramework
	memoRecvGuarded
)

func (ix *index) memoBool(kind uint8, fi *fileInfo, path, name string, f func() bool) bool {
	k := memoKey{kind, fi, path, name}
	if v, ok := ix.memoGet(k); ok {
		return v.b
	}
	v := f()
	ix.memoPut(k, memoVal{b: v})
	return v
}

func (ix *index) memoGet(k memoKey) (memoVal, bool) {
	ix.memoMu.RLock()
	v, ok := ix.memo[k]
	ix.memoMu.RUnlock()
	return v, ok
}

func (ix *index) memoPut(k memoKey, v memoVal) {
	ix.memoMu.Lock()
	if ix.memo == nil {
		ix.memo = map[memoKey]memoVal{}
	}
	ix.memo[k] = v
	ix.memoMu.Unlock()
}
