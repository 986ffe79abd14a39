// Package analysis finds rate-limiting problems in source files. It knows
// nothing of the LSP: the server and the CLI both turn its Findings into their
// own output.
//
// The design has two layers so that edits stay cheap and cross-file facts
// work without keeping trees around:
//
//   - a language Frontend summarizes one file into Facts (routes, apps,
//     limiters, counters, imports: small values, no syntax trees);
//   - a Rule's check for that language reads the Facts of the file being
//     checked plus the Facts of the rest of the Workspace (a router defined in
//     one file and mounted in another) and reports Findings.
//
// This file is the one table of rules; everything else refers to them.
package analysis

import (
	"fmt"
	"strings"
	"sync"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// DocsBase is where the rule pages (docs/rules/<ID>.md) are published.
const DocsBase = "https://github.com/stablestack/stablestack/blob/main/docs/rules/"

// Rule is one kind of problem StableStack reports.
type Rule struct {
	ID       string   // stable code shown to users, e.g. "RATE001"
	Name     string   // kebab-case name, e.g. "unprotected-route"
	Title    string   // one line for rule lists (SARIF, docs)
	Severity Severity // default; configuration may override

	mu     sync.RWMutex
	checks map[syntax.Language]CheckFunc
}

// The rules. A rule's ID appears in this table and nowhere else in code.
var (
	UnprotectedRoute = &Rule{
		ID:       "RATE001",
		Name:     "unprotected-route",
		Title:    "API route without rate limiting",
		Severity: SeverityWarning,
	}
	InMemoryLimiter = &Rule{
		ID:       "RATE002",
		Name:     "in-memory-rate-limiter",
		Title:    "Rate limiter or request counter kept in process memory",
		Severity: SeverityWarning,
	}
)

// Rules lists every rule in ID order.
var Rules = []*Rule{UnprotectedRoute, InMemoryLimiter}

// RuleByID finds a rule by its ID (case-insensitive) or name.
func RuleByID(id string) *Rule {
	for _, r := range Rules {
		if strings.EqualFold(r.ID, id) || r.Name == id {
			return r
		}
	}
	return nil
}

// DocsURL is the page explaining the rule: what, why, how to fix.
func (r *Rule) DocsURL() string { return DocsBase + r.ID + ".md" }

// CheckFunc reports a rule's findings in one file. It must only read f and ws
// (both immutable) and must be cheap: it runs after every edit.
type CheckFunc func(f *File, ws Workspace, cfg *Config) []Finding

// Implement registers the rule's check for a language. Language packages call
// it from init, so linking a language package is what enables it.
func (r *Rule) Implement(l syntax.Language, fn CheckFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checks == nil {
		r.checks = map[syntax.Language]CheckFunc{}
	}
	if _, dup := r.checks[l]; dup {
		panic(fmt.Sprintf("analysis: %s implemented twice for %s", r.ID, l))
	}
	r.checks[l] = fn
}

// Check returns the rule's check for a language, or nil.
func (r *Rule) Check(l syntax.Language) CheckFunc {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.checks[l]
}

// Languages lists the languages the rule is implemented for.
func (r *Rule) Languages() []syntax.Language {
	var out []syntax.Language
	for _, l := range syntax.Languages {
		if r.Check(l) != nil {
			out = append(out, l)
		}
	}
	return out
}
