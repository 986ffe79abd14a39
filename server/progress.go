package server

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
)

// progress reports one long operation with $/progress (work done progress).
// Clients that did not announce window.workDoneProgress get an inert
// progress: every method is a no-op, so callers never check.
type progress struct {
	s     *Server
	token any // string or number, as the client or window/workDoneProgress/create named it

	mu      sync.Mutex
	pct     int  // guarded by mu: last percentage sent
	stopped bool // guarded by mu: end was sent
}

var progressTokens atomic.Int64

// beginProgress starts reporting. clientToken is the workDoneToken the
// client put in the request, if any; otherwise the server creates a token
// with window/workDoneProgress/create (only when the client supports it).
func (s *Server) beginProgress(ctx context.Context, clientToken any, title string) *progress {
	p := &progress{s: s}
	switch {
	case clientToken != nil && clientToken != "":
		p.token = clientToken
	case s.caps.workDoneProgress:
		token := "stablestack-" + strconv.FormatInt(progressTokens.Add(1), 10)
		if _, err := s.conn.Call(ctx, "window/workDoneProgress/create", map[string]any{"token": token}, nil); err != nil {
			s.log.Debug("window/workDoneProgress/create failed", zap.Error(err))
			return p
		}
		p.token = token
	default:
		return p
	}
	p.send(map[string]any{"kind": "begin", "title": title, "cancellable": false, "percentage": 0})
	return p
}

// report sends a message and percentage, only when the percentage moved, so
// a walk over thousands of files sends at most a hundred notifications.
func (p *progress) report(message string, pct int) {
	if p.token == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock() // held while sending, so reports stay in order and none follows end
	if p.stopped || pct <= p.pct {
		return
	}
	p.pct = pct
	p.send(map[string]any{"kind": "report", "message": message, "percentage": pct})
}

// end closes the progress; later calls do nothing.
func (p *progress) end(message string) {
	if p.token == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.stopped = true
	p.send(map[string]any{"kind": "end", "message": message})
}

func (p *progress) send(value map[string]any) {
	p.s.notify("$/progress", map[string]any{"token": p.token, "value": value})
}
