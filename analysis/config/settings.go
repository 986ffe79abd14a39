package config

import (
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// EditorSettings names editor settings in errors (they have no file).
const EditorSettings = "editor settings"

// Overlay applies editor settings (the JSON of initializationOptions or of
// workspace/didChangeConfiguration's settings) on top of base, which is not
// modified. The keys are those of the files, also in camelCase
// (healthPaths) and wrapped in {"stablestack": {...}} as VS Code sends its
// section. Empty or null settings return base unchanged.
func Overlay(base *analysis.Config, settings []byte) (*analysis.Config, error) {
	if base == nil {
		base = analysis.DefaultConfig()
	}
	trimmed := strings.TrimSpace(string(settings))
	if trimmed == "" || trimmed == "null" || trimmed == "{}" {
		return base, nil
	}
	doc, err := decodeJSON(EditorSettings, settings)
	if err != nil {
		return base, err
	}
	if inner, ok := doc["stablestack"].v.(map[string]value); ok && len(doc) == 1 {
		doc = inner
	}
	cfg := clone(base)
	if err := apply(cfg, EditorSettings, doc); err != nil {
		if e, ok := err.(*Error); ok {
			e.Line, e.Col = 0, 0
		}
		return base, err
	}
	return cfg, nil
}

// clone copies a Config deeply enough that applying settings to the copy
// leaves the original (shared with running checks) untouched.
func clone(c *analysis.Config) *analysis.Config {
	out := *c
	out.Rules = map[string]analysis.RuleSetting{}
	for k, v := range c.Rules {
		out.Rules[k] = v
	}
	out.Exclude = append([]string(nil), c.Exclude...)
	out.Limiters = append([]string(nil), c.Limiters...)
	out.HealthPaths = append([]string(nil), c.HealthPaths...)
	return &out
}

// settingKey normalizes "health_paths", "healthPaths" and "Health-Paths" to
// "health-paths".
func settingKey(k string) string {
	var b strings.Builder
	for i, r := range k {
		switch {
		case r == '_':
			b.WriteByte('-')
		case r >= 'A' && r <= 'Z':
			if i > 0 && k[i-1] != '-' && k[i-1] != '_' && !(k[i-1] >= 'A' && k[i-1] <= 'Z') {
				b.WriteByte('-')
			}
			b.WriteRune(r + 'a' - 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
