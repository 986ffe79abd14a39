package server

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
	"github.com/stablestack/stablestack/codeactions"
	"github.com/stablestack/stablestack/codeactions/scaffold"
)

type executeCommandParams struct {
	Command       string            `json:"command"`
	Arguments     []json.RawMessage `json:"arguments"`
	WorkDoneToken any               `json:"workDoneToken"`
}

// executeCommand runs the server's commands.
func (s *Server) executeCommand(ctx context.Context, raw json.RawMessage) (any, error) {
	var p executeCommandParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	switch p.Command {
	case codeactions.CommandAddRateLimiter:
		return s.addRateLimiter(p)
	case codeactions.CommandInstrumentWorkspace:
		return s.instrumentWorkspace(ctx, p)
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", p.Command)
}

// addRateLimiterResult tells the client what was written.
type addRateLimiterResult struct {
	Dir     string   `json:"dir"`
	Lang    string   `json:"lang"`
	Created []string `json:"created,omitempty"`
	Updated []string `json:"updated,omitempty"`
	Kept    []string `json:"kept,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// addRateLimiter writes the limiter module into a project directory:
// arguments [{"lang": "python"|"node", "dir": "/abs/dir"}] as code actions
// send them, or none (the first workspace folder, language detected).
func (s *Server) addRateLimiter(p executeCommandParams) (any, error) {
	var args codeactions.AddRateLimiterArgs
	if len(p.Arguments) > 0 {
		if err := json.Unmarshal(p.Arguments[0], &args); err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: want {lang, dir}: %v", p.Command, err)
		}
	}
	if args.Dir == "" {
		roots := s.engine.Roots()
		if len(roots) == 0 {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: no directory given and no workspace folder", p.Command)
		}
		args.Dir = roots[0]
	}
	if args.Lang == "" {
		lang, err := scaffold.DetectLang(args.Dir)
		if err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %v", p.Command, err)
		}
		args.Lang = lang
	}
	res, err := scaffold.Write(args.Dir, args.Lang, false)
	if err != nil {
		return nil, internalError("%s: %v", p.Command, err)
	}
	out := addRateLimiterResult{Dir: args.Dir, Lang: res.Lang, Created: res.Created, Updated: res.Updated, Kept: res.Kept, Note: res.DependencyNote}
	msg := fmt.Sprintf("StableStack: rate limiter module ready in %s", args.Dir)
	if len(res.Kept) > 0 {
		msg += fmt.Sprintf(" (kept your edited %s)", strings.Join(res.Kept, ", "))
	}
	if res.DependencyNote != "" {
		msg += ". " + res.DependencyNote
	}
	s.notify("window/showMessage", logMessageParams{Type: messageInfo, Message: msg})
	return out, nil
}

// instrumentResult summarizes stablestack.instrumentWorkspace.
type instrumentResult struct {
	Applied bool     `json:"applied"`
	Files   []string `json:"files"`
	Routes  int      `json:"routes"`
	Reason  string   `json:"failureReason,omitempty"`
}

// instrumentWorkspace adds the rate limit to every unprotected route of the
// workspace in one workspace/applyEdit, reporting progress. Open documents
// are edited at their current version; files not open are read from disk.
func (s *Server) instrumentWorkspace(ctx context.Context, p executeCommandParams) (any, error) {
	if !s.caps.applyEdit {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s needs workspace/applyEdit, which the client does not support", p.Command)
	}
	prog := s.beginProgress(ctx, p.WorkDoneToken, "StableStack: adding rate limits")
	defer prog.end("")

	var sources []engine.SourceFile
	err := s.walkWorkspace(ctx, func(f engine.SourceFile) { sources = append(sources, f) },
		func(pr engine.Problem) { s.log.Debug("file skipped", zap.String("path", pr.Path), zap.Error(pr.Err)) })
	if err != nil {
		return nil, errCancelled
	}
	// Open documents not under a root (or not files) are part of the job too.
	seen := map[string]bool{}
	for _, sf := range sources {
		seen[sf.Path] = true
	}
	targets := map[string]*target{}
	var files []*analysis.File
	findings := map[string][]analysis.Finding{}
	routes := 0
	add := func(t *target, fs []analysis.Finding) {
		n := 0
		for _, f := range fs {
			if f.Rule == analysis.UnprotectedRoute {
				n++
			}
		}
		if n == 0 {
			return
		}
		routes += n
		targets[t.file.Path] = t
		files = append(files, t.file)
		findings[t.file.Path] = fs
	}
	for _, dd := range s.docs.all() {
		res, ok := dd.current(ctx)
		if !ok || res.facts == nil {
			continue
		}
		v := res.snap.version
		seen[res.snap.key] = true
		add(&target{
			file: &analysis.File{Path: res.snap.key, Lang: res.snap.lang, Facts: res.facts, Text: res.snap.text},
			uri:  res.snap.uri, version: &v, lines: res.snap.lines.get(), isFile: res.snap.isFile,
		}, res.findings)
	}
	for i, sf := range sources {
		if ctx.Err() != nil {
			return nil, errCancelled
		}
		prog.report(fmt.Sprintf("%d/%d files", i+1, len(sources)), percent(i+1, len(sources)))
		if s.docs.byKey(sf.Path) != nil {
			continue
		}
		text, err := engine.ReadSource(sf.Path)
		if err != nil {
			continue
		}
		facts, err := engine.Summarize(sf.Path, sf.Lang, text, nil, nil, true)
		if err != nil || facts == nil {
			continue
		}
		f := &analysis.File{Path: sf.Path, Lang: sf.Lang, Facts: facts, Text: text}
		add(&target{file: f, uri: pathToURI(sf.Path), lines: syntax.NewLineIndex(text), isFile: true}, s.engine.Check(f))
	}
	result := instrumentResult{Files: []string{}}
	if len(files) == 0 {
		result.Applied = true
		return result, nil
	}
	edits, create := codeactions.Instrument(files, findings, s.engine.Config(), s.caps.createFiles, nil)
	var fe []fileEdits
	for path, es := range edits {
		t := targets[path]
		fe = append(fe, fileEdits{uri: t.uri, version: t.version, lines: t.lines, edits: es})
		result.Files = append(result.Files, t.uri)
	}
	sort.Slice(fe, func(i, j int) bool { return fe[i].uri < fe[j].uri })
	sort.Strings(result.Files)
	result.Routes = routes
	we, err := s.buildWorkspaceEdit(fe, create)
	if err != nil {
		return nil, internalError("%s: %v", p.Command, err)
	}
	applied, err := s.applyEdit(ctx, "Add StableStack rate limits", we)
	if err != nil {
		if ctx.Err() != nil {
			return nil, errCancelled
		}
		return nil, internalError("%s: workspace/applyEdit: %v", p.Command, err)
	}
	result.Applied, result.Reason = applied.Applied, applied.FailureReason
	if applied.Applied && !s.caps.createFiles {
		s.scaffoldMissing(edits, targets)
	}
	return result, nil
}

// target is one file instrumentWorkspace edits.
type target struct {
	file    *analysis.File
	uri     string
	version *int32 // nil for files not open in the editor
	lines   *syntax.LineIndex
	isFile  bool
}

// scaffoldMissing writes the limiter module next to edited files whose
// project lacks it, for clients that cannot create files in an edit
// (codeactions.Instrument leaves that to the caller).
func (s *Server) scaffoldMissing(edits map[string][]codeactions.Edit, targets map[string]*target) {
	written := map[string]bool{}
	for path := range edits {
		t := targets[path]
		fam := codeactions.Family(t.file.Lang)
		if !t.isFile || fam == "" {
			continue
		}
		mod := codeactions.ModulePath(path, fam)
		if written[mod] || codeactions.ModuleFileExists(path, fam) {
			continue
		}
		written[mod] = true
		if _, err := scaffold.Write(filepath.Dir(mod), fam, false); err != nil {
			s.log.Warn("could not write the rate limiter module", zap.String("dir", filepath.Dir(mod)), zap.Error(err))
		}
	}
}
