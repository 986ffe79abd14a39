package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stablestack/stablestack/analysis"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadPyproject(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"pyproject.toml": `
[project]
name = "shop"

[tool.black]
line-length = 100

[tool.stablestack]
requests = 30
window = 10
exclude = ["migrations/**", 'scripts/']
limiters = ["company_throttle"]
health_paths = ["/status"]

[tool.stablestack.rules]
RATE001 = "error"
RATE002 = { enabled = false }
`})
	cfg, used, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(used) != 1 {
		t.Fatalf("used %v", used)
	}
	if cfg.Requests != 30 || cfg.Window != 10 {
		t.Errorf("requests/window = %d/%d", cfg.Requests, cfg.Window)
	}
	if !reflect.DeepEqual(cfg.Exclude, []string{"migrations/**", "scripts/"}) || !reflect.DeepEqual(cfg.Limiters, []string{"company_throttle"}) ||
		!reflect.DeepEqual(cfg.HealthPaths, []string{"/status"}) {
		t.Errorf("lists: %+v", cfg)
	}
	if cfg.SeverityOf(analysis.UnprotectedRoute) != analysis.SeverityError || cfg.Enabled(analysis.InMemoryLimiter) {
		t.Errorf("rules: %+v", cfg.Rules)
	}
}

func TestPyprojectWithoutSection(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"pyproject.toml": "[tool.ruff]\nline-length = 88\n"})
	cfg, used, err := Load(dir)
	if err != nil || len(used) != 0 || cfg.Requests != 100 {
		t.Fatalf("cfg %+v used %v err %v", cfg, used, err)
	}
}

// Later files override earlier ones key by key: .stablestack.toml wins.
func TestLoadOrder(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"pyproject.toml":    "[tool.stablestack]\nrequests = 30\nwindow = 5\n",
		"package.json":      `{"name": "web", "stablestack": {"requests": 50, "healthPaths": ["/up"], "rules": {"RATE002": "warning"}}}`,
		".stablestack.toml": "requests = 70\nrules.RATE001 = false\n",
	})
	cfg, used, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(used) != 3 || cfg.Requests != 70 || cfg.Window != 5 || !reflect.DeepEqual(cfg.HealthPaths, []string{"/up"}) {
		t.Errorf("cfg %+v used %v", cfg, used)
	}
	if cfg.Enabled(analysis.UnprotectedRoute) || !cfg.Enabled(analysis.InMemoryLimiter) {
		t.Errorf("rules %+v", cfg.Rules)
	}
}

func TestErrorsHavePositions(t *testing.T) {
	cases := []struct {
		name, file, text string
		line, col        int
	}{
		{"toml syntax", ".stablestack.toml", "requests = 10\nwindow = = 3\n", 2, 8},
		{"unknown key", "pyproject.toml", "[tool.stablestack]\nrequest = 10\n", 2, 11},
		{"wrong type", ".stablestack.toml", "exclude = \"migrations\"\n", 1, 11},
		{"bad severity", ".stablestack.toml", "[rules]\nRATE001 = \"loud\"\n", 2, 11},
		{"unknown rule", ".stablestack.toml", "[rules]\nRATE999 = \"off\"\n", 2, 11},
		{"json syntax", "package.json", "{\n  \"stablestack\": {\"requests\": 10,}\n}\n", 2, 34},
		{"json type", "package.json", "{\n  \"stablestack\": {\"window\": \"60\"}\n}\n", 2, 29},
		{"duplicate key", ".stablestack.toml", "requests = 1\nrequests = 2\n", 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, map[string]string{c.file: c.text})
			_, _, err := Load(dir)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.File != filepath.Join(dir, c.file) || e.Line != c.line || e.Col != c.col {
				t.Errorf("error at %s:%d:%d (%s), want line %d col %d", e.File, e.Line, e.Col, e.Msg, c.line, c.col)
			}
		})
	}
}

func TestOverlay(t *testing.T) {
	base := analysis.DefaultConfig()
	base.Limiters = []string{"from_file"}
	cfg, err := Overlay(base, []byte(`{"stablestack": {"requests": 5, "extraLimiters": ["guard"], "rules": {"RATE001": {"severity": "hint"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Requests != 5 || !reflect.DeepEqual(cfg.Limiters, []string{"guard"}) || cfg.SeverityOf(analysis.UnprotectedRoute) != analysis.SeverityHint {
		t.Errorf("overlay: %+v", cfg)
	}
	if base.Requests != 100 || !reflect.DeepEqual(base.Limiters, []string{"from_file"}) || len(base.Rules) != 0 {
		t.Errorf("base modified: %+v", base)
	}
	if same, err := Overlay(base, []byte("null")); err != nil || same != base {
		t.Errorf("null settings: %v %v", same, err)
	}
	if _, err := Overlay(base, []byte(`{"window": -1}`)); err == nil || err.Error() != "editor settings: window must be a positive integer" {
		t.Errorf("err = %v", err)
	}
}

// TestTrailingCommentsAfterValues: a comment after a value (an array in
// particular, which the grammar attaches to the pair) is not the value.
func TestTrailingCommentsAfterValues(t *testing.T) {
	dir := t.TempDir()
	data := "[tool.stablestack]\nrequests = 7   # the limit\nlimiters = [\"throttle\"]   # in-house names\nexclude = [\n  \"tests/**\",  # tests\n]\n"
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Requests != 7 || len(cfg.Limiters) != 1 || cfg.Limiters[0] != "throttle" || len(cfg.Exclude) != 1 {
		t.Fatalf("got requests=%d limiters=%v exclude=%v", cfg.Requests, cfg.Limiters, cfg.Exclude)
	}
}

// TestOverlayEditorSettingsShape: what the VS Code extension and the Neovim
// module actually send, including client-only keys.
func TestOverlayEditorSettingsShape(t *testing.T) {
	settings := `{"stablestack": {"requests": 5, "window": 10, "severity": {"RATE001": "error"},
		"rules": {"RATE002": false}, "path": "", "args": [], "trace": {"server": "off"}}}`
	cfg, err := Overlay(nil, []byte(settings))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Requests != 5 || cfg.Window != 10 {
		t.Errorf("limit %d/%d", cfg.Requests, cfg.Window)
	}
	if cfg.SeverityOf(analysis.UnprotectedRoute) != analysis.SeverityError {
		t.Error("severity map ignored")
	}
	if cfg.Enabled(analysis.InMemoryLimiter) {
		t.Error("rules: RATE002 false ignored")
	}
	if _, err := Overlay(nil, []byte(`{"severity": {"RATE001": "loud"}}`)); err == nil {
		t.Error("a bad severity was accepted")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".stablestack.toml"), []byte("path = \"/bin/x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(dir); err == nil {
		t.Error("a client-only key was accepted in a project file")
	}
}
