package server

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/codeactions"
)

type codeActionParams struct {
	TextDocument struct {
		URI string `json:"uri"`
	} `json:"textDocument"`
	Range   protocol.Range `json:"range"`
	Context struct {
		Only        []string `json:"only"`
		TriggerKind int      `json:"triggerKind"` // 1 invoked, 2 automatic
	} `json:"context"`
}

// codeActionTriggerAutomatic is CodeActionTriggerKind.Automatic.
const codeActionTriggerAutomatic = 2

// codeAction is a CodeAction literal.
type codeAction struct {
	Title       string         `json:"title"`
	Kind        string         `json:"kind,omitempty"`
	Diagnostics []diagnostic   `json:"diagnostics,omitempty"`
	IsPreferred bool           `json:"isPreferred,omitempty"`
	Edit        *workspaceEdit `json:"edit,omitempty"`
	Command     *command       `json:"command,omitempty"`
}

type command struct {
	Title     string `json:"title"`
	Command   string `json:"command"`
	Arguments []any  `json:"arguments,omitempty"`
}

// codeAction answers textDocument/codeAction from the findings of the
// document's newest text (waiting for its analysis if needed), so the
// edits always match the text the client has. Diagnostics the client sends
// back are not needed: the server keeps the findings they came from.
func (s *Server) codeAction(ctx context.Context, raw json.RawMessage) (any, error) {
	var p codeActionParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	out := []codeAction{}
	d := s.docs.get(p.TextDocument.URI)
	if d == nil || !s.caps.codeActionLiterals {
		return out, nil
	}
	res, ok := d.diags.current(ctx)
	if !ok {
		if ctx.Err() != nil {
			return nil, errCancelled
		}
		return out, nil
	}
	if res.facts == nil || len(res.findings) == 0 {
		return out, nil
	}
	automatic := p.Context.TriggerKind == codeActionTriggerAutomatic
	lines := res.snap.lines.get()
	start, _ := lines.Offset(int(p.Range.Start.Line), int(p.Range.Start.Character), s.enc)
	end, _ := lines.Offset(int(p.Range.End.Line), int(p.Range.End.Character), s.enc)
	if end < start {
		start, end = end, start
	}
	req := codeactions.Request{
		File:           &analysis.File{Path: res.snap.key, Lang: res.snap.lang, Facts: res.facts, Text: res.snap.text},
		Findings:       res.findings,
		Span:           analysis.Span{Start: start, End: end},
		Only:           p.Context.Only,
		Automatic:      automatic,
		Config:         s.engine.ConfigFor(res.snap.key),
		CanCreateFiles: s.caps.createFiles,
		ModuleExists:   s.moduleExists(res.snap),
	}
	for _, a := range codeactions.Actions(req) {
		// On automatic triggers (light bulb while typing) only quick fixes.
		if automatic && !kindWithin(a.Kind, codeactions.KindQuickFix) {
			continue
		}
		if !codeactions.KindAllowed(p.Context.Only, a.Kind) {
			continue
		}
		ca, err := s.toCodeAction(res, a)
		if err != nil {
			s.log.Warn("code action dropped", zap.String("title", a.Title), zap.Error(err))
			continue
		}
		out = append(out, ca)
	}
	return out, nil
}

// kindWithin reports whether kind is base or a sub-kind of it.
func kindWithin(kind, base string) bool {
	return kind == base || strings.HasPrefix(kind, base+".")
}

// moduleExists answers codeactions' "is the limiter module in this project"
// for a document: files on disk by their path; documents that are not files
// by the first workspace folder (where the module would be written).
func (s *Server) moduleExists(sn *snapshot) func(lang string) bool {
	path := sn.key
	if !sn.isFile {
		roots := s.engine.Roots()
		if len(roots) == 0 {
			return func(string) bool { return true } // nowhere to create it
		}
		path = filepath.Join(roots[0], "untitled")
	}
	return func(lang string) bool { return codeactions.ModuleFileExists(path, lang) }
}

// toCodeAction converts an action on the analyzed text to LSP.
func (s *Server) toCodeAction(res *docResult, a codeactions.Action) (codeAction, error) {
	ca := codeAction{Title: a.Title, Kind: a.Kind, IsPreferred: a.Preferred}
	for _, i := range a.Fixes {
		if i >= 0 && i < len(res.diags) {
			ca.Diagnostics = append(ca.Diagnostics, res.diags[i])
		}
	}
	if len(a.Edits) > 0 || len(a.Create) > 0 {
		v := res.snap.version
		we, err := s.buildWorkspaceEdit([]fileEdits{{
			uri: res.snap.uri, version: &v, lines: res.snap.lines.get(), edits: a.Edits,
		}}, a.Create)
		if err != nil {
			return ca, err
		}
		ca.Edit = &we
	}
	if a.Command != nil {
		ca.Command = &command{Title: a.Command.Title, Command: a.Command.Name, Arguments: a.Command.Arguments}
	}
	return ca, nil
}
