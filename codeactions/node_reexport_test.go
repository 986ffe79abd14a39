package codeactions

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// TestNodeReexport checks the re-export quick fix with findings placed by
// hand (the goldens nextjs_*_reexport_* and the run test cover it through
// the analyzer): the forms it rewrites, the ones it declines, and that
// fix-all leaves it out (it replaces a statement).
func TestNodeReexport(t *testing.T) {
	const title = "Wrap the re-exported handler with a rate limit (100 requests / 60 s)"
	cases := []struct {
		name, file, framework, src, want string // want "" means no such fix
		at                               []string
	}{{
		name: "App Router, one of two methods, renamed export", file: "app/api/x/route.ts", framework: "nextjs-app",
		src:  "export { list as GET, POST } from '../../../lib/items';\n",
		at:   []string{"list as GET"},
		want: "import { withRateLimit } from '../../../stablestack-rate-limiter';\n\nimport { list as GETHandler } from '../../../lib/items';\nexport { POST } from '../../../lib/items';\nexport const GET = withRateLimit(GETHandler, { requests: 100, window: 60 });\n",
	}, {
		name: "App Router, a default export re-exported as a method", file: "app/api/x/route.js", framework: "nextjs-app",
		src:  "export { default as POST } from '../../../lib/login.js'\n",
		at:   []string{"default as POST"},
		want: "import { withRateLimit } from '../../../stablestack-rate-limiter.js'\n\nimport { default as POSTHandler } from '../../../lib/login.js'\nexport const POST = withRateLimit(POSTHandler, { requests: 100, window: 60 })\n",
	}, {
		name: "Pages Router, a named handler re-exported as default", file: "pages/api/h.js", framework: "nextjs-pages",
		src:  "export { login as default } from '../../lib/handlers';\n",
		at:   []string{"login as default"},
		want: "import { withRateLimit } from '../../stablestack-rate-limiter.js';\n\nimport { login as handler } from '../../lib/handlers';\nexport default withRateLimit(handler, { requests: 100, window: 60 });\n",
	}, {
		name: "declined: the local name is taken", file: "pages/api/h.js", framework: "nextjs-pages",
		src: "export { default } from '../../lib/handlers';\nconst handler = 1;\n",
		at:  []string{"default"},
	}, {
		name: "declined: a namespace re-export", file: "app/api/x/route.ts", framework: "nextjs-app",
		src: "export * from '../../../lib/items';\n",
		at:  []string{"*"},
	}, {
		name: "declined: a type-only re-export", file: "app/api/x/route.ts", framework: "nextjs-app",
		src: "export type { GET } from '../../../lib/items';\n",
		at:  []string{"GET"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "package.json"), []byte(`{"name": "x", "dependencies": {"next": "14.2.0"}}`))
			path := filepath.Join(dir, filepath.FromSlash(c.file))
			writeFile(t, path, []byte(c.src))
			lang, _ := syntax.ForPath(path)
			var findings []analysis.Finding
			for _, at := range c.at {
				off := strings.Index(c.src, at)
				findings = append(findings, analysis.Finding{Rule: analysis.UnprotectedRoute, Span: analysis.Span{Start: off, End: off + 1},
					Fix: map[string]string{"fix": "add-rate-limit", "framework": c.framework}})
			}
			req := Request{File: &analysis.File{Path: path, Lang: lang, Text: []byte(c.src)}, Findings: findings,
				Span: findings[0].Span, CanCreateFiles: true}
			if all, ok := FixAll(req); ok && len(all.Edits) > 0 {
				t.Fatalf("fix-all took the re-export rewrite: %+v", all.Edits)
			}
			var got *Action
			for _, a := range Actions(req) {
				if a.Title == title {
					got = &a
				}
			}
			if c.want == "" {
				if got != nil {
					t.Fatalf("want no re-export fix, got %+v", got.Edits)
				}
				return
			}
			if got == nil {
				t.Fatal("no re-export fix offered")
			}
			wantApplied(t, lang, c.src, got.Edits, c.want)
		})
	}
}
