package server

import (
	"context"
	"strings"

	"go.uber.org/zap/zapcore"
)

// mirrorWarnings adds to the log a core that sends warnings and errors to
// the client as window/logMessage, so users see them in the editor's output
// panel without finding the server's stderr.
func (s *Server) mirrorWarnings(base zapcore.Core) zapcore.Core {
	return zapcore.NewTee(base, &clientLogCore{s: s, enc: zapcore.NewConsoleEncoder(zapcore.EncoderConfig{
		MessageKey:     "msg",
		LineEnding:     "",
		EncodeDuration: zapcore.StringDurationEncoder,
	})})
}

// clientLogCore is a zapcore.Core writing to window/logMessage. Sending is
// best effort: an error is dropped (never logged, which would recurse).
type clientLogCore struct {
	s      *Server
	enc    zapcore.Encoder
	fields []zapcore.Field
}

func (c *clientLogCore) Enabled(l zapcore.Level) bool { return l >= zapcore.WarnLevel }

func (c *clientLogCore) With(fields []zapcore.Field) zapcore.Core {
	return &clientLogCore{s: c.s, enc: c.enc, fields: append(append([]zapcore.Field(nil), c.fields...), fields...)}
}

func (c *clientLogCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *clientLogCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	if c.s.conn == nil {
		return nil
	}
	all := append(append([]zapcore.Field(nil), c.fields...), fields...)
	// Stacks belong in the log file, not in the editor's panel.
	kept := all[:0]
	for _, f := range all {
		if f.Key != "stack" {
			kept = append(kept, f)
		}
	}
	buf, err := c.enc.EncodeEntry(zapcore.Entry{Message: e.Message}, kept)
	if err != nil {
		return nil
	}
	msg := strings.TrimSpace(buf.String())
	buf.Free()
	typ := messageWarning
	if e.Level >= zapcore.ErrorLevel {
		typ = messageError
	}
	// Queued, never sent from here: a warning logged on the read loop (a
	// malformed frame) must not block on a client that is busy writing.
	select {
	case c.s.logQueue <- logMessageParams{Type: typ, Message: "stablestack: " + msg}:
	default: // the editor is not keeping up; the log file has it
	}
	return nil
}

// sendLogMessages forwards queued warnings to the client until ctx ends.
func (s *Server) sendLogMessages(ctx context.Context) {
	for {
		select {
		case m := <-s.logQueue:
			s.notify("window/logMessage", m)
		case <-ctx.Done():
			return
		}
	}
}

func (c *clientLogCore) Sync() error { return nil }
