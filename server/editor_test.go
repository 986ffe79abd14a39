package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// fakeEditor is an in-process LSP client connected to a real Server over
// net.Pipe, through the production middleware stack and framing. It records
// every notification, answers the server's requests (applying workspace
// edits to its own buffers, or to files on disk for documents it has not
// opened, as editors do), and waits on conditions with a timeout instead of
// sleeping.
type fakeEditor struct {
	t      testing.TB
	srv    *Server
	st     *stream
	pipe   net.Conn
	exit   chan int // the server's exit code
	baseGC int64    // syntax.Live() before the server started

	mu       sync.Mutex
	nextID   int
	pending  map[string]chan *jsonrpc2.Response // guarded by mu
	notes    []note                             // guarded by mu: every notification received
	requests []note                             // guarded by mu: every server->client request
	events   []note                             // guarded by mu: the server's test milestones
	buffers  map[string]*buffer                 // guarded by mu: open documents
	pubs     map[string][]published             // guarded by mu: publishDiagnostics by URI
	changed  chan struct{}                      // guarded by mu: closed on every event
	utf8     bool                               // the negotiated encoding is utf-8

	// applyEdit answers workspace/applyEdit; nil applies the edit.
	applyEdit func(params json.RawMessage) (any, error)
	// configuration answers workspace/configuration; nil answers [null].
	configuration func(params json.RawMessage) any
}

type note struct {
	method string
	params json.RawMessage
}

type buffer struct {
	text    string
	version int32
}

// waitTimeout guards against hangs only; nothing asserts on time.
const waitTimeout = 20 * time.Second

// newEditor starts a server and connects an editor to it (not yet initialized).
func newEditor(t testing.TB) *fakeEditor {
	t.Helper()
	return newEditorWith(t, nil)
}

func newEditorWith(t testing.TB, hook func(*Server)) *fakeEditor {
	t.Helper()
	clientSide, serverSide := net.Pipe()
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	if os.Getenv("STABLESTACK_TEST_LOG") != "" {
		log = zaptest.NewLogger(t)
	}
	srv := New(Options{Logger: log, Version: "test"})
	e := &fakeEditor{
		t: t, srv: srv, pipe: clientSide,
		st:      newStream(clientSide, zap.NewNop()),
		exit:    make(chan int, 1),
		pending: map[string]chan *jsonrpc2.Response{},
		buffers: map[string]*buffer{},
		pubs:    map[string][]published{},
		changed: make(chan struct{}),
		baseGC:  syntax.Live(),
	}
	srv.testHookEvent = func(what string) { e.record(&e.events, note{method: what}) }
	if hook != nil {
		hook(srv)
	}
	go func() { e.exit <- srv.Serve(context.Background(), serverSide) }()
	go e.readLoop()
	t.Cleanup(e.stop)
	return e
}

// stop ends the session if the test did not, then fails the test if the
// server left syntax trees open.
func (e *fakeEditor) stop() {
	select {
	case code := <-e.exit:
		e.exit <- code
	default:
		e.pipe.Close()
		select {
		case code := <-e.exit:
			e.exit <- code
		case <-time.After(waitTimeout):
			e.t.Errorf("server did not stop after the connection closed")
			return
		}
	}
	if live := syntax.Live(); live != e.baseGC {
		e.t.Errorf("syntax trees leaked: %d live, %d before the session", live, e.baseGC)
	}
}

func (e *fakeEditor) readLoop() {
	for {
		msg, _, err := e.st.Read(context.Background())
		if err != nil {
			e.mu.Lock()
			for _, ch := range e.pending {
				close(ch)
			}
			e.pending = map[string]chan *jsonrpc2.Response{}
			e.mu.Unlock()
			return
		}
		switch m := msg.(type) {
		case *jsonrpc2.Response:
			key := fmt.Sprint(m.ID())
			e.mu.Lock()
			ch := e.pending[key]
			delete(e.pending, key)
			e.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		case *jsonrpc2.Notification:
			if m.Method() == "textDocument/publishDiagnostics" {
				var p published
				if err := json.Unmarshal(m.Params(), &p); err != nil {
					e.t.Errorf("bad publishDiagnostics: %v", err)
				}
				e.mu.Lock()
				e.pubs[p.URI] = append(e.pubs[p.URI], p)
				e.mu.Unlock()
			}
			e.record(&e.notes, note{m.Method(), m.Params()})
		case *jsonrpc2.Call:
			e.record(&e.requests, note{m.Method(), m.Params()})
			// Answer off the read loop: applying an edit sends didChange.
			go e.answer(m)
		}
	}
}

func (e *fakeEditor) record(list *[]note, n note) {
	e.mu.Lock()
	*list = append(*list, n)
	close(e.changed)
	e.changed = make(chan struct{})
	e.mu.Unlock()
}

func (e *fakeEditor) answer(c *jsonrpc2.Call) {
	var result any
	var rerr error
	switch c.Method() {
	case "workspace/applyEdit":
		if e.applyEdit != nil {
			result, rerr = e.applyEdit(c.Params())
		} else {
			result = e.applyWorkspaceEdit(c.Params())
		}
	case "workspace/configuration":
		if e.configuration != nil {
			result = e.configuration(c.Params())
		} else {
			result = []any{nil}
		}
	}
	resp, err := jsonrpc2.NewResponse(c.ID(), result, rerr)
	if err != nil {
		e.t.Errorf("response: %v", err)
		return
	}
	// An error means the session ended meanwhile; the test has moved on.
	_, _ = e.st.Write(context.Background(), resp)
}

// send writes a raw message body.
func (e *fakeEditor) send(body any) {
	e.t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.writeFrame(data); err != nil {
		e.t.Fatalf("write: %v", err)
	}
}

// start sends a request and returns a function waiting for its response.
func (e *fakeEditor) start(method string, params any) (id int, wait func() *jsonrpc2.Response) {
	e.mu.Lock()
	e.nextID++
	id = e.nextID
	ch := make(chan *jsonrpc2.Response, 1)
	e.pending[fmt.Sprint(id)] = ch
	e.mu.Unlock()
	e.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	return id, func() *jsonrpc2.Response {
		e.t.Helper()
		select {
		case r, ok := <-ch:
			if !ok {
				e.t.Fatalf("%s: connection closed before the response", method)
			}
			return r
		case <-time.After(waitTimeout):
			e.t.Fatalf("%s: no response", method)
			return nil
		}
	}
}

// call sends a request and decodes its result; a JSON-RPC error is returned.
func (e *fakeEditor) call(method string, params, result any) *jsonrpc2.Error {
	e.t.Helper()
	_, wait := e.start(method, params)
	r := wait()
	if r.Err() != nil {
		rerr, ok := r.Err().(*jsonrpc2.Error)
		if !ok {
			e.t.Fatalf("%s: error of type %T: %v", method, r.Err(), r.Err())
		}
		return rerr
	}
	if result != nil {
		if err := json.Unmarshal(r.Result(), result); err != nil {
			e.t.Fatalf("%s: decoding result %s: %v", method, r.Result(), err)
		}
	}
	return nil
}

// mustCall is call that fails the test on an error reply.
func (e *fakeEditor) mustCall(method string, params, result any) {
	e.t.Helper()
	if err := e.call(method, params, result); err != nil {
		e.t.Fatalf("%s: error %d: %s", method, err.Code, err.Message)
	}
}

func (e *fakeEditor) notify(method string, params any) {
	e.t.Helper()
	e.send(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// defaultCaps is what a capable editor (VS Code-like) announces.
func defaultCaps() map[string]any {
	return map[string]any{
		"window": map[string]any{"workDoneProgress": true},
		"workspace": map[string]any{
			"applyEdit":             true,
			"configuration":         true,
			"workspaceEdit":         map[string]any{"documentChanges": true, "resourceOperations": []string{"create"}},
			"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true},
		},
		"textDocument": map[string]any{
			"publishDiagnostics": map[string]any{"relatedInformation": true, "versionSupport": true, "codeDescriptionSupport": true, "dataSupport": true},
			"codeAction": map[string]any{
				"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{"valueSet": []string{"quickfix", "source", "source.fixAll"}}},
				"isPreferredSupport":       true,
			},
		},
	}
}

// initialize runs initialize + initialized with the given capabilities and
// extra params (rootUri, workspaceFolders, initializationOptions).
func (e *fakeEditor) initialize(caps map[string]any, extra map[string]any) initializeResult {
	e.t.Helper()
	params := map[string]any{"processId": os.Getpid(), "capabilities": caps, "rootUri": nil}
	for k, v := range extra {
		params[k] = v
	}
	var res initializeResult
	e.mustCall("initialize", params, &res)
	e.utf8 = res.Capabilities.PositionEncoding == "utf-8"
	e.notify("initialized", map[string]any{})
	return res
}

// shutdown runs shutdown + exit and returns the exit code.
func (e *fakeEditor) shutdown() int {
	e.t.Helper()
	e.mustCall("shutdown", nil, nil)
	e.notify("exit", nil)
	return e.exitCode()
}

func (e *fakeEditor) exitCode() int {
	e.t.Helper()
	select {
	case code := <-e.exit:
		e.exit <- code
		return code
	case <-time.After(waitTimeout):
		e.t.Fatal("server did not exit")
		return -1
	}
}

// open sends didOpen and records the buffer.
func (e *fakeEditor) open(uri, languageID, text string) {
	e.t.Helper()
	e.mu.Lock()
	e.buffers[uri] = &buffer{text: text, version: 1}
	e.mu.Unlock()
	e.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": languageID, "version": 1, "text": text,
	}})
}

func (e *fakeEditor) close(uri string) {
	e.t.Helper()
	e.mu.Lock()
	delete(e.buffers, uri)
	e.mu.Unlock()
	e.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
}

// edit is one content change in the editor's coordinates: a range of
// (line, character) in the negotiated encoding, or full replacement.
type edit struct {
	full           bool
	l1, c1, l2, c2 int
	text           string
}

// change applies edits to the buffer (each against the text the previous one
// left, as the spec says) and sends them in one didChange. It returns the new
// version.
func (e *fakeEditor) change(uri string, edits ...edit) int32 {
	e.t.Helper()
	e.mu.Lock()
	b := e.buffers[uri]
	if b == nil {
		e.mu.Unlock()
		e.t.Fatalf("change: %s not open", uri)
	}
	var changes []any
	for _, ed := range edits {
		if ed.full {
			b.text = ed.text
			changes = append(changes, map[string]any{"text": ed.text})
			continue
		}
		start := offsetOf(b.text, ed.l1, ed.c1, e.utf8)
		end := offsetOf(b.text, ed.l2, ed.c2, e.utf8)
		b.text = b.text[:start] + ed.text + b.text[end:]
		changes = append(changes, map[string]any{
			"range": rangeJSON(ed.l1, ed.c1, ed.l2, ed.c2),
			"text":  ed.text,
		})
	}
	b.version++
	v := b.version
	e.mu.Unlock()
	e.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": v},
		"contentChanges": changes,
	})
	return v
}

func rangeJSON(l1, c1, l2, c2 int) map[string]any {
	return map[string]any{
		"start": map[string]any{"line": l1, "character": c1},
		"end":   map[string]any{"line": l2, "character": c2},
	}
}

func (e *fakeEditor) text(uri string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if b := e.buffers[uri]; b != nil {
		return b.text
	}
	return ""
}

// offsetOf is the test's own position conversion (independent of
// syntax.LineIndex): line and character in UTF-16 units or bytes.
func offsetOf(text string, line, char int, utf8Cols bool) int {
	off := 0
	for i := 0; i < line; i++ {
		j := strings.IndexByte(text[off:], '\n')
		if j < 0 {
			return len(text)
		}
		off += j + 1
	}
	end := strings.IndexByte(text[off:], '\n')
	if end < 0 {
		end = len(text) - off
	}
	lineText := text[off : off+end]
	// A column inside a character means that character's start (what the
	// server does; valid clients never send one).
	if utf8Cols {
		if char > len(lineText) {
			char = len(lineText)
		}
		for char > 0 && char < len(lineText) && !utf8.RuneStart(lineText[char]) {
			char--
		}
		return off + char
	}
	units := 0
	for i, r := range lineText {
		w := len(utf16.Encode([]rune{r}))
		if units+w > char {
			return off + i
		}
		units += w
	}
	return off + len(lineText)
}

// positionOf converts a byte offset to (line, character) the same way.
func positionOf(text string, off int, utf8Cols bool) (int, int) {
	line := strings.Count(text[:off], "\n")
	start := strings.LastIndexByte(text[:off], '\n') + 1
	if utf8Cols {
		return line, off - start
	}
	units := 0
	for _, r := range text[start:off] {
		units += len(utf16.Encode([]rune{r}))
	}
	return line, units
}

// published is one textDocument/publishDiagnostics.
type published struct {
	URI         string       `json:"uri"`
	Version     *int32       `json:"version"`
	Diagnostics []diagnostic `json:"diagnostics"`
}

// publishes returns every publishDiagnostics for uri, in arrival order.
func (e *fakeEditor) publishes(uri string) []published {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]published(nil), e.pubs[uri]...)
}

// waitFor waits until cond (evaluated on every event) holds.
func (e *fakeEditor) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		e.mu.Lock()
		ch := e.changed
		e.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			e.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// diagnosticsAt waits for the diagnostics of uri at exactly version.
func (e *fakeEditor) diagnosticsAt(uri string, version int32) []diagnostic {
	e.t.Helper()
	var got []diagnostic
	e.waitFor(fmt.Sprintf("diagnostics of %s version %d", uri, version), func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		ps := e.pubs[uri]
		for i := len(ps) - 1; i >= 0; i-- {
			if p := ps[i]; p.Version != nil && *p.Version == version {
				got = p.Diagnostics
				return true
			}
		}
		return false
	})
	return got
}

// notesOf returns the params of every notification of method.
func (e *fakeEditor) notesOf(method string) []json.RawMessage {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []json.RawMessage
	for _, n := range e.notes {
		if n.method == method {
			out = append(out, n.params)
		}
	}
	return out
}

// requestsOf returns the params of every server->client request of method.
func (e *fakeEditor) requestsOf(method string) []json.RawMessage {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []json.RawMessage
	for _, n := range e.requests {
		if n.method == method {
			out = append(out, n.params)
		}
	}
	return out
}

// logged reports whether a window/logMessage contains s.
func (e *fakeEditor) logged(s string) bool {
	for _, raw := range e.notesOf("window/logMessage") {
		var p logMessageParams
		if json.Unmarshal(raw, &p) == nil && strings.Contains(p.Message, s) {
			return true
		}
	}
	return false
}

// applyWorkspaceEdit applies an edit as an editor does: open buffers change
// (and the server is sent didChange), other files change on disk.
func (e *fakeEditor) applyWorkspaceEdit(raw json.RawMessage) any {
	var p struct {
		Edit struct {
			Changes         map[string][]textEdit `json:"changes"`
			DocumentChanges []json.RawMessage     `json:"documentChanges"`
		} `json:"edit"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return applyWorkspaceEditResult{FailureReason: err.Error()}
	}
	type docEdit struct {
		uri   string
		edits []textEdit
	}
	var all []docEdit
	for uri, edits := range p.Edit.Changes {
		all = append(all, docEdit{uri, edits})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].uri < all[j].uri })
	for _, dc := range p.Edit.DocumentChanges {
		var op struct {
			Kind         string       `json:"kind"`
			URI          string       `json:"uri"`
			TextDocument versionedURI `json:"textDocument"`
			Edits        []textEdit   `json:"edits"`
		}
		if err := json.Unmarshal(dc, &op); err != nil {
			return applyWorkspaceEditResult{FailureReason: err.Error()}
		}
		if op.Kind == "create" {
			path, _ := uriToPath(op.URI)
			if _, err := os.Stat(path); err != nil {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, nil, 0o644); err != nil {
					return applyWorkspaceEditResult{FailureReason: err.Error()}
				}
			}
			continue
		}
		if op.Kind != "" {
			return applyWorkspaceEditResult{FailureReason: "unsupported operation " + op.Kind}
		}
		e.mu.Lock()
		b := e.buffers[op.TextDocument.URI]
		stale := b != nil && op.TextDocument.Version != nil && *op.TextDocument.Version != b.version
		e.mu.Unlock()
		if stale {
			return applyWorkspaceEditResult{FailureReason: "version mismatch for " + op.TextDocument.URI}
		}
		all = append(all, docEdit{op.TextDocument.URI, op.Edits})
	}
	for _, de := range all {
		if e.text(de.uri) != "" || e.isOpen(de.uri) {
			var eds []edit
			// Apply from the end so earlier ranges stay valid, as one change each.
			sorted := append([]textEdit(nil), de.edits...)
			sort.SliceStable(sorted, func(i, j int) bool {
				a, b := sorted[i].Range.Start, sorted[j].Range.Start
				return a.Line > b.Line || a.Line == b.Line && a.Character > b.Character
			})
			for _, te := range sorted {
				eds = append(eds, edit{l1: int(te.Range.Start.Line), c1: int(te.Range.Start.Character),
					l2: int(te.Range.End.Line), c2: int(te.Range.End.Character), text: te.NewText})
			}
			e.change(de.uri, eds...)
			continue
		}
		path, ok := uriToPath(de.uri)
		if !ok {
			return applyWorkspaceEditResult{FailureReason: "not a file: " + de.uri}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return applyWorkspaceEditResult{FailureReason: err.Error()}
		}
		text := string(data)
		sorted := append([]textEdit(nil), de.edits...)
		sort.SliceStable(sorted, func(i, j int) bool {
			a, b := sorted[i].Range.Start, sorted[j].Range.Start
			return a.Line > b.Line || a.Line == b.Line && a.Character > b.Character
		})
		for _, te := range sorted {
			s := offsetOf(text, int(te.Range.Start.Line), int(te.Range.Start.Character), e.utf8)
			en := offsetOf(text, int(te.Range.End.Line), int(te.Range.End.Character), e.utf8)
			text = text[:s] + te.NewText + text[en:]
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return applyWorkspaceEditResult{FailureReason: err.Error()}
		}
	}
	return applyWorkspaceEditResult{Applied: true}
}

func (e *fakeEditor) isOpen(uri string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.buffers[uri] != nil
}

// codes lists the diagnostics' codes and start lines, for compact asserts.
func codes(ds []diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s@%d", d.Code, d.Range.Start.Line))
	}
	return out
}
