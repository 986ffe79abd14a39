package analysis

import "testing"

func TestMatchGlob(t *testing.T) {
	cases := []struct {
		pat, rel string
		want     bool
	}{
		{"tests/**", "tests/a/b.py", true},
		{"tests/", "tests/a.py", true},
		{"*.py", "deep/dir/x.py", true}, // no slash: base name at any depth
		{"*.py", "x.js", false},
		{"src/*.py", "src/a.py", true},
		{"src/*.py", "src/sub/a.py", false},
		{"**/migrations/**", "app/migrations/0001.py", true},
		{"legacy", "legacy/app.py", true}, // a directory name covers its contents
		{"/build.py", "build.py", true},
	}
	for _, c := range cases {
		if got := MatchGlob(c.pat, c.rel); got != c.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", c.pat, c.rel, got, c.want)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	c := DefaultConfig()
	if c.Requests != 100 || c.Window != 60 {
		t.Errorf("default limit %d/%d, want 100/60", c.Requests, c.Window)
	}
	if !c.IsHealthPath("/healthz") || !c.IsHealthPath("/ready/") || c.IsHealthPath("/login") {
		t.Error("health paths")
	}
	if !c.Enabled(UnprotectedRoute) || c.SeverityOf(UnprotectedRoute) != SeverityWarning {
		t.Error("rules are on with their default severity")
	}
	c.Rules = map[string]RuleSetting{"RATE001": {Severity: SeverityError}, "RATE002": {Disabled: true}}
	if c.SeverityOf(UnprotectedRoute) != SeverityError || c.Enabled(InMemoryLimiter) {
		t.Error("rule settings ignored")
	}
	c.Limiters = []string{"throttle"}
	if !c.IsLimiterName("security.throttle") || c.IsLimiterName("throttled") {
		t.Error("extra limiter names")
	}
}

func TestRuleTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if RuleByID(r.ID) != r || RuleByID(r.Name) != r {
			t.Errorf("RuleByID(%s)", r.ID)
		}
		if r.DocsURL() != DocsBase+r.ID+".md" {
			t.Errorf("docs URL %s", r.DocsURL())
		}
	}
	if RuleByID("RATE999") != nil {
		t.Error("unknown rule found")
	}
}

// TestIsHealthPathTrailingSlash: a probe matches with or without a final
// "/" on either side, and nothing else does.
func TestIsHealthPathTrailingSlash(t *testing.T) {
	c := &Config{HealthPaths: []string{"/healthz", "/ready/", "/", "/api/up"}}
	for p, want := range map[string]bool{
		"/healthz": true, "/healthz/": true, "/ready": true, "/ready/": true, "/": true, "": true,
		"/api/up": true, "/api/up/": true, "/health": false, "/healthzz": false, "/readyz": false,
		"//": false, "/api/upx": false, "/api": false, "healthz": false,
	} {
		if got := c.IsHealthPath(p); got != want {
			t.Errorf("IsHealthPath(%q) = %v, want %v", p, got, want)
		}
	}
}
