// Package server is StableStack's language server: the protocol, the open
// documents and the scheduling of analysis. It knows no rule: findings come
// from analysis/engine and fixes from codeactions, and this package only
// turns them into LSP messages.
//
// Design notes:
//
//   - Messages are handled one at a time, in the order they arrive
//     (jsonrpc2.AsyncHandler starts a message once the previous one replied),
//     so didOpen/didChange/didClose form the one mutation path of the
//     document store. Each handler runs on its own goroutine, which is what
//     lets a handler call the client (workspace/applyEdit) without
//     deadlocking the read loop.
//   - A change is applied to the text and the syntax tree (Tree.Edit); the
//     result is an immutable snapshot (text, version, the edits since the
//     last analysis) handed to the document's diagnostics worker. The worker
//     brings the facts up to date from the edits alone when the frontend can
//     (re-parsing the touched statements), summarizes a new text in parallel
//     pieces when it can, and otherwise reparses the tree once for all the
//     edits since the last parse. The tree also catches up once the document
//     is idle, so the keystroke-to-diagnostics path rarely waits for it. The
//     worker always analyzes the newest snapshot, drops results for versions
//     that were superseded meanwhile, and publishes without any debounce
//     delay: the edit-to-diagnostics latency is the number users feel.
//   - Client capabilities are resolved once, at initialize, into plain
//     booleans (capabilities.go).
//   - The *zap.Logger is passed explicitly: go.lsp.dev/protocol's context
//     logger is a no-op once a client is attached (lsp-stack.md).
package server

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Options configure a Server.
type Options struct {
	// Logger receives the server's log; nil discards it. Warnings and errors
	// are also sent to the client as window/logMessage.
	Logger *zap.Logger
	// Version is reported in serverInfo.
	Version string
}

// Server is one language server session over one connection.
type Server struct {
	log     *zap.Logger // stderr (or --log-file) plus window/logMessage for warnings
	version string
	conn    jsonrpc2.Conn
	stream  *stream // conn's stream, for messages encoded by hand (sendRaw)
	// logQueue holds warnings for window/logMessage (see clientLogCore).
	logQueue chan logMessageParams
	engine   *engine.Engine
	docs     *documentStore
	cancels  *cancelRegistry
	life     lifecycle
	cfg      settingsState
	others   othersRecheck
	stats    analysisStats

	// Set once by initialize, before any other handler or background task
	// runs, and only read afterwards.
	caps resolvedCapabilities
	enc  syntax.Encoding

	bg       context.Context    // background work (indexing), cancelled at shutdown
	stopBG   context.CancelFunc //
	bgMu     sync.Mutex         //
	bgClosed bool               // guarded by bgMu: Serve is ending, start nothing
	bgWG     sync.WaitGroup     // background goroutines, waited for before Serve returns
	indexing indexState

	requests      map[string]handlerFunc
	notifications map[string]handlerFunc

	// workers counts the documents' diagnostics goroutines, waited for
	// before Serve returns (they hold snapshots).
	workers sync.WaitGroup
	// inflight counts messages being handled or queued behind AsyncHandler.
	inflight sync.WaitGroup

	// testHookDispatch, when set by a test, runs before every handler (inside
	// the panic recovery), to inject failures.
	testHookDispatch func(ctx context.Context, method string)
	// testHookEvent, when set by a test, is told of internal milestones
	// ("indexed") that send nothing to the client, so tests can wait on them.
	testHookEvent func(what string)
	// testHookReindexClosed, when set by a test, runs before a closed,
	// modified file is re-parsed in the background, to order it after
	// other work.
	testHookReindexClosed func()
}

func (s *Server) event(what string) {
	if h := s.testHookEvent; h != nil {
		h(what)
	}
}

// analysisStats count how documents were analyzed, for tests and debugging.
type analysisStats struct {
	fastPath atomic.Int64 // facts updated from the edits alone
	fullPath atomic.Int64 // facts rebuilt from a (re)parsed tree
	openPath atomic.Int64 // facts of a whole new text without a whole-file tree
}

// handlerFunc handles one request or notification. params is nil when the
// message had none (or "null"). Errors should be *jsonrpc2.Error.
type handlerFunc func(ctx context.Context, params json.RawMessage) (any, error)

// New returns a server ready to Serve one connection.
func New(opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	bg, stop := context.WithCancel(context.Background())
	s := &Server{
		log:      log,
		version:  opts.Version,
		engine:   engine.New(analysis.DefaultConfig()),
		cancels:  newCancelRegistry(),
		bg:       bg,
		stopBG:   stop,
		enc:      syntax.UTF16,
		logQueue: make(chan logMessageParams, 64),
	}
	s.life.init()
	s.others.s = s
	s.docs = newDocumentStore(s)
	s.requests = map[string]handlerFunc{
		"initialize":               s.initialize,
		"shutdown":                 s.shutdown,
		"textDocument/codeAction":  s.codeAction,
		methodPullDiagnostics:      s.pullDiagnostics,
		"workspace/executeCommand": s.executeCommand,
	}
	s.notifications = map[string]handlerFunc{
		"initialized":                         s.initialized,
		"exit":                                s.exit,
		"textDocument/didOpen":                s.didOpen,
		"textDocument/didChange":              s.didChange,
		"textDocument/didSave":                s.didSave,
		"textDocument/didClose":               s.didClose,
		"workspace/didChangeConfiguration":    s.didChangeConfiguration,
		"workspace/didChangeWatchedFiles":     s.didChangeWatchedFiles,
		"workspace/didChangeWorkspaceFolders": s.didChangeWorkspaceFolders,
	}
	return s
}

// Serve runs the session over rwc until the client sends exit or closes the
// connection, and returns the process exit code the LSP spec asks for: 0
// after shutdown then exit, 1 otherwise.
func (s *Server) Serve(ctx context.Context, rwc io.ReadWriteCloser) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st := newStream(rwc, s.log)
	s.stream = st
	s.conn = jsonrpc2.NewConn(st)
	s.log = s.log.WithOptions(zap.WrapCore(s.mirrorWarnings))
	s.goBackground(s.sendLogMessages)
	s.conn.Go(ctx, s.handler())
	select {
	case <-s.conn.Done():
		if err := s.conn.Err(); err != nil && !s.life.exitedCleanly() {
			s.log.Info("connection closed", zap.Error(err))
		}
	case <-s.life.exited:
		s.closeConn()
	case <-ctx.Done():
		s.closeConn()
	}
	// Unblock handlers waiting on the client (conn.Call does not notice a
	// closed connection), let every queued message finish, then free.
	cancel()
	s.inflight.Wait()
	s.stopBG()
	s.others.stop()
	s.bgMu.Lock()
	s.bgClosed = true
	s.bgMu.Unlock()
	s.bgWG.Wait()
	s.docs.closeAll()
	s.workers.Wait()
	return s.life.exitCode()
}

// notify sends a notification, logging (not returning) a failure: a client
// that went away is noticed by the read loop.
func (s *Server) notify(method string, params any) {
	if err := s.conn.Notify(context.Background(), method, params); err != nil {
		s.log.Debug("notification not sent", zap.String("method", method), zap.Error(err))
	}
}

// closeConn closes the connection and waits a little for the read loop to
// stop. Closing a blocking stdin does not interrupt a read in progress, so
// after exit Serve must not wait for the client to close its end.
func (s *Server) closeConn() {
	s.conn.Close()
	select {
	case <-s.conn.Done():
	case <-time.After(200 * time.Millisecond):
		s.log.Debug("read loop still blocked after close; not waiting for it")
	}
}

// sendRaw writes a message encoded by hand (publishDiagnostics), bypassing
// jsonrpc2's encoder; the stream keeps frames whole.
func (s *Server) sendRaw(body []byte) {
	if err := s.stream.writeFrame(body); err != nil {
		s.log.Debug("message not sent", zap.Error(err))
	}
}

// goBackground runs fn on a goroutine that Serve waits for; once Serve is
// ending it runs nothing.
func (s *Server) goBackground(fn func(ctx context.Context)) {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.bgClosed {
		return
	}
	s.bgWG.Add(1)
	go func() {
		defer s.bgWG.Done()
		fn(s.bg)
	}()
}
