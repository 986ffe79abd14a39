package analysis

import (
	"path"
	"strings"
)

// Config is the user's configuration as the rules see it. Where it comes from
// ([tool.stablestack] in pyproject.toml, .stablestack.toml, package.json,
// editor settings) is the loader's business; a Config is immutable once built.
type Config struct {
	Rules map[string]RuleSetting // by rule ID

	// Requests and Window (seconds) are the limit the quick fixes write.
	Requests int
	Window   int

	// Exclude lists glob patterns (slash-separated, relative to the root) of
	// files never analyzed; "**" matches any number of directories.
	Exclude []string

	// Limiters are extra names (decorators, middleware, dependencies) that
	// count as rate-limit protection, for in-house limiters.
	Limiters []string

	// HealthPaths are route paths never reported as unprotected: probes are
	// hit by load balancers and must not be limited.
	HealthPaths []string
}

// RuleSetting is one rule's configuration.
type RuleSetting struct {
	Disabled bool
	Severity Severity // 0 means the rule's default
}

// DefaultHealthPaths are the probe routes skipped unless configured otherwise.
var DefaultHealthPaths = []string{"/health", "/healthz", "/health/", "/ready", "/readyz", "/readiness", "/live", "/livez", "/liveness", "/ping"}

// DefaultConfig is the configuration used when the user has none.
func DefaultConfig() *Config {
	return &Config{
		Requests:    100,
		Window:      60,
		HealthPaths: append([]string(nil), DefaultHealthPaths...),
	}
}

// Enabled reports whether the rule runs.
func (c *Config) Enabled(r *Rule) bool {
	return !c.Rules[r.ID].Disabled
}

// SeverityOf is the rule's effective severity.
func (c *Config) SeverityOf(r *Rule) Severity {
	if s := c.Rules[r.ID].Severity; s != 0 {
		return s
	}
	return r.Severity
}

// IsHealthPath reports whether a route path is a configured probe.
func (c *Config) IsHealthPath(p string) bool {
	// Asked for every open route on every keystroke: the length test
	// settles almost every pair without comparing.
	t := strings.TrimSuffix(p, "/")
	for _, h := range c.HealthPaths {
		if len(h) >= len(t) && len(h) <= len(t)+1 && (p == h || t == strings.TrimSuffix(h, "/")) {
			return true
		}
	}
	return false
}

// IsLimiterName reports whether a configured extra limiter name matches name,
// comparing the last dotted component too ("ratelimit.limit" matches "limit"
// only when configured so).
func (c *Config) IsLimiterName(name string) bool {
	for _, l := range c.Limiters {
		if name == l || strings.HasSuffix(name, "."+l) {
			return true
		}
	}
	return false
}

// Excluded reports whether rel (slash-separated, relative to the root) matches
// an exclude pattern.
func (c *Config) Excluded(rel string) bool {
	for _, pat := range c.Exclude {
		if MatchGlob(pat, rel) {
			return true
		}
	}
	return false
}

// MatchGlob matches slash-separated paths against a pattern where "**" spans
// directories, "*" and "?" stay within one, and a pattern without "/" matches
// the base name at any depth (as .gitignore does).
func MatchGlob(pattern, rel string) bool {
	pattern = strings.TrimPrefix(pattern, "./")
	if !strings.Contains(strings.TrimSuffix(pattern, "/"), "/") {
		pattern = "**/" + pattern
	}
	pattern = strings.TrimPrefix(pattern, "/")
	if strings.HasSuffix(pattern, "/") {
		pattern += "**"
	}
	return matchSegments(strings.Split(pattern, "/"), strings.Split(rel, "/"))
}

func matchSegments(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(segs); i++ {
				if matchSegments(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], segs[0]); !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	// A pattern naming a directory also covers what is inside it.
	return true
}
