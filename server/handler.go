package server

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// handler is the production middleware stack, outermost first:
//
//  1. cancellation, on the read loop, so a $/cancelRequest reaches a request
//     that is still running or waiting its turn (behind AsyncHandler it would
//     wait for the very request it cancels);
//  2. in-flight tracking, so Serve can wait for every handler before it frees
//     the documents;
//  3. jsonrpc2.AsyncHandler: handlers run on their own goroutine, in order;
//  4. panic recovery, inside AsyncHandler because that is the goroutine the
//     handler runs on; it guarantees exactly one reply per message, or the
//     next message would never start;
//  5. the lifecycle gate and the method table.
func (s *Server) handler() jsonrpc2.Handler {
	return s.cancels.intercept(s.tracking(jsonrpc2.AsyncHandler(s.recovering(s.dispatch))), s.log)
}

// tracking counts a message from its arrival (on the read loop, so the count
// is complete once the loop has stopped) to its one reply.
func (s *Server) tracking(next jsonrpc2.Handler) jsonrpc2.Handler {
	return func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		s.inflight.Add(1)
		return next(ctx, func(ctx context.Context, result any, err error) error {
			defer s.inflight.Done()
			return reply(ctx, result, err)
		}, req)
	}
}

// recovering turns a handler's result into exactly one reply. A panic
// becomes an InternalError reply and a log line, never a crash. It never
// returns an error: jsonrpc2 closes the connection on one.
func (s *Server) recovering(next func(ctx context.Context, req jsonrpc2.Request) (any, error)) jsonrpc2.Handler {
	return func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		var result any
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					s.log.Error("panic in handler",
						zap.String("method", req.Method()),
						zap.Any("panic", r),
						zap.ByteString("stack", debug.Stack()))
					result = nil
					err = jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %v", req.Method(), r)
				}
			}()
			result, err = next(ctx, req)
		}()
		s.event("handled " + req.Method())
		if _, isCall := req.(*jsonrpc2.Call); !isCall {
			if err != nil {
				s.log.Warn("notification failed", zap.String("method", req.Method()), zap.Error(err))
			}
			result, err = nil, nil // notifications get no reply; this only releases the next message
		}
		// The reply must go out even when the request was cancelled.
		if rerr := reply(context.WithoutCancel(ctx), result, err); rerr != nil {
			s.log.Debug("reply not sent", zap.String("method", req.Method()), zap.Error(rerr))
		}
		return nil
	}
}

// dispatch applies the lifecycle rules of the LSP spec, then calls the
// method's handler.
func (s *Server) dispatch(ctx context.Context, req jsonrpc2.Request) (any, error) {
	method := req.Method()
	_, isCall := req.(*jsonrpc2.Call)
	if hook := s.testHookDispatch; hook != nil {
		hook(ctx, method)
	}
	if err := s.life.admit(method, isCall); err != nil {
		if !isCall {
			s.log.Debug("notification ignored", zap.String("method", method), zap.String("reason", err.Message))
		}
		return nil, err
	}
	params := req.Params()
	if len(params) == 0 || string(params) == "null" {
		params = nil
	}
	if !isCall {
		h, ok := s.notifications[method]
		if !ok {
			// Unknown notifications, $/ ones included, are ignored (spec).
			s.log.Debug("notification not handled", zap.String("method", method))
			return nil, nil
		}
		return h(ctx, params)
	}
	h, ok := s.requests[method]
	if !ok {
		return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method)
	}
	if ctx.Err() != nil {
		return nil, errCancelled
	}
	return h(ctx, params)
}

var errCancelled = jsonrpc2.NewError(codeRequestCancelled, "request cancelled")

// decodeParams decodes a handler's params, answering InvalidParams on error.
func decodeParams(params json.RawMessage, v any) error {
	if params == nil {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, "missing params")
	}
	if err := json.Unmarshal(params, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
	}
	return nil
}

// internalError wraps an unexpected failure for a reply.
func internalError(format string, args ...any) *jsonrpc2.Error {
	return jsonrpc2.NewError(jsonrpc2.InternalError, fmt.Sprintf(format, args...))
}
