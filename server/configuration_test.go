package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"

	"github.com/stablestack/stablestack/analysis"
)

func TestConfigFilesUnderSettings(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"pyproject.toml": "[tool.stablestack]\nrequests = 5\n\n[tool.stablestack.rules]\nRATE001 = \"error\"\n",
		"app.py":         appPy,
	})
	e := newEditor(t)
	e.initialize(defaultCaps(), map[string]any{
		"workspaceFolders":      []any{map[string]any{"uri": pathToURI(dir), "name": "w"}},
		"initializationOptions": map[string]any{"stablestack": map[string]any{"window": 30}},
	})
	if cfg := e.srv.engine.Config(); cfg.Requests != 5 || cfg.Window != 30 {
		t.Errorf("requests %d window %d: want the file's 5 and the settings' 30", cfg.Requests, cfg.Window)
	}
	uri := pathToURI(filepath.Join(dir, "app.py"))
	e.open(uri, "python", appPy)
	if ds := e.diagnosticsAt(uri, 1); len(ds) != 1 || ds[0].Severity != int(analysis.SeverityError) {
		t.Fatalf("diagnostics %+v, want one error (from pyproject.toml)", ds)
	}
	// The file changes on disk: the watcher event reloads it.
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[tool.stablestack.rules]\nRATE001 = \"off\"\n"), 0o644)
	e.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{
		map[string]any{"uri": pathToURI(filepath.Join(dir, "pyproject.toml")), "type": fileChanged}}})
	e.waitFor("diagnostics cleared by the file", func() bool { return e.lastCount(uri) == 0 })
	// A broken file is reported, not fatal.
	os.WriteFile(filepath.Join(dir, ".stablestack.toml"), []byte("requests = [\n"), 0o644)
	e.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{
		map[string]any{"uri": pathToURI(filepath.Join(dir, ".stablestack.toml")), "type": fileCreated}}})
	e.waitFor("a warning about the broken file", func() bool { return e.logged("configuration file ignored") })
	e.shutdown()
}

// TestBrokenConfigFileDiagnostic checks that a broken configuration file
// gets one error diagnostic at the broken value, moves with the problem,
// and is cleared once the file is fixed.
func TestBrokenConfigFileDiagnostic(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"pyproject.toml": "[project]\nname = \"é\"\n\n[tool.stablestack]\nrequests = \"many\"\n",
	})
	e := newEditor(t)
	e.initialize(defaultCaps(), map[string]any{"workspaceFolders": []any{map[string]any{"uri": pathToURI(dir), "name": "w"}}})
	pyproject := pathToURI(filepath.Join(dir, "pyproject.toml"))
	var ds []diagnostic
	e.waitFor("a diagnostic on pyproject.toml", func() bool {
		p := e.publishes(pyproject)
		if len(p) == 0 {
			return false
		}
		ds = p[len(p)-1].Diagnostics
		return true
	})
	if len(ds) != 1 || ds[0].Severity != 1 || ds[0].Code != "config" || ds[0].Range.Start.Line != 4 || !strings.Contains(ds[0].Message, "requests") {
		t.Fatalf("diagnostics %+v, want one error on line 5 about requests", ds)
	}
	if ds[0].Range.Start.Character != 11 || ds[0].Range.End.Character != 17 {
		t.Errorf("range %+v, want the value \"many\" (characters 11-17)", ds[0].Range)
	}

	// The problem moves to another file: the first one is cleared.
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[tool.stablestack]\nrequests = 5\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".stablestack.toml"), []byte("window = [\n"), 0o644)
	e.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{
		map[string]any{"uri": pyproject, "type": fileChanged},
		map[string]any{"uri": pathToURI(filepath.Join(dir, ".stablestack.toml")), "type": fileCreated}}})
	dotfile := pathToURI(filepath.Join(dir, ".stablestack.toml"))
	e.waitFor("the diagnostic moved", func() bool { return e.lastCount(pyproject) == 0 && e.lastCount(dotfile) == 1 })

	// Fixed: cleared.
	os.WriteFile(filepath.Join(dir, ".stablestack.toml"), []byte("window = 30\n"), 0o644)
	e.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{
		map[string]any{"uri": dotfile, "type": fileChanged}}})
	e.waitFor("the diagnostic cleared", func() bool { return e.lastCount(dotfile) == 0 })
	if cfg := e.srv.engine.Config(); cfg.Requests != 5 || cfg.Window != 30 {
		t.Errorf("requests %d window %d after the fix, want 5 and 30", cfg.Requests, cfg.Window)
	}
	e.shutdown()
}

func TestSettingsFromInitializationOptions(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), map[string]any{"initializationOptions": map[string]any{
		"stablestack": map[string]any{"rules": map[string]any{"RATE001": "error"}},
	}})
	uri := "file:///w/app.py"
	e.open(uri, "python", appPy)
	if ds := e.diagnosticsAt(uri, 1); len(ds) != 1 || ds[0].Severity != int(analysis.SeverityError) {
		t.Fatalf("diagnostics %+v, want one error", ds)
	}
	// Pushed settings: the rule off, the open document republished.
	e.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"stablestack": map[string]any{"rules": map[string]any{"RATE001": "off"}}}})
	e.waitFor("diagnostics cleared by the settings", func() bool { return e.lastCount(uri) == 0 })
	e.shutdown()
}

func TestSettingsPulled(t *testing.T) {
	e := newEditor(t)
	e.configuration = func(json.RawMessage) any {
		return []any{map[string]any{"healthPaths": []string{"/items"}}}
	}
	e.initialize(defaultCaps(), nil)
	uri := "file:///w/app.py"
	e.waitFor("workspace/configuration", func() bool { return len(e.requestsOf("workspace/configuration")) == 1 })
	e.waitFor("settings applied", func() bool { return e.srv.engine.Config().IsHealthPath("/items") })
	e.open(uri, "python", appPy)
	if ds := e.diagnosticsAt(uri, 1); len(ds) != 0 {
		t.Fatalf("/items is a health path now: %v", codes(ds))
	}
	// "settings": null means "pull them again".
	e.configuration = func(json.RawMessage) any { return []any{map[string]any{}} }
	e.notify("workspace/didChangeConfiguration", map[string]any{"settings": nil})
	e.waitFor("diagnostics back", func() bool { return e.lastCount(uri) == 1 })
	e.shutdown()
}

func TestMalformedSettings(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), map[string]any{"initializationOptions": []int{1, 2}})
	e.waitFor("a warning about the settings", func() bool { return e.logged("settings ignored") })
	e.shutdown()
}

// TestConfigurationPerWorkspaceFolder opens the same code in two folders of
// one workspace, each with its own configuration: each file is checked with
// its folder's, and a broken file in one folder is reported on that file
// without affecting the other folder.
func TestConfigurationPerWorkspaceFolder(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a/pyproject.toml":    "[tool.stablestack.rules]\nRATE001 = \"error\"\n",
		"a/app.py":            appPy,
		"b/.stablestack.toml": "[rules]\nRATE001 = \"hint\"\n",
		"b/app.py":            appPy,
		"c/app.py":            appPy,
		"c/.stablestack.toml": "requests = [\n",
	})
	e := newEditor(t)
	folders := []any{}
	for _, name := range []string{"a", "b", "c"} {
		folders = append(folders, map[string]any{"uri": pathToURI(filepath.Join(dir, name)), "name": name})
	}
	e.initialize(defaultCaps(), map[string]any{"workspaceFolders": folders})
	want := map[string]int{"a": int(analysis.SeverityError), "b": int(analysis.SeverityHint), "c": int(analysis.SeverityWarning)}
	for _, name := range []string{"a", "b", "c"} {
		uri := pathToURI(filepath.Join(dir, name, "app.py"))
		e.open(uri, "python", appPy)
		if ds := e.diagnosticsAt(uri, 1); len(ds) != 1 || ds[0].Severity != want[name] {
			t.Errorf("%s/app.py: diagnostics %+v, want one with severity %d (its folder's configuration)", name, ds, want[name])
		}
	}
	broken := pathToURI(filepath.Join(dir, "c", ".stablestack.toml"))
	e.waitFor("the broken file reported", func() bool { return e.lastCount(broken) == 1 })
	if n := e.lastCount(pathToURI(filepath.Join(dir, "a", "pyproject.toml"))); n > 0 {
		t.Errorf("a/pyproject.toml has %d diagnostics, want none", n)
	}
	e.shutdown()
}
