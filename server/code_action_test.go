package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"
)

// actionsAt asks for the code actions at a diagnostic's range.
func (e *fakeEditor) actionsAt(uri string, d diagnostic, only []string, trigger int) []codeAction {
	e.t.Helper()
	ctx := map[string]any{"diagnostics": []diagnostic{d}, "triggerKind": trigger}
	if only != nil {
		ctx["only"] = only
	}
	var out []codeAction
	e.mustCall("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        d.Range,
		"context":      ctx,
	}, &out)
	return out
}

// apply applies an action's edit the way the client would on a user's click.
func (e *fakeEditor) apply(a codeAction) {
	e.t.Helper()
	params, _ := json.Marshal(map[string]any{"edit": a.Edit})
	res := e.applyWorkspaceEdit(params).(applyWorkspaceEditResult)
	if !res.Applied {
		e.t.Fatalf("edit of %q not applied: %s", a.Title, res.FailureReason)
	}
}

func kinds(as []codeAction) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Kind)
	}
	return out
}

func TestQuickFixCreatesModuleAndClearsDiagnostic(t *testing.T) {
	dir := writeTree(t, map[string]string{"requirements.txt": "fastapi\n"})
	e := newEditor(t)
	e.initialize(defaultCaps(), folders(dir))
	uri := pathToURI(filepath.Join(dir, "app.py"))
	e.open(uri, "python", appPy)
	ds := e.diagnosticsAt(uri, 1)
	if len(ds) != 1 {
		t.Fatalf("diagnostics %v", codes(ds))
	}
	actions := e.actionsAt(uri, ds[0], nil, 1)
	var fix *codeAction
	for i, a := range actions {
		if a.Kind != "quickfix" {
			t.Errorf("kind %q offered without only", a.Kind)
		}
		if a.IsPreferred {
			fix = &actions[i]
		}
	}
	if fix == nil {
		t.Fatalf("no preferred quick fix among %+v", actions)
	}
	if len(fix.Diagnostics) != 1 || fix.Diagnostics[0].Code != "RATE001" {
		t.Errorf("action diagnostics %+v", fix.Diagnostics)
	}
	we := fix.Edit
	if we == nil || len(we.DocumentChanges) == 0 || we.Changes != nil {
		t.Fatalf("want documentChanges, got %+v", we)
	}
	raw, _ := json.Marshal(we.DocumentChanges)
	if !strings.Contains(string(raw), `"kind":"create"`) || !strings.Contains(string(raw), `"version":1`) {
		t.Errorf("want a CreateFile for the module and a versioned edit: %s", raw)
	}
	e.apply(*fix)
	if ds := e.diagnosticsAt(uri, 2); len(ds) != 0 {
		t.Errorf("after the fix: %v\n%s", codes(ds), e.text(uri))
	}
	if !strings.Contains(e.text(uri), "rate_limit(") {
		t.Errorf("fixed text:\n%s", e.text(uri))
	}
	if _, err := os.Stat(filepath.Join(dir, "stablestack_rate_limiter.py")); err != nil {
		t.Errorf("module not created: %v", err)
	}
	e.shutdown()
}

func TestCodeActionKinds(t *testing.T) {
	dir := writeTree(t, map[string]string{"requirements.txt": "fastapi\n", "stablestack_rate_limiter.py": "# module\n"})
	e := newEditor(t)
	e.initialize(defaultCaps(), folders(dir))
	uri := pathToURI(filepath.Join(dir, "app.py"))
	e.open(uri, "python", appPy)
	d := e.diagnosticsAt(uri, 1)[0]

	if got := kinds(e.actionsAt(uri, d, []string{"source"}, 1)); len(got) != 1 || got[0] != "source.fixAll.stablestack" {
		t.Errorf("only source: %v", got)
	}
	if got := kinds(e.actionsAt(uri, d, []string{"source.fixAll"}, 1)); len(got) != 1 {
		t.Errorf("only source.fixAll: %v", got)
	}
	for _, k := range kinds(e.actionsAt(uri, d, []string{"quickfix"}, 1)) {
		if k != "quickfix" {
			t.Errorf("only quickfix gave %q", k)
		}
	}
	if got := kinds(e.actionsAt(uri, d, []string{"refactor"}, 1)); len(got) != 0 {
		t.Errorf("only refactor: %v", got)
	}
	// Automatic triggers get quick fixes only, even when asking for source.
	for _, k := range kinds(e.actionsAt(uri, d, []string{"source", "quickfix"}, 2)) {
		if k != "quickfix" {
			t.Errorf("automatic trigger gave %q", k)
		}
	}
	// Fix-all applies and clears the file.
	fixAll := e.actionsAt(uri, d, []string{"source.fixAll.stablestack"}, 1)
	if len(fixAll) != 1 {
		t.Fatalf("fix-all %+v", fixAll)
	}
	e.apply(fixAll[0])
	if ds := e.diagnosticsAt(uri, 2); len(ds) != 0 {
		t.Errorf("after fix-all: %v", codes(ds))
	}
	// A document that is not open, or has no findings: an empty list.
	if got := e.actionsAt("file:///nowhere.py", d, nil, 1); len(got) != 0 {
		t.Errorf("unknown document: %+v", got)
	}
	e.shutdown()
}

func TestQuickFixForBasicClient(t *testing.T) {
	dir := writeTree(t, map[string]string{"requirements.txt": "fastapi\n"})
	e := newEditor(t)
	caps := defaultCaps()
	caps["workspace"] = map[string]any{"applyEdit": true} // no documentChanges, no create
	e.initialize(caps, folders(dir))
	uri := pathToURI(filepath.Join(dir, "app.py"))
	e.open(uri, "python", appPy)
	d := e.diagnosticsAt(uri, 1)[0]
	var fix *codeAction
	for _, a := range e.actionsAt(uri, d, nil, 1) {
		if a.IsPreferred {
			a := a
			fix = &a
		}
	}
	if fix == nil || fix.Edit == nil || fix.Edit.DocumentChanges != nil || len(fix.Edit.Changes[uri]) == 0 {
		t.Fatalf("want a changes map edit: %+v", fix)
	}
	if fix.Command == nil || fix.Command.Command != "stablestack.addRateLimiter" {
		t.Fatalf("without file creation the module comes from the command: %+v", fix.Command)
	}
	// Run the command as the client would: it writes the module.
	var args []json.RawMessage
	for _, a := range fix.Command.Arguments {
		b, _ := json.Marshal(a)
		args = append(args, b)
	}
	e.mustCall("workspace/executeCommand", map[string]any{"command": fix.Command.Command, "arguments": args}, nil)
	if _, err := os.Stat(filepath.Join(dir, "stablestack_rate_limiter.py")); err != nil {
		t.Errorf("module not written: %v", err)
	}
	e.waitFor("a message about the module", func() bool { return len(e.notesOf("window/showMessage")) == 1 })
	e.shutdown()
}
