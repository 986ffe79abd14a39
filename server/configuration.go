package server

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"sync"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/config"
)

// The configuration of a file is its workspace folder's files
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
	// problemURIs are the configuration files showing an error diagnostic.
	problemURIs map[string]bool // guarded by mu
	canPublish  bool            // guarded by mu: initialized was received
	pending     []error         // guarded by mu: the report held back until then
	hasPending  bool            // guarded by mu
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
// installs it, and re-indexes when the excluded paths changed. Each
// workspace folder has its own files; the first folder's configuration also
// applies to documents outside every folder (untitled buffers).
func (s *Server) loadConfig(reason string) {
	s.cfg.mu.Lock()
	settings := s.cfg.settings
	s.cfg.mu.Unlock()
	withSettings := func(base *analysis.Config) *analysis.Config {
		cfg, err := config.Overlay(base, settings)
		if err != nil {
			s.log.Warn("settings ignored", zap.Error(err))
		}
		return cfg
	}
	roots := s.engine.Roots()
	perRoot := map[string]*analysis.Config{}
	var problems []error
	for _, root := range roots {
		cfg, _, err := config.Load(root)
		if err != nil {
			s.log.Warn("configuration file ignored", zap.Error(err))
			problems = append(problems, err)
		}
		perRoot[root] = withSettings(cfg)
	}
	first := withSettings(analysis.DefaultConfig())
	if len(roots) > 0 {
		first = perRoot[roots[0]]
	}
	oldExcludes := s.excludesByRoot(roots)
	s.engine.SetConfig(first)
	s.engine.SetRootConfigs(perRoot)
	s.reportConfigProblems(problems)
	s.log.Info("configuration applied", zap.String("reason", reason))
	if s.life.isRunning() && !maps.EqualFunc(oldExcludes, s.excludesByRoot(roots), slices.Equal) {
		s.reindex("exclude patterns changed")
	}
}

// excludesByRoot are the exclude globs in force for each folder.
func (s *Server) excludesByRoot(roots []string) map[string][]string {
	out := map[string][]string{}
	for _, root := range roots {
		out[root] = s.engine.ConfigFor(root).Exclude
	}
	return out
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
