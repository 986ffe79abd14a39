package server

import (
	"context"
	"sync"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
)

// phase is where the session is in the LSP lifecycle.
type phase int

const (
	phaseUninitialized phase = iota // before the initialize request
	phaseRunning                    // initialize answered
	phaseShutdown                   // shutdown answered; only exit is valid
)

// lifecycle enforces the order initialize -> ... -> shutdown -> exit.
type lifecycle struct {
	mu       sync.Mutex
	phase    phase // guarded by mu
	shutdown bool  // guarded by mu: shutdown was received before exit
	exitOnce sync.Once
	exited   chan struct{} // closed by the exit notification
}

func (l *lifecycle) init() { l.exited = make(chan struct{}) }

// admit decides whether a message may be handled in the current phase:
// requests before initialize get ServerNotInitialized (-32002), requests after
// shutdown get InvalidRequest, a second initialize gets InvalidRequest.
// Notifications other than exit are dropped before initialize and after
// shutdown (the returned error is then only logged).
func (l *lifecycle) admit(method string, isCall bool) *jsonrpc2.Error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if method == "exit" {
		return nil
	}
	switch l.phase {
	case phaseUninitialized:
		if method == "initialize" {
			return nil
		}
		return jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, "server not initialized")
	case phaseShutdown:
		return jsonrpc2.NewError(jsonrpc2.InvalidRequest, "server is shut down; only exit is accepted")
	}
	if method == "initialize" {
		return jsonrpc2.NewError(jsonrpc2.InvalidRequest, "initialize was already received")
	}
	return nil
}

func (l *lifecycle) setPhase(p phase) {
	l.mu.Lock()
	l.phase = p
	if p == phaseShutdown {
		l.shutdown = true
	}
	l.mu.Unlock()
}

func (l *lifecycle) isRunning() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.phase == phaseRunning
}

func (l *lifecycle) exitedCleanly() bool {
	select {
	case <-l.exited:
		return true
	default:
		return false
	}
}

// exitCode is 0 when shutdown came before exit, 1 otherwise (connection
// lost, or exit without shutdown), as the spec says.
func (l *lifecycle) exitCode() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shutdown && l.exitedCleanly() {
		return 0
	}
	return 1
}

// shutdown answers the shutdown request (params may be absent or null, as
// Eglot sends them): background work stops, documents stay until exit.
func (s *Server) shutdown(context.Context, json.RawMessage) (any, error) {
	s.life.setPhase(phaseShutdown)
	s.stopBG()
	return nil, nil
}

// exit ends the session; Serve returns the exit code.
func (s *Server) exit(context.Context, json.RawMessage) (any, error) {
	s.life.exitOnce.Do(func() { close(s.life.exited) })
	return nil, nil
}
