package server

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// The workspace index holds every source file's facts (never its tree), so
// a rule can resolve what another file defines: an app that mounts a router
// from another module. It is built in the background after initialized,
// kept current from workspace/didChangeWatchedFiles and from the open
// buffers (an open buffer's facts replace its file's), and open documents
// are rechecked whenever it changes.

// indexState serializes index runs: a new run cancels the one in progress.
type indexState struct {
	mu     sync.Mutex
	cancel context.CancelFunc // guarded by mu: stops the run in progress
	done   chan struct{}      // guarded by mu: closed when that run returns
	// runs counts completed runs, for tests.
	runs int // guarded by mu
}

// startWorkspace is the work after initialized: settings from the client,
// file watchers, then the index.
func (s *Server) startWorkspace(ctx context.Context) {
	s.pullSettings(ctx)
	s.registerWatchers(ctx)
	// Editors open the visible files right after initialized. Give them a
	// moment to arrive, so the index skips them instead of parsing them a
	// second time alongside didOpen (awaitFirstResults covers the rest).
	select {
	case <-s.docs.firstOpen:
	case <-time.After(indexGrace):
	case <-ctx.Done():
		return
	}
	s.runIndex(ctx, "initialized")
}

// indexGrace is how long indexing waits for the editor's first didOpen.
const indexGrace = 300 * time.Millisecond

// reindex starts a fresh index run in the background.
func (s *Server) reindex(reason string) {
	s.goBackground(func(ctx context.Context) { s.runIndex(ctx, reason) })
}

// runIndex walks the workspace folders and summarizes every file, reporting
// progress, then restores the open buffers' facts (the walk read their
// files from disk) and rechecks the open documents.
func (s *Server) runIndex(ctx context.Context, reason string) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	s.indexing.mu.Lock()
	if s.indexing.cancel != nil {
		s.indexing.cancel()
		prev := s.indexing.done
		s.indexing.mu.Unlock()
		<-prev
		s.indexing.mu.Lock()
	}
	s.indexing.cancel, s.indexing.done = cancel, done
	s.indexing.mu.Unlock()

	roots := s.engine.Roots()
	if len(roots) == 0 {
		s.finishIndex(0)
		return
	}
	prog := s.beginProgress(ctx, nil, "StableStack: indexing workspace")
	n, skipped, err := s.indexFiles(ctx, prog)
	if err != nil {
		prog.end("cancelled")
		s.log.Info("indexing stopped", zap.String("reason", reason), zap.Error(err))
		return
	}
	s.restoreOpenFacts()
	prog.end(fmt.Sprintf("%d files", n))
	s.log.Info("workspace indexed", zap.String("reason", reason), zap.Int("files", n), zap.Int64("skipped", skipped))
	s.finishIndex(n)
}

// indexFiles walks the roots (engine.Walk: the same skipped directories,
// .gitignore and excludes as the CLI) and summarizes each file into the
// index. It is the server's own loop rather than engine.Index because the
// index must yield to the editor: files open in the editor are skipped (the
// buffer's facts are the truth, and parsing them again would hold a second
// syntax tree of the same file: ~36 MB for a 30,000-line module), open
// documents get their first diagnostics before the index parses anything,
// and it leaves one core to the edit-to-diagnostics path.
func (s *Server) indexFiles(ctx context.Context, prog *progress) (int, int64, error) {
	var files []engine.SourceFile
	var skipped atomic.Int64
	onProblem := func(p engine.Problem) {
		skipped.Add(1)
		s.log.Debug("file not indexed", zap.String("path", p.Path), zap.Error(p.Err))
	}
	if err := s.walkWorkspace(ctx, func(f engine.SourceFile) { files = append(files, f) }, onProblem); err != nil {
		return 0, 0, err
	}
	workers := max(1, runtime.GOMAXPROCS(0)/2)
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				s.docs.awaitFirstResults(ctx)
				if !s.indexFile(files[i].Path) && s.engine.File(files[i].Path) == nil && s.docs.byKey(files[i].Path) == nil {
					skipped.Add(1)
				}
				n := int(done.Add(1))
				prog.report(fmt.Sprintf("%d/%d files", n, len(files)), percent(n, len(files)))
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	return len(files), skipped.Load(), nil
}

func (s *Server) finishIndex(int) {
	s.indexing.mu.Lock()
	s.indexing.runs++
	s.indexing.mu.Unlock()
	s.recheckOpen()
	s.event("indexed")
}

func percent(done, total int) int {
	if total == 0 {
		return 100
	}
	return done * 100 / total
}

// restoreOpenFacts puts the open buffers' facts back over what the walk
// read from disk.
func (s *Server) restoreOpenFacts() {
	for _, dd := range s.docs.all() {
		dd.mu.Lock()
		if !dd.closed && dd.indexed != nil {
			s.engine.Put(dd.indexed)
		}
		dd.mu.Unlock()
	}
}

// recheckOpen re-runs the rules on every open document; clients that pull
// diagnostics are asked to pull again.
func (s *Server) recheckOpen() {
	for _, dd := range s.docs.all() {
		dd.requestRecheck()
	}
	s.refreshPull()
}

// refreshPull asks clients that pull diagnostics to pull again.
func (s *Server) refreshPull() {
	if s.caps.pullDiagnostics && s.caps.diagnosticRefresh && s.life.isRunning() {
		s.goBackground(func(ctx context.Context) {
			if _, err := s.conn.Call(ctx, methodDiagnosticRefresh, nil, nil); err != nil {
				s.log.Debug("diagnostic refresh failed", zap.Error(err))
			}
		})
	}
}

// othersRecheck re-runs the rules on the other open documents after an open
// buffer's facts changed (it may define a router another file mounts). It
// is coalesced: a burst of keystrokes in one file rechecks the others once,
// shortly after. This delay is off the latency path: the edited document
// itself is analyzed and published at once.
type othersRecheck struct {
	s       *Server
	mu      sync.Mutex
	timer   *time.Timer              // guarded by mu
	sources map[*docDiagnostics]bool // guarded by mu: documents edited since the last recheck
}

const othersRecheckDelay = 100 * time.Millisecond

func (o *othersRecheck) touched(src *docDiagnostics) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sources == nil {
		o.sources = map[*docDiagnostics]bool{}
	}
	o.sources[src] = true
	if o.timer == nil {
		o.timer = time.AfterFunc(othersRecheckDelay, o.fire)
		return
	}
	o.timer.Reset(othersRecheckDelay)
}

func (o *othersRecheck) fire() {
	o.mu.Lock()
	sources := o.sources
	o.sources = nil
	o.mu.Unlock()
	open := o.s.docs.all()
	if len(open) <= 1 && len(sources) == len(open) {
		return // nobody else to tell
	}
	for _, dd := range open {
		// With a single edited source, its own result is already current.
		if len(sources) == 1 && sources[dd] {
			continue
		}
		dd.requestRecheck()
	}
	o.s.refreshPull()
}

func (o *othersRecheck) stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.timer != nil {
		o.timer.Stop()
	}
}

// registerWatchers asks the client to report changes to source and
// configuration files (client/registerCapability), when it supports that.
func (s *Server) registerWatchers(ctx context.Context) {
	var regs []map[string]any
	if s.caps.watchedFilesDynamic {
		regs = append(regs, map[string]any{
			"id":     "stablestack-watched-files",
			"method": "workspace/didChangeWatchedFiles",
			"registerOptions": map[string]any{"watchers": []map[string]any{
				{"globPattern": "**/*.{py,pyi,js,jsx,mjs,cjs,ts,tsx,mts,cts}"},
				{"globPattern": "**/{" + strings.Join(configFileNames, ",") + "}"},
			}},
		})
	}
	if s.caps.configurationDynamic {
		regs = append(regs, map[string]any{"id": "stablestack-configuration", "method": "workspace/didChangeConfiguration"})
	}
	if len(regs) == 0 {
		return
	}
	if _, err := s.conn.Call(ctx, "client/registerCapability", map[string]any{"registrations": regs}, nil); err != nil {
		s.log.Info("client/registerCapability failed", zap.Error(err))
	}
}

// indexFile (re)summarizes one file from disk, if the walk would include it.
func (s *Server) indexFile(path string) bool {
	lang, ok := syntax.ForPath(path)
	if !ok || !s.inWorkspace(path) || s.docs.byKey(path) != nil {
		return false
	}
	text, err := engine.ReadSource(path)
	if err != nil {
		s.log.Debug("file not indexed", zap.String("path", path), zap.Error(err))
		return s.engine.Remove(path)
	}
	var prev analysis.Facts
	if f := s.engine.File(path); f != nil {
		prev = f.Facts
	}
	facts, err := engine.Summarize(path, lang, text, nil, prev, true)
	if err != nil {
		s.log.Debug("file not indexed", zap.String("path", path), zap.Error(err))
		return false
	}
	if s.docs.byKey(path) != nil {
		return false // opened meanwhile: the buffer wins
	}
	s.engine.Put(&analysis.File{Path: path, Lang: lang, Facts: facts})
	return true
}

// dependencyDirs mirror the directories the engine's walk skips, for single
// files reported by the watcher (the walk is not run for those).
var dependencyDirs = map[string]bool{
	"node_modules": true, "bower_components": true, "vendor": true, "venv": true, "__pycache__": true,
	"site-packages": true, "dist": true, "build": true, "out": true, "coverage": true, "target": true,
}

// walkWorkspace walks every workspace folder with that folder's excludes.
func (s *Server) walkWorkspace(ctx context.Context, fn func(engine.SourceFile), onProblem func(engine.Problem)) error {
	for _, root := range s.engine.Roots() {
		if err := engine.Walk(ctx, []string{root}, s.engine.ConfigFor(root), fn, onProblem); err != nil {
			return err
		}
	}
	return nil
}

// inWorkspace reports whether a file lies under a workspace folder, outside
// dependency, build and hidden directories, and is not excluded by the
// configuration of the deepest folder holding it.
func (s *Server) inWorkspace(path string) bool {
	best := ""
	for _, root := range s.engine.Roots() {
		if rel, err := filepath.Rel(root, path); err == nil && rel != "." && !strings.HasPrefix(rel, "..") && len(root) > len(best) {
			best = root
		}
	}
	if best == "" {
		return false
	}
	rel, _ := filepath.Rel(best, path)
	rel = filepath.ToSlash(rel)
	segs := strings.Split(rel, "/")
	for _, seg := range segs[:len(segs)-1] {
		if dependencyDirs[seg] || (strings.HasPrefix(seg, ".") && seg != ".well-known") {
			return false
		}
	}
	return !s.engine.ConfigFor(best).Excluded(rel)
}

// restoreFromDisk puts a closed file's on-disk facts back in the index (or
// drops it when it is not a workspace file on disk), then rechecks the other
// open documents, which may depend on it.
//
// When the buffer had unsaved changes, the file on disk is parsed again in
// the background: on a 30,000-line module that takes ~150 ms, and the
// messages behind didClose (the user's next keystrokes, a reopen) must not
// wait for it.
func (s *Server) restoreFromDisk(d *document, last *docResult) {
	if !d.isFile || !s.inWorkspace(d.key) {
		s.engine.Remove(d.key)
		s.recheckOpen()
		return
	}
	text, err := engine.ReadSource(d.key)
	if err != nil {
		s.engine.Remove(d.key) // deleted while open, or unreadable
		s.recheckOpen()
		return
	}
	if last != nil && last.facts != nil && bytes.Equal(text, last.snap.text) {
		s.engine.Put(&analysis.File{Path: d.key, Lang: last.snap.lang, Facts: last.facts})
		s.recheckOpen()
		return
	}
	s.goBackground(func(context.Context) {
		if h := s.testHookReindexClosed; h != nil {
			h()
		}
		s.indexFile(d.key)
		// Reopened while it was parsed: indexFile skips an open file, but
		// the open may have come between its check and its Put.
		s.restoreOpenFacts()
		s.recheckOpen()
		s.event("closed file reindexed")
	})
}

// didChangeWorkspaceFolders updates the roots and re-indexes.
func (s *Server) didChangeWorkspaceFolders(_ context.Context, raw json.RawMessage) (any, error) {
	var p struct {
		Event struct {
			Added   []workspaceFolder `json:"added"`
			Removed []workspaceFolder `json:"removed"`
		} `json:"event"`
	}
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	roots := s.engine.Roots()
	for _, f := range p.Event.Removed {
		if path, ok := uriToPath(f.URI); ok {
			for i, r := range roots {
				if r == path {
					roots = append(roots[:i], roots[i+1:]...)
					break
				}
			}
			s.removeUnder(path)
		}
	}
	for _, f := range p.Event.Added {
		if path, ok := uriToPath(f.URI); ok {
			roots = append(roots, path)
		}
	}
	s.engine.SetRoots(roots)
	s.loadConfig("workspace folders changed") // folders bring their own files
	s.reindex("workspace folders changed")
	return nil, nil
}
