package check

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
)

// walker finds the files of a run with engine.Walk and hands them to the
// indexing workers through files, which it closes when done.
type walker struct {
	paths        []string        // absolute, as given
	explicit     map[string]bool // the paths given
	dir          string          // working directory
	cfg          *analysis.Config
	cfgRoot      string // directory the configuration came from
	forceExclude bool
	problem      func(Problem) // safe for concurrent use

	files chan queued
	found atomic.Int64 // files queued for reporting (progress total)
	err   error        // set before files is closed

	seen      map[string]bool // owned by run's goroutine
	inContext bool            // walking the context roots (facts only)
}

// run walks the paths given, then the repositories around them (see
// contextRoots) for facts only. Each walk gets the configuration's
// excludes rebased onto where it starts.
func (w *walker) run(ctx context.Context, done func()) {
	defer close(w.files)
	defer done()
	for _, p := range w.paths {
		if err := engine.Walk(ctx, []string{p}, rebaseExcludes(w.cfg, w.cfgRoot, p), w.onFile, w.onProblem); err != nil {
			w.err = err
			return
		}
	}
	w.inContext = true
	for _, p := range contextRoots(w.paths) {
		// Problems of files nobody asked about are not reported.
		if err := engine.Walk(ctx, []string{p}, rebaseExcludes(w.cfg, w.cfgRoot, p), w.onFile, func(engine.Problem) {}); err != nil {
			w.err = err
			return
		}
	}
}

func (w *walker) onFile(sf engine.SourceFile) {
	if w.seen[sf.Path] {
		return
	}
	w.seen[sf.Path] = true
	if w.inContext {
		w.files <- queued{sf, true}
		return
	}
	if w.explicit[sf.Path] {
		if w.forceExclude {
			if rel := relTo(w.cfgRoot, sf.Path); rel != "" && w.cfg.Excluded(rel) {
				return // excluded on purpose: not a problem
			}
		}
		// A named FIFO or device would block the read forever; the walk
		// itself only yields regular files.
		if info, err := os.Stat(sf.Path); err == nil && !info.Mode().IsRegular() {
			w.problem(Problem{Path: sf.Path, Kind: ProblemNotSource, Explicit: true, Line: -1,
				Message: "skipped: not a regular file"})
			return
		}
	}
	w.found.Add(1)
	w.files <- queued{sf, false}
}

func (w *walker) onProblem(p engine.Problem) {
	path := p.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(w.dir, path)
	}
	kind, msg := classify(p.Err)
	w.problem(Problem{Path: path, Kind: kind, Message: msg, Explicit: w.explicit[path], Line: -1})
}
