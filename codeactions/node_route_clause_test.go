package codeactions

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// TestNodeRouteClause checks the App Router rewrite of handlers exported
// through an export clause, with findings placed by hand on the specifiers
// (the goldens nextjs_app_clause_* cover it through the real analyzer).
func TestNodeRouteClause(t *testing.T) {
	const imp = "import { withRateLimit } from '../../../stablestack-rate-limiter';\n\n"
	cases := []struct {
		name, src, want string   // want "" means no fix
		at              []string // a finding on each of these
	}{{
		name: "two handlers, one clause: two declarations in order",
		src:  "const a = async () => Response.json(1);\nconst b = async () => Response.json(2);\nexport { a as GET, b as POST };\n",
		at:   []string{"a as GET", "b as POST"},
		want: imp + "const a = async () => Response.json(1);\nconst b = async () => Response.json(2);\n" +
			"const aWithRateLimit = withRateLimit(a, { requests: 100, window: 60 });\nconst bWithRateLimit = withRateLimit(b, { requests: 100, window: 60 });\n" +
			"export { aWithRateLimit as GET, bWithRateLimit as POST };\n",
	}, {
		name: "only the flagged method is wrapped",
		src:  "const handler = async () => Response.json(1);\nexport { handler as GET, handler as POST };\n",
		at:   []string{"handler as GET"},
		want: imp + "const handler = async () => Response.json(1);\n" +
			"const handlerWithRateLimit = withRateLimit(handler, { requests: 100, window: 60 });\n" +
			"export { handlerWithRateLimit as GET, handler as POST };\n",
	}, {
		name: "on the handler's line",
		src:  "const handler = async () => Response.json(1); export { handler as GET };\n",
		at:   []string{"handler as GET"},
		want: imp + "const handler = async () => Response.json(1); const handlerWithRateLimit = withRateLimit(handler, { requests: 100, window: 60 }); export { handlerWithRateLimit as GET };\n",
	}, {
		name: "declined: the new name is taken",
		src:  "const handlerWithRateLimit = 1;\nconst handler = async () => Response.json(1);\nexport { handler as GET };\n",
		at:   []string{"handler as GET"},
	}, {
		name: "fix-all leaves a re-export to its own quick fix",
		src:  "export { GET } from '../../../lib/items';\n",
		at:   []string{"GET"},
	}, {
		name: "declined: a type-only clause",
		src:  "type GET = string;\nexport type { GET };\n",
		at:   []string{"GET }"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "package.json"), []byte(`{"name": "x", "dependencies": {"next": "14.2.0"}}`))
			path := filepath.Join(dir, "app", "api", "x", "route.ts")
			writeFile(t, path, []byte(c.src))
			lang, _ := syntax.ForPath(path)
			var findings []analysis.Finding
			for _, at := range c.at {
				off := strings.Index(c.src, at)
				if off < 0 {
					t.Fatalf("%q not in source", at)
				}
				findings = append(findings, analysis.Finding{Rule: analysis.UnprotectedRoute, Span: analysis.Span{Start: off, End: off + 1},
					Fix: map[string]string{"fix": "add-rate-limit", "framework": "nextjs-app"}})
			}
			a, ok := FixAll(Request{File: &analysis.File{Path: path, Lang: lang, Text: []byte(c.src)}, Findings: findings, CanCreateFiles: true})
			if c.want == "" {
				if ok && len(a.Edits) > 0 {
					t.Fatalf("want no fix, got %+v", a.Edits)
				}
				return
			}
			if !ok {
				t.Fatal("no fix")
			}
			if len(a.Fixes) != len(findings) {
				t.Errorf("the fix resolves %d findings, want %d", len(a.Fixes), len(findings))
			}
			wantApplied(t, lang, c.src, a.Edits, c.want)
		})
	}
}
