package server

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// cancelRegistry maps the ids of running and queued requests to the cancel
// function of their context.
//
// jsonrpc2.CancelHandler cannot be used: it looks ids up as int32 or string,
// but a JSON number in $/cancelRequest decodes as float64, so nothing a real
// client sends ever cancels (lsp-stack.md).
type cancelRegistry struct {
	mu      sync.Mutex
	running map[string]context.CancelFunc // guarded by mu; key: idKey
}

func newCancelRegistry() *cancelRegistry {
	return &cancelRegistry{running: map[string]context.CancelFunc{}}
}

// idKey spells a request id the same way whether it comes from a Call or from
// $/cancelRequest params: "#12" for numbers, a quoted string for strings.
func idKey(id jsonrpc2.ID) string { return fmt.Sprintf("%q", id) }

func cancelKey(raw json.RawMessage) (string, bool) {
	var p struct {
		ID any `json:"id"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", false
	}
	switch id := p.ID.(type) {
	case float64:
		return "#" + strconv.FormatInt(int64(id), 10), true
	case string:
		return strconv.Quote(id), true
	}
	return "", false
}

// intercept runs on the read loop: it gives each request a cancellable
// context and consumes $/cancelRequest itself.
func (r *cancelRegistry) intercept(next jsonrpc2.Handler, log *zap.Logger) jsonrpc2.Handler {
	return func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		switch req := req.(type) {
		case *jsonrpc2.Notification:
			if req.Method() == methodCancelRequest {
				key, ok := cancelKey(req.Params())
				if !ok {
					log.Warn("$/cancelRequest without a usable id", zap.ByteString("params", req.Params()))
					return nil
				}
				r.mu.Lock()
				cancel := r.running[key]
				r.mu.Unlock()
				if cancel != nil {
					log.Debug("request cancelled by the client", zap.String("id", key))
					cancel()
				}
				return nil
			}
		case *jsonrpc2.Call:
			key := idKey(req.ID())
			cctx, cancel := context.WithCancel(ctx)
			r.mu.Lock()
			r.running[key] = cancel
			r.mu.Unlock()
			inner := reply
			reply = func(ctx context.Context, result any, err error) error {
				r.mu.Lock()
				delete(r.running, key)
				r.mu.Unlock()
				defer cancel()
				return inner(ctx, result, err)
			}
			ctx = cctx
		}
		return next(ctx, reply, req)
	}
}
