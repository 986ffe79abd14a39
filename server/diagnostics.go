package server

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
)

// docDiagnostics schedules the analysis of one open document and publishes
// its diagnostics.
//
// Scheduling is latest-version-wins with no debounce: the first change
// starts a worker at once; changes arriving while it runs replace the
// pending snapshot, so after each analysis the worker takes the newest one
// and intermediate versions are skipped. A result is published only if no
// newer text has been received meanwhile (supersede), so the client never
// sees diagnostics of an older version after a newer one was sent.
type docDiagnostics struct {
	s   *Server
	doc *document
	uri string
	key string

	mu      sync.Mutex
	latest  uint64        // guarded by mu: seq of the newest text received
	pending *snapshot     // guarded by mu: newest snapshot not yet analyzed
	recheck bool          // guarded by mu: re-run the rules on the last facts
	running bool          // guarded by mu: a worker goroutine is active
	closed  bool          // guarded by mu: didClose received
	result  *docResult    // guarded by mu: the newest analysis
	sent    []byte        // guarded by mu: JSON of the diagnostics last published (in bufs[cur])
	bufs    [2][]byte     // guarded by mu: publish messages, reused
	cur     int           // guarded by mu: the buffer holding the last message sent
	ready   chan struct{} // guarded by mu: closed (and replaced) when result changes
	first   chan struct{} // closed at the first result (or close): indexing waits for it
	skipLog string        // guarded by mu: skip reason last logged, to log it once
	idle    *time.Timer   // guarded by mu: reparses the tree once edits stop
	fixes   fixJSONCache  // guarded by mu: encoded data.fix objects of the last publishes
	// indexed is what this buffer last put in the workspace index, set with
	// the Put, so that a walk or re-parse that wrote the file's disk facts
	// over it can put it back even while its diagnostics are still being
	// computed (the result is stored only after the rules ran).
	indexed *analysis.File // guarded by mu
}

// idleReparseDelay is how long a document must go without changes before
// its tree catches up with the edits the fast path did not need it for.
const idleReparseDelay = 300 * time.Millisecond

// docResult is the analysis of one version of a document.
type docResult struct {
	snap     *snapshot
	facts    analysis.Facts
	findings []analysis.Finding
	diags    []diagnostic
	gen      uint64 // workspace generation the rules saw
	// started, summarized, checked: when the worker took the snapshot, when
	// its facts were ready (the rules started) and when the rules were
	// done, for the debug log's breakdown of a publish.
	started, summarized, checked time.Time
}

func newDocDiagnostics(s *Server, d *document) *docDiagnostics {
	return &docDiagnostics{s: s, doc: d, uri: d.uri, key: d.key, ready: make(chan struct{}), first: make(chan struct{})}
}

// supersede marks every result older than seq as stale, before the text of
// seq is even built.
func (dd *docDiagnostics) supersede(seq uint64) {
	dd.mu.Lock()
	if seq > dd.latest {
		dd.latest = seq
	}
	dd.mu.Unlock()
}

// schedule queues a snapshot for analysis, replacing (and releasing) one
// that was not started yet.
func (dd *docDiagnostics) schedule(sn *snapshot) {
	dd.mu.Lock()
	defer dd.mu.Unlock()
	if dd.closed {
		return
	}
	if sn.seq > dd.latest {
		dd.latest = sn.seq
	}
	sn.follow(dd.pending)
	dd.pending = sn
	dd.startLocked()
}

// requestRecheck re-runs the rules on the document's current facts, after
// the workspace or the configuration changed.
func (dd *docDiagnostics) requestRecheck() {
	dd.mu.Lock()
	defer dd.mu.Unlock()
	if dd.closed || dd.result == nil {
		return
	}
	dd.recheck = true
	dd.startLocked()
}

func (dd *docDiagnostics) startLocked() {
	if dd.running {
		return
	}
	dd.running = true
	dd.s.workers.Add(1)
	go dd.run()
}

func (dd *docDiagnostics) run() {
	defer dd.s.workers.Done()
	for {
		dd.mu.Lock()
		sn, recheck := dd.pending, dd.recheck
		dd.pending, dd.recheck = nil, false
		prev := dd.result
		if dd.closed || (sn == nil && !recheck) {
			dd.running = false
			dd.mu.Unlock()
			return
		}
		dd.mu.Unlock()
		var res *docResult
		started := time.Now()
		if sn != nil {
			res = dd.safely(sn, func() *docResult { return dd.analyze(sn, prev) })
		} else if prev != nil {
			res = dd.safely(prev.snap, func() *docResult { return dd.check(prev.snap, prev.facts) })
		}
		if res != nil {
			res.started = started
			dd.finish(res, sn != nil)
		}
	}
}

// safely runs one analysis; a panic in a rule is logged and the version
// gets no diagnostics instead of taking the server down.
func (dd *docDiagnostics) safely(sn *snapshot, fn func() *docResult) (res *docResult) {
	defer func() {
		if r := recover(); r != nil {
			dd.s.log.Error("panic while analyzing", zap.String("uri", dd.uri), zap.Any("panic", r), zap.Stack("stack"))
			res = &docResult{snap: sn}
		}
	}()
	return fn()
}

// analyze brings the facts up to date with a snapshot and checks the rules.
// The fast path asks an incremental frontend to update the previous facts
// from the edits alone (re-parsing only the statements they touched); a
// whole new text (didOpen, a full replacement) goes to the frontend's Open
// when it has one (pieces parsed in parallel, no whole-file tree); the
// fallback reparses the document's tree (one incremental parse for all the
// edits since the last one) and summarizes it, reusing unchanged statements.
// A nil result means the snapshot was overtaken by a newer text.
func (dd *docDiagnostics) analyze(sn *snapshot, prev *docResult) *docResult {
	if sn.skip != "" {
		dd.logSkip(sn.skip)
		return &docResult{snap: sn}
	}
	var prevFacts analysis.Facts
	if prev != nil {
		prevFacts = prev.facts
	}
	facts, ok := dd.update(sn, prev)
	if ok {
		dd.s.stats.fastPath.Add(1)
		dd.armIdleReparse()
	} else if facts, ok = dd.open(sn, prevFacts); ok {
		dd.s.stats.openPath.Add(1)
		dd.armIdleReparse() // the tree is built once the user stops typing
	} else {
		dd.s.stats.fullPath.Add(1)
		tree, err := sn.doc.treeAt(sn.seq)
		if err != nil {
			dd.s.log.Warn("parse failed", zap.String("uri", dd.uri), zap.Error(err))
			return &docResult{snap: sn}
		}
		if tree == nil {
			return nil // stale: a newer text is already pending
		}
		facts, err = engine.Summarize(sn.key, sn.lang, sn.text, tree, prevFacts, false)
		tree.Close()
		if err != nil {
			dd.s.log.Warn("analysis failed", zap.String("uri", dd.uri), zap.Error(err))
			return &docResult{snap: sn}
		}
	}
	dd.mu.Lock()
	if !dd.closed {
		dd.indexed = &analysis.File{Path: sn.key, Lang: sn.lang, Facts: facts}
		dd.s.engine.Put(dd.indexed)
	}
	dd.mu.Unlock()
	dd.s.others.touched(dd)
	return dd.check(sn, facts)
}

// update is the fast path: the previous facts plus the edits since.
func (dd *docDiagnostics) update(sn *snapshot, prev *docResult) (analysis.Facts, bool) {
	if prev == nil || prev.facts == nil || !sn.editsValid || prev.snap.seq != sn.baseSeq {
		return nil, false
	}
	if len(sn.edits) == 0 {
		return prev.facts, true
	}
	inc, ok := analysis.FrontendFor(sn.lang).(analysis.IncrementalFrontend)
	if !ok {
		return nil, false
	}
	return inc.Update(sn.key, prev.facts, sn.text, sn.edits)
}

// open summarizes a whole new text (the document was just opened or
// replaced) without a whole-file tree when the frontend can, which is
// faster than parsing the file before the first diagnostics.
func (dd *docDiagnostics) open(sn *snapshot, prevFacts analysis.Facts) (analysis.Facts, bool) {
	if sn.editsValid {
		return nil, false
	}
	of, ok := analysis.FrontendFor(sn.lang).(analysis.OpeningFrontend)
	if !ok {
		return nil, false
	}
	return of.Open(sn.key, prevFacts, sn.text, 0) // every core: the user waits
}

// armIdleReparse (re)starts the idle timer after a fast-path analysis.
func (dd *docDiagnostics) armIdleReparse() {
	dd.mu.Lock()
	defer dd.mu.Unlock()
	if dd.closed {
		return
	}
	if dd.idle == nil {
		d, s := dd.doc, dd.s
		dd.idle = time.AfterFunc(idleReparseDelay, func() {
			d.reparseIdle(s.log)
			s.event("idle reparse")
		})
		return
	}
	dd.idle.Reset(idleReparseDelay)
}

// check runs the rules on facts already summarized.
func (dd *docDiagnostics) check(sn *snapshot, facts analysis.Facts) *docResult {
	res := &docResult{snap: sn, facts: facts, gen: dd.s.engine.Generation(), summarized: time.Now()}
	if facts == nil {
		return res
	}
	res.findings = dd.s.engine.Check(&analysis.File{Path: sn.key, Lang: sn.lang, Facts: facts, Text: sn.text})
	res.diags = dd.s.toDiagnostics(sn, res.findings)
	res.checked = time.Now()
	return res
}

func (dd *docDiagnostics) logSkip(reason string) {
	dd.mu.Lock()
	first := dd.skipLog != reason
	dd.skipLog = reason
	dd.mu.Unlock()
	if first {
		dd.s.log.Warn("document not analyzed", zap.String("uri", dd.uri), zap.String("reason", reason))
	}
}

// finish stores a result and publishes it if it is still the newest text.
// A fresh analysis is always published (the client waits for its version);
// a recheck only when the diagnostics changed.
func (dd *docDiagnostics) finish(res *docResult, fresh bool) {
	dd.mu.Lock()
	defer dd.mu.Unlock()
	if dd.closed {
		return
	}
	if dd.result != nil && res.snap.seq < dd.result.snap.seq {
		return // a newer result is already stored
	}
	if dd.result == nil {
		close(dd.first)
	}
	dd.result = res
	close(dd.ready)
	dd.ready = make(chan struct{})
	if res.snap.seq != dd.latest {
		dd.s.log.Debug("stale diagnostics dropped", zap.String("uri", dd.uri), zap.Int32("version", res.snap.version))
		return
	}
	if dd.s.caps.pullDiagnostics {
		return // the client asks with textDocument/diagnostic
	}
	// The message is encoded into one of two buffers kept across publishes;
	// the other holds the previous message, to compare with on a recheck.
	spare := dd.cur ^ 1
	buf := appendPublishPrefix(dd.bufs[spare][:0], dd.uri, res.snap.version)
	start := len(buf)
	dd.fixes.begin()
	buf = appendDiagnostics(buf, res.diags, &dd.fixes)
	diags := buf[start:]
	buf = append(buf, "}}"...)
	dd.bufs[spare] = buf
	if !fresh && bytes.Equal(diags, dd.sent) {
		return
	}
	dd.cur, dd.sent = spare, diags
	// Sent under mu so that didClose's empty list can never overtake it.
	dd.s.sendRaw(buf)
	if ce := dd.s.log.Check(zap.DebugLevel, "diagnostics published"); ce != nil {
		ce.Write(zap.String("uri", dd.uri), zap.Int32("version", res.snap.version), zap.Int("count", len(res.diags)),
			zap.Int("bytes", len(buf)), zap.Duration("since_received", time.Since(res.snap.received)),
			zap.Duration("queued", res.started.Sub(res.snap.received)), zap.Duration("analysis", res.checked.Sub(res.started)),
			zap.Duration("facts", res.summarized.Sub(res.started)), zap.Duration("rules", res.checked.Sub(res.summarized)))
	}
}

// appendPublishPrefix starts a publishDiagnostics notification; the
// diagnostics array and "}}" follow.
func appendPublishPrefix(b []byte, uri string, version int32) []byte {
	b = append(b, `{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":`...)
	b = appendString(b, uri)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(version), 10)
	return append(b, `,"diagnostics":`...)
}

// close stops the worker and, when clear is set, publishes an empty list so
// the client drops the document's diagnostics.
func (dd *docDiagnostics) close(clear bool) {
	dd.mu.Lock()
	defer dd.mu.Unlock()
	if dd.closed {
		return
	}
	if dd.result == nil {
		close(dd.first)
	}
	dd.closed = true
	dd.pending = nil
	if dd.idle != nil {
		dd.idle.Stop()
	}
	close(dd.ready)
	if clear && !dd.s.caps.pullDiagnostics {
		dd.s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: dd.uri, Diagnostics: []diagnostic{}})
	}
}

// current returns the result for the newest text, waiting for the worker if
// it is still analyzing. ok is false when the document was closed or ctx ended.
func (dd *docDiagnostics) current(ctx context.Context) (res *docResult, ok bool) {
	for {
		dd.mu.Lock()
		if dd.closed {
			dd.mu.Unlock()
			return nil, false
		}
		if dd.result != nil && dd.result.snap.seq >= dd.latest {
			res := dd.result
			dd.mu.Unlock()
			return res, true
		}
		ready := dd.ready
		dd.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, false
		}
	}
}

// last returns the newest result without waiting (nil before the first).
func (dd *docDiagnostics) last() *docResult {
	dd.mu.Lock()
	defer dd.mu.Unlock()
	return dd.result
}
