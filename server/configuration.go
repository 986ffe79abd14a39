package server

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
)

// Settings reach the server three ways: initializationOptions, the
// settings of workspace/didChangeConfiguration, and workspace/configuration
// (section "stablestack") for clients that support pulling them. All three
// carry the same object, optionally wrapped in {"stablestack": {...}}:
//
//	{"requests": 100, "window": 60,
//	 "rules": {"RATE002": "off", "RATE001": "error"},   // or {"enabled": false, "severity": "hint"}
//	 "severity": {"RATE001": "error"},
//	 "exclude": ["tests/**"], "limiters": ["my_limit"], "healthPaths": ["/status"]}

// editorSettings is that object.
type editorSettings struct {
	Requests    *int                       `json:"requests"`
	Window      *int                       `json:"window"`
	Rules       map[string]json.RawMessage `json:"rules"`
	Severity    map[string]string          `json:"severity"`
	Exclude     []string                   `json:"exclude"`
	Limiters    []string                   `json:"limiters"`
	HealthPaths []string                   `json:"healthPaths"`
}

// settingsState remembers the editor's settings, layered over the defaults
// whenever either changes.
type settingsState struct {
	mu       sync.Mutex
	settings editorSettings // guarded by mu
}

// applySettings decodes a settings object and makes it the configuration in
// force. Malformed settings are reported and ignored.
func (s *Server) applySettings(raw json.RawMessage, from string) {
	var wrapped struct {
		StableStack json.RawMessage `json:"stablestack"`
	}
	if err := json.Unmarshal(raw, &wrapped); err == nil && len(wrapped.StableStack) > 0 && string(wrapped.StableStack) != "null" {
		raw = wrapped.StableStack
	}
	var es editorSettings
	if err := json.Unmarshal(raw, &es); err != nil {
		s.log.Warn("settings ignored: not a settings object", zap.String("from", from), zap.Error(err))
		return
	}
	cfg, problems := buildConfig(analysis.DefaultConfig(), es)
	for _, p := range problems {
		s.log.Warn("setting ignored", zap.String("from", from), zap.String("problem", p))
	}
	s.cfg.mu.Lock()
	s.cfg.settings = es
	s.cfg.mu.Unlock()
	old := s.engine.Config()
	s.engine.SetConfig(cfg)
	s.log.Info("configuration applied", zap.String("from", from))
	if old != nil && !slices.Equal(old.Exclude, cfg.Exclude) && s.life.isRunning() {
		s.reindex("exclude patterns changed")
	}
}

// buildConfig layers editor settings over base (which is not modified).
func buildConfig(base *analysis.Config, es editorSettings) (*analysis.Config, []string) {
	cfg := *base
	cfg.Rules = map[string]analysis.RuleSetting{}
	for id, rs := range base.Rules {
		cfg.Rules[id] = rs
	}
	var problems []string
	if es.Requests != nil {
		if *es.Requests > 0 {
			cfg.Requests = *es.Requests
		} else {
			problems = append(problems, fmt.Sprintf("requests must be positive, got %d", *es.Requests))
		}
	}
	if es.Window != nil {
		if *es.Window > 0 {
			cfg.Window = *es.Window
		} else {
			problems = append(problems, fmt.Sprintf("window must be positive, got %d", *es.Window))
		}
	}
	for id, raw := range es.Rules {
		r := analysis.RuleByID(id)
		if r == nil {
			problems = append(problems, "unknown rule "+id)
			continue
		}
		rs, err := parseRuleSetting(raw, cfg.Rules[r.ID])
		if err != nil {
			problems = append(problems, r.ID+": "+err.Error())
			continue
		}
		cfg.Rules[r.ID] = rs
	}
	for id, sev := range es.Severity {
		r := analysis.RuleByID(id)
		if r == nil {
			problems = append(problems, "unknown rule "+id)
			continue
		}
		v, err := analysis.ParseSeverity(sev)
		if err != nil {
			problems = append(problems, r.ID+": "+err.Error())
			continue
		}
		rs := cfg.Rules[r.ID]
		rs.Severity = v
		cfg.Rules[r.ID] = rs
	}
	if es.Exclude != nil {
		cfg.Exclude = append([]string(nil), es.Exclude...)
	}
	if es.Limiters != nil {
		cfg.Limiters = append([]string(nil), es.Limiters...)
	}
	if es.HealthPaths != nil {
		cfg.HealthPaths = append([]string(nil), es.HealthPaths...)
	}
	return &cfg, problems
}

// parseRuleSetting reads "off", false, a severity name, or
// {"enabled": bool, "severity": name}.
func parseRuleSetting(raw json.RawMessage, rs analysis.RuleSetting) (analysis.RuleSetting, error) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		rs.Disabled = !b
		return rs, nil
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		switch strings.ToLower(strings.TrimSpace(str)) {
		case "off", "disabled", "none", "ignore":
			rs.Disabled = true
			return rs, nil
		case "on", "enabled":
			rs.Disabled = false
			return rs, nil
		}
		sev, err := analysis.ParseSeverity(str)
		if err != nil {
			return rs, err
		}
		rs.Disabled, rs.Severity = false, sev
		return rs, nil
	}
	var obj struct {
		Enabled  *bool  `json:"enabled"`
		Severity string `json:"severity"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return rs, fmt.Errorf("want \"off\", a severity, or {enabled, severity}")
	}
	if obj.Enabled != nil {
		rs.Disabled = !*obj.Enabled
	}
	if obj.Severity != "" {
		sev, err := analysis.ParseSeverity(obj.Severity)
		if err != nil {
			return rs, err
		}
		rs.Severity = sev
	}
	return rs, nil
}

// didChangeConfiguration applies pushed settings, or pulls them when the
// client sends none (the pull model clients use "settings": null).
func (s *Server) didChangeConfiguration(ctx context.Context, raw json.RawMessage) (any, error) {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, err
		}
	}
	if len(p.Settings) == 0 || string(p.Settings) == "null" || string(p.Settings) == "{}" {
		if s.caps.configurationPull {
			s.goBackground(func(ctx context.Context) {
				s.pullSettings(ctx)
				s.recheckOpen()
			})
		}
		return nil, nil
	}
	s.applySettings(p.Settings, "workspace/didChangeConfiguration")
	s.recheckOpen()
	return nil, nil
}

// pullSettings asks the client for the "stablestack" section.
func (s *Server) pullSettings(ctx context.Context) {
	if !s.caps.configurationPull {
		return
	}
	params := map[string]any{"items": []map[string]string{{"section": "stablestack"}}}
	var result []json.RawMessage
	if _, err := s.conn.Call(ctx, "workspace/configuration", params, &result); err != nil {
		s.log.Info("workspace/configuration failed", zap.Error(err))
		return
	}
	if len(result) > 0 && len(result[0]) > 0 && string(result[0]) != "null" {
		s.applySettings(result[0], "workspace/configuration")
	}
}

// configFileNames are the project files StableStack settings may live in.
var configFileNames = []string{"pyproject.toml", ".stablestack.toml", "stablestack.toml", "package.json"}

func isConfigFile(path string) bool {
	return slices.Contains(configFileNames, filepath.Base(path))
}

// reloadConfig re-reads the configuration after a configuration file
// changed and rechecks the open documents.
func (s *Server) reloadConfig(reason string) {
	s.cfg.mu.Lock()
	es := s.cfg.settings
	s.cfg.mu.Unlock()
	cfg, _ := buildConfig(analysis.DefaultConfig(), es)
	s.engine.SetConfig(cfg)
	s.log.Info("configuration reloaded", zap.String("reason", reason))
	s.recheckOpen()
}
