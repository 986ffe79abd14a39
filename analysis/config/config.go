// Package config builds an analysis.Config from the places users write it:
// [tool.stablestack] in pyproject.toml, a .stablestack.toml at the root, a
// "stablestack" key in package.json, and editor settings
// (initializationOptions, workspace/didChangeConfiguration). Every source
// uses the same keys:
//
//	requests = 100                     # limit the quick fixes write
//	window = 60                        # seconds
//	exclude = ["migrations/**"]        # globs relative to the root
//	limiters = ["my_throttle"]         # extra names that count as protection
//	health-paths = ["/status"]         # probes never reported (replaces the defaults)
//	[rules]                            # per rule: "off", a severity, or a table
//	RATE001 = "error"
//	RATE002 = { enabled = false }
//
// A broken file is an *Error with file, line and column: the server and the
// CLI show it as one diagnostic instead of silently using defaults.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// Files are the configuration files looked for in a root, in the order they
// are applied: later files override earlier ones key by key.
var Files = []string{"pyproject.toml", "package.json", ".stablestack.toml"}

// Error is a configuration problem at a place in a file. Line and Col are
// 1-based (Col counts characters); both are 0 for editor settings.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Load reads the configuration of a workspace root onto the defaults. It
// returns the files it used (for watching) and the first error; on error the
// returned Config is the defaults plus whatever was read before the error.
func Load(root string) (*analysis.Config, []string, error) {
	cfg := analysis.DefaultConfig()
	var used []string
	for _, name := range Files {
		path := filepath.Join(root, name)
		text, err := os.ReadFile(path)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return cfg, used, &Error{File: path, Msg: err.Error()}
		}
		table, found, err := section(path, name, text)
		if err != nil {
			return cfg, used, err
		}
		if !found {
			continue
		}
		used = append(used, path)
		if err := apply(cfg, path, table); err != nil {
			return cfg, used, err
		}
	}
	return cfg, used, nil
}

// section extracts the stablestack table of one file; found is false when
// the file has none (a pyproject.toml for other tools).
func section(path, name string, text []byte) (map[string]value, bool, error) {
	switch name {
	case "package.json":
		doc, err := decodeJSON(path, text)
		if err != nil {
			return nil, false, err
		}
		v, ok := doc["stablestack"]
		if !ok {
			return nil, false, nil
		}
		t, ok := v.v.(map[string]value)
		if !ok {
			return nil, false, &Error{File: path, Line: v.line, Col: v.col, Msg: `"stablestack" must be an object`}
		}
		return t, true, nil
	case "pyproject.toml":
		doc, err := decodeTOML(path, text)
		if err != nil {
			return nil, false, err
		}
		tool, ok := doc["tool"].v.(map[string]value)
		if !ok {
			return nil, false, nil
		}
		v, ok := tool["stablestack"]
		if !ok {
			return nil, false, nil
		}
		t, ok := v.v.(map[string]value)
		if !ok {
			return nil, false, &Error{File: path, Line: v.line, Col: v.col, Msg: "tool.stablestack must be a table"}
		}
		return t, true, nil
	default: // .stablestack.toml: the whole file is the table
		doc, err := decodeTOML(path, text)
		return doc, err == nil, err
	}
}

// apply sets cfg's fields from one source's table, validating every key.
func apply(cfg *analysis.Config, file string, t map[string]value) error {
	bad := func(v value, format string, args ...any) error {
		return &Error{File: file, Line: v.line, Col: v.col, Msg: fmt.Sprintf(format, args...)}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic: the first error is always the same one
	for _, k := range keys {
		v := t[k]
		switch settingKey(k) {
		case "requests", "window":
			n, ok := v.v.(int64)
			if f, isFloat := v.v.(float64); isFloat && f == float64(int64(f)) {
				n, ok = int64(f), true // JSON numbers
			}
			if !ok || n <= 0 {
				return bad(v, "%s must be a positive integer", k)
			}
			if settingKey(k) == "requests" {
				cfg.Requests = int(n)
			} else {
				cfg.Window = int(n)
			}
		case "exclude":
			list, err := stringList(v, file, k)
			if err != nil {
				return err
			}
			cfg.Exclude = list
		case "limiters", "extra-limiters":
			list, err := stringList(v, file, k)
			if err != nil {
				return err
			}
			cfg.Limiters = list
		case "health-paths":
			list, err := stringList(v, file, k)
			if err != nil {
				return err
			}
			cfg.HealthPaths = list
		case "rules":
			rules, ok := v.v.(map[string]value)
			if !ok {
				return bad(v, "rules must be a table of rule settings")
			}
			if err := applyRules(cfg, file, rules); err != nil {
				return err
			}
		case "severity":
			// Editors' settings UI: {"RATE001": "error"}, severity only, so a
			// rule turned off under "rules" stays off.
			sevs, ok := v.v.(map[string]value)
			if !ok {
				return bad(v, "severity must map rule IDs to error, warning, info or hint")
			}
			if err := applySeverities(cfg, file, sevs); err != nil {
				return err
			}
		case "path", "args", "trace", "trace.server":
			// How the client starts the server; sent along with the section.
			if file != EditorSettings {
				return bad(v, "unknown setting %q (it belongs in the editor's settings)", k)
			}
		default:
			return bad(v, "unknown setting %q (known: requests, window, exclude, limiters, health-paths, rules, severity)", k)
		}
	}
	return nil
}

func applySeverities(cfg *analysis.Config, file string, sevs map[string]value) error {
	next := map[string]analysis.RuleSetting{}
	for id, s := range cfg.Rules {
		next[id] = s
	}
	for id, v := range sevs {
		r := analysis.RuleByID(id)
		if r == nil {
			return &Error{File: file, Line: v.line, Col: v.col, Msg: fmt.Sprintf("unknown rule %q", id)}
		}
		str, _ := v.v.(string)
		sev, err := analysis.ParseSeverity(str)
		if err != nil {
			return &Error{File: file, Line: v.line, Col: v.col, Msg: err.Error()}
		}
		s := next[r.ID]
		s.Severity = sev
		next[r.ID] = s
	}
	cfg.Rules = next
	return nil
}

func applyRules(cfg *analysis.Config, file string, rules map[string]value) error {
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	next := map[string]analysis.RuleSetting{}
	for id, s := range cfg.Rules {
		next[id] = s
	}
	for _, id := range ids {
		v := rules[id]
		r := analysis.RuleByID(id)
		if r == nil {
			return &Error{File: file, Line: v.line, Col: v.col, Msg: fmt.Sprintf("unknown rule %q", id)}
		}
		s := next[r.ID]
		if err := ruleSetting(&s, v, file); err != nil {
			return err
		}
		next[r.ID] = s
	}
	cfg.Rules = next
	return nil
}

// ruleSetting reads "off"/"on"/a severity, a boolean, or a table with
// enabled and severity.
func ruleSetting(s *analysis.RuleSetting, v value, file string) error {
	bad := func(at value, msg string) error {
		return &Error{File: file, Line: at.line, Col: at.col, Msg: msg}
	}
	switch x := v.v.(type) {
	case bool:
		s.Disabled = !x
	case string:
		switch strings.ToLower(x) {
		case "off", "false", "disabled", "none":
			s.Disabled = true
		case "on", "true", "enabled":
			s.Disabled = false
		default:
			sev, err := analysis.ParseSeverity(x)
			if err != nil {
				return bad(v, err.Error()+`, or "off"`)
			}
			s.Disabled, s.Severity = false, sev
		}
	case map[string]value:
		for k, f := range x {
			switch k {
			case "enabled":
				b, ok := f.v.(bool)
				if !ok {
					return bad(f, "enabled must be true or false")
				}
				s.Disabled = !b
			case "severity":
				str, _ := f.v.(string)
				sev, err := analysis.ParseSeverity(str)
				if err != nil {
					return bad(f, err.Error())
				}
				s.Severity = sev
			default:
				return bad(f, fmt.Sprintf("unknown rule setting %q (known: enabled, severity)", k))
			}
		}
	default:
		return bad(v, `a rule setting is "off", a severity, true/false or { enabled, severity }`)
	}
	return nil
}

func stringList(v value, file, key string) ([]string, error) {
	list, ok := v.v.([]value)
	if !ok {
		return nil, &Error{File: file, Line: v.line, Col: v.col, Msg: key + " must be a list of strings"}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.v.(string)
		if !ok {
			return nil, &Error{File: file, Line: e.line, Col: e.col, Msg: key + " must be a list of strings"}
		}
		out = append(out, s)
	}
	return out, nil
}
