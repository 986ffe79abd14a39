package server

import (
	"context"
	"errors"
	"fmt"
	"github.com/stablestack/stablestack/analysis/engine"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// documentStore holds the open documents. The map is guarded by mu; a
// document's fields are owned by the mutation path (didOpen, didChange,
// didClose, which run one at a time, in order) and never read elsewhere:
// other goroutines see a document only through the immutable snapshots and
// results of its diagnostics worker.
type documentStore struct {
	s    *Server
	mu   sync.Mutex
	docs map[string]*document // guarded by mu; key: the client's exact URI string
	seq  uint64               // guarded by mu; increases with every mutation

	firstOpen     chan struct{} // closed by the first didOpen
	firstOpenOnce sync.Once
}

func newDocumentStore(s *Server) *documentStore {
	return &documentStore{s: s, docs: map[string]*document{}, firstOpen: make(chan struct{})}
}

// document is one open text document (textDocument/didOpen .. didClose).
type document struct {
	uri        string          // as the client spelled it
	key        string          // workspace index key: OS path for file: URIs, else the URI
	isFile     bool            // file: URI, so there may be a copy on disk
	languageID string          // TextDocumentItem.languageId
	lang       syntax.Language // grammar; "" when the language is not supported
	version    int32           // the client's version of the text

	// treeMu guards the fields below. The mutation path holds it to apply
	// changes; the diagnostics worker takes it to reparse when it needs a
	// tree, and the idle timer to reparse once edits stop.
	treeMu sync.Mutex
	seq    uint64           // the store's sequence number of the text
	sd     *syntax.Document // text + tree; nil when raw is used
	raw    []byte           // the text when it is not parsed (unsupported language, binary)
	lines  *lazyLines       // line index of the current text

	diags       *docDiagnostics
	clampWarned bool // a clamped position was reported (once per document)
}

// text is the document's current text. It is never modified in place.
func (d *document) text() []byte {
	if d.sd != nil {
		return d.sd.Text()
	}
	return d.raw
}

// lazyLines builds a text's line index on first use and shares it between
// the mutation path (converting the next change's positions) and the
// diagnostics worker (converting findings' spans).
type lazyLines struct {
	once sync.Once
	text []byte
	idx  atomic.Pointer[syntax.LineIndex]
	// from is the index of the text before one edit, when it was built:
	// updating it rescans only the edited lines.
	from *syntax.LineIndex
	edit analysis.Edit
}

func newLazyLines(text []byte) *lazyLines { return &lazyLines{text: text} }

// editedLines is the line index of text, which edit made from prev's text.
func editedLines(prev *lazyLines, text []byte, edit analysis.Edit) *lazyLines {
	return &lazyLines{text: text, from: prev.idx.Load(), edit: edit}
}

func (l *lazyLines) get() *syntax.LineIndex {
	l.once.Do(func() {
		if l.from != nil {
			l.idx.Store(l.from.Edited(l.text, l.edit.Start, l.edit.OldEnd, l.edit.NewEnd))
			l.from = nil
			return
		}
		l.idx.Store(syntax.NewLineIndex(l.text))
	})
	return l.idx.Load()
}

// snapshot is an immutable view of a document at one version: what the
// diagnostics worker analyzes. It carries no tree: the worker asks the
// document for one (treeAt) only when the frontend cannot update the
// previous facts from the edits alone.
type snapshot struct {
	doc     *document
	uri     string
	key     string
	isFile  bool
	lang    syntax.Language
	version int32
	seq     uint64
	text    []byte
	lines   *lazyLines
	skip    string // why the text is not analyzed ("" = analyze)
	// received is when the notification that made this text arrived, for
	// the latency in debug logs.
	received time.Time

	// edits lead from the text of baseSeq to this text, in bytes, each in
	// the coordinates the previous one left. editsValid is false after a
	// whole-text replacement (or at open): facts must be rebuilt.
	baseSeq    uint64
	edits      []analysis.Edit
	editsValid bool
}

// follow makes sn the successor of an unanalyzed snapshot it replaces: the
// edits then lead from that one's base.
func (sn *snapshot) follow(prev *snapshot) {
	if prev == nil {
		return
	}
	sn.baseSeq = prev.baseSeq
	sn.editsValid = sn.editsValid && prev.editsValid
	if sn.editsValid {
		sn.edits = append(append([]analysis.Edit(nil), prev.edits...), sn.edits...)
	} else {
		sn.edits = nil
	}
}

func (st *documentStore) get(uri string) *document {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.docs[uri]
}

// all returns the open documents' diagnostics workers.
func (st *documentStore) all() []*docDiagnostics {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]*docDiagnostics, 0, len(st.docs))
	for _, d := range st.docs {
		out = append(out, d.diags)
	}
	return out
}

// awaitFirstResults waits until every open document has been analyzed once:
// background work (indexing) yields to what the user is looking at.
func (st *documentStore) awaitFirstResults(ctx context.Context) {
	for _, dd := range st.all() {
		select {
		case <-dd.first:
		case <-ctx.Done():
			return
		}
	}
}

// byKey finds an open document by its workspace index key.
func (st *documentStore) byKey(key string) *docDiagnostics {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, d := range st.docs {
		if d.key == key {
			return d.diags
		}
	}
	return nil
}

func (st *documentStore) nextSeq() uint64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.seq++
	return st.seq
}

// open adds a document (or replaces one opened twice) and returns its first
// snapshot.
func (st *documentStore) open(item textDocumentItem) (*document, *snapshot) {
	log := st.s.log
	key, isFile := docKey(item.URI)
	d := &document{uri: item.URI, key: key, isFile: isFile, languageID: item.LanguageID, version: item.Version}
	d.lang = languageOf(item.LanguageID, item.URI)
	d.seq = st.nextSeq()
	d.setText([]byte(item.Text), log)
	d.diags = newDocDiagnostics(st.s, d)

	st.mu.Lock()
	old := st.docs[item.URI]
	st.docs[item.URI] = d
	st.mu.Unlock()
	st.firstOpenOnce.Do(func() { close(st.firstOpen) })
	if old != nil {
		log.Warn("didOpen for a document already open; replacing it", zap.String("uri", item.URI))
		old.close(false)
	}
	return d, d.snapshot(d.seq, nil, false)
}

// languageOf picks the grammar from the client's languageId, falling back to
// the extension in the URI (languageIds vary between editors: "py",
// "javascript.jsx", ...).
func languageOf(languageID, uri string) syntax.Language {
	if l, ok := syntax.ForLanguageID(languageID); ok {
		return l
	}
	if l, ok := syntax.ForPath(uri); ok {
		return l
	}
	return ""
}

// setText replaces the whole text. Unsupported languages and binary content
// are kept as raw text, never parsed.
func (d *document) setText(text []byte, log *zap.Logger) {
	if d.sd != nil {
		d.sd.Close()
		d.sd = nil
	}
	d.raw = nil
	d.lines = newLazyLines(text)
	if !utf8.Valid(text) {
		log.Info("document is not valid UTF-8; invalid bytes count as one character each", zap.String("uri", d.uri))
	}
	if d.lang == "" || engine.IsBinary(text) {
		d.raw = text
		return
	}
	// The tree is built when the analysis needs it or once the user is
	// idle: a frontend that summarizes a new text without one (in
	// parallel pieces) gives the first diagnostics sooner.
	d.sd = syntax.NewUnparsedDocument(d.lang, text)
}

// change applies one didChange notification: every content change in
// order, each against the text the previous one produced, to the text and
// to the tree (Tree.Edit). The tree is not reparsed here: the reparse, one
// per batch of edits, happens when the worker needs a tree or once the
// edits stop (see treeAt and reparseIdle), which keeps it off the
// keystroke-to-diagnostics path. A change for a document that is not open is
// logged and dropped.
func (st *documentStore) change(p *didChangeParams) (*document, *snapshot) {
	log := st.s.log
	d := st.get(p.TextDocument.URI)
	if d == nil {
		log.Warn("didChange for a document that is not open; ignored", zap.String("uri", p.TextDocument.URI))
		return nil, nil
	}
	if p.TextDocument.Version <= d.version {
		log.Warn("didChange version does not increase; applying the change anyway",
			zap.String("uri", d.uri), zap.Int32("have", d.version), zap.Int32("got", p.TextDocument.Version))
	}
	seq := st.nextSeq()
	d.diags.supersede(seq) // results for the text being replaced are stale from now on

	d.treeMu.Lock()
	defer d.treeMu.Unlock()
	base := d.seq
	var edits []analysis.Edit
	valid := true
	for i := range p.ContentChanges {
		ch := &p.ContentChanges[i]
		if ch.Range == nil {
			d.setText([]byte(ch.Text), log)
			valid, edits = false, nil
			continue
		}
		e, err := d.applyRange(ch, st.s.enc, log)
		if err != nil {
			log.Warn("content change not applied", zap.String("uri", d.uri), zap.Error(err))
			continue
		}
		if valid {
			edits = append(edits, e)
		}
	}
	d.version = p.TextDocument.Version
	d.seq = seq
	return d, d.snapshot(base, edits, valid)
}

// applyRange applies a ranged change. Positions past the end of a line or of
// the document are clamped, as the spec says, and logged.
func (d *document) applyRange(ch *contentChange, enc syntax.Encoding, log *zap.Logger) (analysis.Edit, error) {
	lines := d.lines.get()
	r := ch.Range
	start, c1 := lines.Offset(int(r.Start.Line), int(r.Start.Character), enc)
	end, c2 := lines.Offset(int(r.End.Line), int(r.End.Character), enc)
	if c1 || c2 {
		// Warn once per document: some clients do this on every keystroke
		// (a column one past the line end to mean the newline).
		lvl := zap.DebugLevel
		if !d.clampWarned {
			d.clampWarned, lvl = true, zap.WarnLevel
		}
		log.Log(lvl, "change range past the end of a line or of the document; clamped as the spec says",
			zap.String("uri", d.uri), zap.Any("range", r))
	}
	if end < start {
		log.Warn("change range ends before it starts; treated as an insertion", zap.String("uri", d.uri), zap.Any("range", r))
		end = start
	}
	newText := []byte(ch.Text)
	if d.sd != nil {
		if err := d.sd.Edit(start, end, newText); err != nil {
			return analysis.Edit{}, err
		}
	} else {
		old := d.raw
		if end > len(old) {
			return analysis.Edit{}, fmt.Errorf("edit [%d,%d) outside text of %d bytes", start, end, len(old))
		}
		next := make([]byte, 0, len(old)-(end-start)+len(newText))
		next = append(append(append(next, old[:start]...), newText...), old[end:]...)
		d.raw = next
	}
	e := analysis.Edit{Start: start, OldEnd: end, NewEnd: start + len(newText)}
	d.lines = editedLines(d.lines, d.text(), e)
	return e, nil
}

// snapshot captures the current version (caller holds treeMu or owns d).
func (d *document) snapshot(base uint64, edits []analysis.Edit, editsValid bool) *snapshot {
	sn := &snapshot{
		doc: d, uri: d.uri, key: d.key, isFile: d.isFile, lang: d.lang,
		version: d.version, seq: d.seq, text: d.text(), lines: d.lines,
		edits: edits, editsValid: editsValid, baseSeq: base,
	}
	switch {
	case d.lang == "":
		sn.skip = "language not supported (languageId " + d.languageID + ")"
	case d.sd == nil:
		sn.skip = "binary content"
	case len(sn.text) > syntax.MaxParseBytes:
		sn.skip = fmt.Sprintf("%v (%d bytes, limit %d)", syntax.ErrTooLarge, len(sn.text), syntax.MaxParseBytes)
	case analysis.FrontendFor(d.lang) == nil:
		sn.skip = "no analysis for " + string(d.lang) + " yet"
	}
	return sn
}

// treeAt returns a tree of the text of seq (the caller's copy, to Close),
// reparsing the edits applied since the last parse. It returns nil when the
// document has moved past seq (the snapshot is stale) or has no tree.
func (d *document) treeAt(seq uint64) (*syntax.Tree, error) {
	d.treeMu.Lock()
	defer d.treeMu.Unlock()
	if d.seq != seq || d.sd == nil {
		return nil, nil
	}
	if err := d.sd.Reparse(); err != nil {
		return nil, err
	}
	return d.sd.Snapshot(), nil
}

// reparseIdle brings the tree up to date once edits have stopped, so the
// next fallback analysis starts from a fresh tree.
func (d *document) reparseIdle(log *zap.Logger) {
	d.treeMu.Lock()
	defer d.treeMu.Unlock()
	if d.sd == nil {
		return
	}
	if err := d.sd.Reparse(); err != nil && !errors.Is(err, syntax.ErrTooLarge) {
		log.Warn("reparse failed", zap.String("uri", d.uri), zap.Error(err))
	}
}

// close removes a document: its diagnostics are cleared (when clear is set)
// and its tree freed.
func (d *document) close(clear bool) {
	d.diags.close(clear)
	d.treeMu.Lock()
	defer d.treeMu.Unlock()
	if d.sd != nil {
		d.sd.Close()
		d.sd = nil
	}
}

// remove is didClose's half of the store: the document leaves the map.
func (st *documentStore) remove(uri string) *document {
	st.mu.Lock()
	defer st.mu.Unlock()
	d := st.docs[uri]
	delete(st.docs, uri)
	return d
}

// closeAll frees every document when the session ends.
func (st *documentStore) closeAll() {
	st.mu.Lock()
	docs := st.docs
	st.docs = map[string]*document{}
	st.mu.Unlock()
	for _, d := range docs {
		d.close(false)
	}
}
