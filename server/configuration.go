package server

import (
	"context"
	"path/filepath"
	"slices"
	"sync"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/config"
)

// The configuration in force is the first workspace folder's files
// (pyproject.toml [tool.stablestack], package.json "stablestack",
// .stablestack.toml; analysis/config.Load) with the editor's settings on top
// (analysis/config.Overlay). Settings reach the server three ways:
// initializationOptions, the settings of workspace/didChangeConfiguration,
// and workspace/configuration (section "stablestack") for clients that
// support pulling them; all carry the keys of the files, optionally
// wrapped in {"stablestack": {...}}.

// settingsState remembers the editor's settings, to layer them again when
// a configuration file changes.
type settingsState struct {
	mu       sync.Mutex
	settings json.RawMessage // guarded by mu: the last valid settings object
	// problemURI is the configuration file showing an error diagnostic.
	problemURI string // guarded by mu
	canPublish bool   // guarded by mu: initialized was received
	pending    error  // guarded by mu: the report held back until then
	hasPending bool   // guarded by mu
}

// applySettings makes new editor settings part of the configuration.
// Malformed settings are reported and ignored.
func (s *Server) applySettings(raw json.RawMessage, from string) {
	if _, err := config.Overlay(nil, raw); err != nil {
		s.log.Warn("settings ignored", zap.String("from", from), zap.Error(err))
		return
	}
	s.cfg.mu.Lock()
	s.cfg.settings = append(json.RawMessage(nil), raw...)
	s.cfg.mu.Unlock()
	s.loadConfig(from)
}

// loadConfig rebuilds the configuration from the files and the settings,
// installs it, and re-indexes when the excluded paths changed.
func (s *Server) loadConfig(reason string) {
	base := analysis.DefaultConfig()
	var fileErr error
	if roots := s.engine.Roots(); len(roots) > 0 {
		cfg, _, err := config.Load(roots[0])
		if err != nil {
			s.log.Warn("configuration file ignored", zap.Error(err))
		}
		base, fileErr = cfg, err
	}
	s.cfg.mu.Lock()
	settings := s.cfg.settings
	s.cfg.mu.Unlock()
	cfg, err := config.Overlay(base, settings)
	if err != nil {
		s.log.Warn("settings ignored", zap.Error(err))
	}
	old := s.engine.Config()
	s.engine.SetConfig(cfg)
	s.reportConfigProblem(fileErr)
	s.log.Info("configuration applied", zap.String("reason", reason))
	if old != nil && !slices.Equal(old.Exclude, cfg.Exclude) && s.life.isRunning() {
		s.reindex("exclude patterns changed")
	}
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
var configFileNames = config.Files

func isConfigFile(path string) bool {
	return slices.Contains(configFileNames, filepath.Base(path))
}

// reloadConfig re-reads the configuration after a configuration file
// changed and rechecks the open documents.
func (s *Server) reloadConfig(reason string) {
	s.loadConfig(reason)
	s.recheckOpen()
}
