package server

import (
	"errors"
	"os"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis/config"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// A broken configuration file is shown where it is broken: one error
// diagnostic on the file, at the line and column the parser stopped, until
// the file is fixed. A log line alone goes unseen, and the user would be
// left wondering why their settings do nothing.

// configProblemCode is the diagnostic code of configuration errors.
const configProblemCode = "config"

// reportConfigProblems publishes each error on its file and clears the
// files that had one before and no longer do. Before the client's
// initialized notification nothing may be published (the configuration is
// first loaded while answering initialize), so the report waits for it.
func (s *Server) reportConfigProblems(errs []error) {
	s.cfg.mu.Lock()
	if !s.cfg.canPublish {
		s.cfg.pending, s.cfg.hasPending = errs, true
		s.cfg.mu.Unlock()
		return
	}
	s.cfg.mu.Unlock()
	byURI := map[string][]diagnostic{}
	for _, err := range errs {
		var cerr *config.Error
		if !errors.As(err, &cerr) || cerr.File == "" {
			continue
		}
		uri := pathToURI(cerr.File)
		byURI[uri] = append(byURI[uri], diagnostic{
			Range:    s.configProblemRange(cerr),
			Severity: 1,
			Code:     configProblemCode,
			Source:   serverName,
			Message:  "StableStack configuration not applied: " + cerr.Msg + " (the defaults are used for what follows)",
		})
	}
	s.cfg.mu.Lock()
	prev := s.cfg.problemURIs
	s.cfg.problemURIs = map[string]bool{}
	for uri := range byURI {
		s.cfg.problemURIs[uri] = true
	}
	s.cfg.mu.Unlock()
	for uri := range prev {
		if byURI[uri] == nil {
			s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: uri, Diagnostics: []diagnostic{}})
		}
	}
	for uri, diags := range byURI {
		s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: uri, Diagnostics: diags})
	}
}

// configProblemRange underlines from the error's column to the end of its
// line, in the client's position encoding (config.Error counts characters).
func (s *Server) configProblemRange(e *config.Error) protocol.Range {
	if e.Line <= 0 {
		return protocol.Range{}
	}
	text, err := os.ReadFile(e.File)
	if err != nil {
		s.log.Debug("configuration file unreadable", zap.String("path", e.File), zap.Error(err))
		return protocol.Range{Start: protocol.Position{Line: uint32(e.Line - 1)}, End: protocol.Position{Line: uint32(e.Line - 1)}}
	}
	lines := syntax.NewLineIndex(text)
	line := min(e.Line-1, lines.LineCount()-1)
	start, _ := lines.Offset(line, max(e.Col-1, 0), syntax.UTF32)
	end, _ := lines.Offset(line, 1<<30, syntax.UTF32)
	if end == start && start > lines.LineStart(line) {
		start-- // at the end of the line: underline its last character
	}
	l1, c1 := lines.Position(start, s.enc)
	l2, c2 := lines.Position(end, s.enc)
	return protocol.Range{
		Start: protocol.Position{Line: uint32(l1), Character: uint32(c1)},
		End:   protocol.Position{Line: uint32(l2), Character: uint32(c2)},
	}
}

// publishConfigProblems is called on initialized: reports from now on are
// published, starting with the one held back.
func (s *Server) publishConfigProblems() {
	s.cfg.mu.Lock()
	s.cfg.canPublish = true
	errs, has := s.cfg.pending, s.cfg.hasPending
	s.cfg.pending, s.cfg.hasPending = nil, false
	s.cfg.mu.Unlock()
	if has {
		s.reportConfigProblems(errs)
	}
}
