// Package engine runs the rules over a set of files: it keeps the workspace
// index (each file's Facts, never its tree), summarizes files that change,
// and checks a file against the rest of the workspace. The language server and
// the CLI share it, so they agree on every finding.
package engine

import (
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Engine is the workspace index plus configuration. It is safe for concurrent
// use: files are replaced whole, never mutated.
type Engine struct {
	mu    sync.RWMutex
	files map[string]*analysis.File // guarded by mu; key: File.Path
	roots []string                  // guarded by mu

	gen atomic.Uint64
	cfg atomic.Pointer[analysis.Config]
	// perRoot are the configurations of workspace folders that have their
	// own (a multi-root workspace), longest root first.
	perRoot atomic.Pointer[[]rootConfig]
}

type rootConfig struct {
	root string
	cfg  *analysis.Config
}

// New returns an empty engine using cfg (nil means the defaults).
func New(cfg *analysis.Config) *Engine {
	e := &Engine{files: map[string]*analysis.File{}}
	e.SetConfig(cfg)
	return e
}

// Config is the configuration in force.
func (e *Engine) Config() *analysis.Config { return e.cfg.Load() }

// SetConfig replaces the configuration; checks after it use the new one.
func (e *Engine) SetConfig(cfg *analysis.Config) {
	if cfg == nil {
		cfg = analysis.DefaultConfig()
	}
	e.cfg.Store(cfg)
	e.gen.Add(1)
}

// SetRootConfigs gives workspace folders configurations of their own: a
// file under one of the roots is checked with that root's configuration
// (the deepest root wins), any other file with Config.
func (e *Engine) SetRootConfigs(m map[string]*analysis.Config) {
	list := make([]rootConfig, 0, len(m))
	for root, cfg := range m {
		if cfg != nil {
			list = append(list, rootConfig{filepath.Clean(root), cfg})
		}
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i].root) > len(list[j].root) })
	e.perRoot.Store(&list)
	e.gen.Add(1)
}

// ConfigFor is the configuration that applies to a file (or directory).
func (e *Engine) ConfigFor(path string) *analysis.Config {
	if list := e.perRoot.Load(); list != nil {
		for _, rc := range *list {
			if path == rc.root || strings.HasPrefix(path, rc.root+string(filepath.Separator)) {
				return rc.cfg
			}
		}
	}
	return e.Config()
}

// SetRoots sets the workspace folders.
func (e *Engine) SetRoots(roots []string) {
	e.mu.Lock()
	e.roots = append([]string(nil), roots...)
	e.mu.Unlock()
	e.gen.Add(1)
}

// Summarize extracts a file's facts. tree may be nil, in which case the text
// is parsed here (when the pre-filter lets it through). A language without a
// frontend, or a file the pre-filter rules out, yields nil facts.
func Summarize(path string, lang syntax.Language, text []byte, tree *syntax.Tree, prev analysis.Facts, prefilter bool) (analysis.Facts, error) {
	fe := analysis.FrontendFor(lang)
	if fe == nil {
		return nil, nil
	}
	if prefilter && !fe.Relevant(text) {
		return nil, nil
	}
	if tree == nil {
		// Summarize without a tree is background work (the server's index,
		// a command over the workspace): one piece at a time.
		if facts, ok := OpenLarge(path, lang, text, prev, 1); ok {
			return facts, nil
		}
		t, err := syntax.Parse(lang, text)
		if err != nil {
			return nil, err
		}
		defer t.Close()
		tree = t
	}
	return fe.Summarize(path, text, tree, prev), nil
}

// OpenLarge summarizes a large text the way the editor opens a file: in
// pieces parsed on every core (analysis.OpeningFrontend), so no whole-file
// tree is ever held (typescript@5's lib/_tsc.js makes a 150 MB one). Open
// answers only for a text that parses without an error, and then with the
// facts a whole-file parse gives; otherwise ok is false and the caller
// parses the whole text as before. Small texts are not worth the pieces'
// extra work (each cut is parsed twice). workers is as for Open.
func OpenLarge(path string, lang syntax.Language, text []byte, prev analysis.Facts, workers int) (facts analysis.Facts, ok bool) {
	if len(text) < largeText {
		return nil, false
	}
	of, isOpening := analysis.FrontendFor(lang).(analysis.OpeningFrontend)
	if !isOpening {
		return nil, false
	}
	return of.Open(path, prev, text, workers)
}

// largeText is the size from which OpenLarge opens a text in pieces.
const largeText = 256 << 10

// Put stores a file's facts in the index (its Text is not kept) and reports
// whether anything changed for the other files.
func (e *Engine) Put(f *analysis.File) {
	stored := &analysis.File{Path: f.Path, Lang: f.Lang, Facts: f.Facts}
	e.mu.Lock()
	e.files[f.Path] = stored
	e.mu.Unlock()
	e.gen.Add(1)
}

// Remove drops a file from the index (deleted on disk, or left the workspace).
func (e *Engine) Remove(path string) bool {
	e.mu.Lock()
	_, ok := e.files[path]
	delete(e.files, path)
	e.mu.Unlock()
	if ok {
		e.gen.Add(1)
	}
	return ok
}

// File implements analysis.Workspace.
func (e *Engine) File(path string) *analysis.File {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.files[path]
}

// Each implements analysis.Workspace.
func (e *Engine) Each(fn func(*analysis.File) bool) {
	e.mu.RLock()
	files := make([]*analysis.File, 0, len(e.files))
	for _, f := range e.files {
		files = append(files, f)
	}
	e.mu.RUnlock()
	for _, f := range files {
		if !fn(f) {
			return
		}
	}
}

// Len is the number of indexed files.
func (e *Engine) Len() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.files)
}

// Generation implements analysis.Workspace.
func (e *Engine) Generation() uint64 { return e.gen.Load() }

// Roots implements analysis.Workspace.
func (e *Engine) Roots() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return append([]string(nil), e.roots...)
}

// Check runs every enabled rule on f (whose Text must be set) against the
// workspace, then applies severities and suppression comments. Findings come
// sorted by position.
func (e *Engine) Check(f *analysis.File) []analysis.Finding {
	if f.Facts == nil {
		return nil
	}
	cfg := e.ConfigFor(f.Path)
	// The rules' results are gathered first so the findings are copied
	// once into a slice of the right size: a file with 500 findings is
	// rechecked on every keystroke.
	var found [8][]analysis.Finding
	byRule, total := found[:0], 0
	for _, r := range analysis.Rules {
		var fs []analysis.Finding
		if check := r.Check(f.Lang); check != nil && cfg.Enabled(r) {
			fs = check(f, e, cfg)
		}
		byRule = append(byRule, fs)
		total += len(fs)
	}
	if total == 0 {
		return nil
	}
	out := make([]analysis.Finding, 0, total)
	for i, r := range analysis.Rules {
		sev := cfg.SeverityOf(r)
		for _, fd := range byRule[i] {
			fd.Rule = r
			fd.Severity = sev
			out = append(out, fd)
		}
	}
	if sup := analysis.FindSuppressions(f.Text); !sup.Empty() {
		lines := syntax.NewLineIndex(f.Text)
		kept := out[:0]
		for _, fd := range out {
			if !sup.Suppressed(fd.Rule.ID, lines.Line(fd.Span.Start)) {
				kept = append(kept, fd)
			}
		}
		out = kept
	}
	less := func(i, j int) bool {
		if out[i].Span.Start != out[j].Span.Start {
			return out[i].Span.Start < out[j].Span.Start
		}
		return out[i].Rule.ID < out[j].Rule.ID
	}
	if !sort.SliceIsSorted(out, less) { // one rule's findings usually come in order
		sort.SliceStable(out, less)
	}
	return out
}
