package server

import (
	"testing"

	"github.com/segmentio/encoding/json"

	"github.com/stablestack/stablestack/analysis"
)

func TestBuildConfig(t *testing.T) {
	var es editorSettings
	raw := `{"requests": 10, "window": 0, "rules": {"RATE002": "off", "RATE001": {"severity": "error"}, "RATE999": "on"},
		"severity": {"unprotected-route": "hint"}, "exclude": ["tests/**"], "limiters": ["my_limit"], "healthPaths": ["/status"]}`
	if err := json.Unmarshal([]byte(raw), &es); err != nil {
		t.Fatal(err)
	}
	cfg, problems := buildConfig(analysis.DefaultConfig(), es)
	if cfg.Requests != 10 || cfg.Window != 60 {
		t.Errorf("requests/window %d/%d", cfg.Requests, cfg.Window)
	}
	if cfg.Enabled(analysis.InMemoryLimiter) {
		t.Error("RATE002 still enabled")
	}
	// "severity" is applied after "rules": the later setting wins.
	if got := cfg.SeverityOf(analysis.UnprotectedRoute); got != analysis.SeverityHint {
		t.Errorf("RATE001 severity %v", got)
	}
	if len(cfg.Exclude) != 1 || len(cfg.Limiters) != 1 || cfg.HealthPaths[0] != "/status" {
		t.Errorf("lists %+v", cfg)
	}
	if len(problems) != 2 { // window 0, RATE999
		t.Errorf("problems %v", problems)
	}
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
