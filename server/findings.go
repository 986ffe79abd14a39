package server

import (
	"sync"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// toDiagnostics converts a snapshot's findings to LSP diagnostics in the
// negotiated position encoding.
func (s *Server) toDiagnostics(sn *snapshot, findings []analysis.Finding) []diagnostic {
	if len(findings) == 0 {
		return nil
	}
	lines := sn.lines.get()
	out := make([]diagnostic, len(findings))
	data := make([]diagnosticData, len(findings)) // one allocation, not one per diagnostic
	for i := range findings {
		f := &findings[i]
		d := &out[i]
		d.Range = spanRange(lines, f.Span, s.enc)
		d.Severity = int(f.Severity)
		d.Source = serverName
		d.Message = f.Message
		if f.Rule != nil {
			d.Code = f.Rule.ID
			d.CodeDescription = ruleLink(f.Rule)
		}
		data[i] = diagnosticData{Version: sn.version, Start: f.Span.Start, End: f.Span.End, Fix: f.Fix}
		d.Data = &data[i]
		if len(f.Related) > 0 && s.caps.relatedInformation {
			d.RelatedInformation = s.related(sn, lines, f.Related)
		}
	}
	return out
}

// ruleLinks holds one codeDescription per rule, shared by its diagnostics
// (they are never modified).
var ruleLinks sync.Map // *analysis.Rule -> *codeDescription

func ruleLink(r *analysis.Rule) *codeDescription {
	if v, ok := ruleLinks.Load(r); ok {
		return v.(*codeDescription)
	}
	v, _ := ruleLinks.LoadOrStore(r, &codeDescription{Href: r.DocsURL()})
	return v.(*codeDescription)
}

// spanRange converts a byte span to an LSP range.
func spanRange(lines *syntax.LineIndex, sp analysis.Span, enc syntax.Encoding) protocol.Range {
	l1, c1 := lines.Position(sp.Start, enc)
	l2, c2 := lines.Position(sp.End, enc)
	return protocol.Range{
		Start: protocol.Position{Line: uint32(l1), Character: uint32(c1)},
		End:   protocol.Position{Line: uint32(l2), Character: uint32(c2)},
	}
}

// related converts related spans. A span in another file needs that file's
// text to become a line and column: the open buffer if the client has the
// file open (and then its URI as the client spells it), else the file on disk.
func (s *Server) related(sn *snapshot, own *syntax.LineIndex, rel []analysis.Related) []relatedInformation {
	out := make([]relatedInformation, 0, len(rel))
	for _, r := range rel {
		if r.Path == "" || r.Path == sn.key {
			out = append(out, relatedInformation{Location: location{URI: sn.uri, Range: spanRange(own, r.Span, s.enc)}, Message: r.Message})
			continue
		}
		uri, lines := s.textOf(r.Path)
		if lines == nil {
			continue
		}
		out = append(out, relatedInformation{Location: location{URI: uri, Range: spanRange(lines, r.Span, s.enc)}, Message: r.Message})
	}
	return out
}

// textOf finds the current text of a file by its index key: the open
// buffer's newest analyzed text, else the file on disk. lines is nil when
// neither is available.
func (s *Server) textOf(key string) (uri string, lines *syntax.LineIndex) {
	if dd := s.docs.byKey(key); dd != nil {
		if res := dd.last(); res != nil {
			return dd.uri, res.snap.lines.get()
		}
	}
	text, err := engine.ReadSource(key)
	if err != nil {
		s.log.Debug("related file unreadable", zap.String("path", key), zap.Error(err))
		return "", nil
	}
	return pathToURI(key), syntax.NewLineIndex(text)
}
