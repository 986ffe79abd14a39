package codeactions

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// TestNodePagesDefaultExport checks the Next.js Pages Router rewrite with a
// finding placed by hand, wherever the analyzer might put it (on the export
// or on the handler's definition), and the shapes the fix must decline. The
// golden tests (testdata/golden/node/nextjs_pages_*) cover the function,
// arrow, identifier and wrapper forms through the real analyzer.
func TestNodePagesDefaultExport(t *testing.T) {
	cases := []struct {
		name, file, at, src, want string // want "" means no fix
	}{{
		name: "async arrow, no semicolons", file: "pages/api/ping.js", at: "export default",
		src:  "export default async (req, res) => {\n  res.status(200).json({ pong: true })\n}\n",
		want: "import { withRateLimit } from '../../stablestack-rate-limiter.js'\n\nexport default withRateLimit(async (req, res) => {\n  res.status(200).json({ pong: true })\n}, { requests: 100, window: 60 })\n",
	}, {
		name: "typed arrow with semicolon", file: "pages/api/ping.ts", at: "export default",
		src:  "import type { NextApiRequest, NextApiResponse } from 'next';\n\nexport default (req: NextApiRequest, res: NextApiResponse) => {\n  res.status(200).json({ pong: true });\n};\n",
		want: "import type { NextApiRequest, NextApiResponse } from 'next';\nimport { withRateLimit } from '../../stablestack-rate-limiter';\n\nexport default withRateLimit((req: NextApiRequest, res: NextApiResponse) => {\n  res.status(200).json({ pong: true });\n}, { requests: 100, window: 60 });\n",
	}, {
		name: "finding at the handler definition, identifier export", file: "pages/api/a.js", at: "async (req",
		src:  "const handler = async (req, res) => {\n  res.end('ok');\n};\nexport default handler;\n",
		want: "import { withRateLimit } from '../../stablestack-rate-limiter.js';\n\nconst handler = async (req, res) => {\n  res.end('ok');\n};\nexport default withRateLimit(handler, { requests: 100, window: 60 });\n",
	}, {
		name: "declined: the function name is used elsewhere", file: "pages/api/b.js", at: "export default",
		src: "export default function handler(req, res) {\n  res.end('ok');\n}\nhandler.displayName = 'b';\n",
	}, {
		name: "declined: class default export", file: "pages/api/c.js", at: "export default",
		src: "export default class Handler {}\n",
	}, {
		name: "export clause, only specifier", file: "pages/api/d.js", at: "handler as default",
		src:  "function handler(req, res) {\n  res.end('ok');\n}\nexport { handler as default };\n",
		want: "import { withRateLimit } from '../../stablestack-rate-limiter.js';\n\nfunction handler(req, res) {\n  res.end('ok');\n}\nconst handlerWithRateLimit = withRateLimit(handler, { requests: 100, window: 60 });\nexport { handlerWithRateLimit as default };\n",
	}, {
		name: "export clause before the handler, no semicolons", file: "pages/api/e.js", at: "handler as default",
		src:  "const config = {}\nexport { handler as default, config }\nconst handler = (req, res) => {\n  res.end('ok')\n}\n",
		want: "import { withRateLimit } from '../../stablestack-rate-limiter.js'\n\nconst config = {}\nexport { handlerWithRateLimit as default, config }\nconst handler = (req, res) => {\n  res.end('ok')\n}\nconst handlerWithRateLimit = withRateLimit(handler, { requests: 100, window: 60 })\n",
	}, {
		name: "export clause on the handler's line", file: "pages/api/f.ts", at: "handler as default",
		src:  "const handler = async (req, res) => { res.end('ok') }; export { handler as default }\n",
		want: "import { withRateLimit } from '../../stablestack-rate-limiter';\n\nconst handler = async (req, res) => { res.end('ok') }; const handlerWithRateLimit = withRateLimit(handler, { requests: 100, window: 60 }); export { handlerWithRateLimit as default }\n",
	}, {
		name: "declined: the new name is taken", file: "pages/api/g.js", at: "handler as default",
		src: "const handlerWithRateLimit = 1;\nconst handler = (req, res) => res.end('ok');\nexport { handler as default };\n",
	}, {
		name: "fix-all leaves a re-exported default to its own quick fix", file: "pages/api/j.js", at: "default",
		src: "export { default } from '../../lib/handler';\n",
	}, {
		name: "fix-all leaves a handler re-exported as default to its own quick fix", file: "pages/api/h.js", at: "handler as default",
		src: "export { handler as default } from '../../lib/handler';\n",
	}, {
		name: "declined: no default export", file: "pages/api/i.js", at: "function",
		src: "export function handler(req, res) {\n  res.end('ok');\n}\n",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "package.json"), []byte(`{"name": "x"}`))
			path := filepath.Join(dir, filepath.FromSlash(c.file))
			writeFile(t, path, []byte(c.src))
			lang, _ := syntax.ForPath(path)
			at := strings.Index(c.src, c.at)
			if at < 0 {
				t.Fatalf("%q not in source", c.at)
			}
			f := analysis.Finding{Rule: analysis.UnprotectedRoute, Span: analysis.Span{Start: at, End: at + len(c.at)},
				Fix: map[string]string{"fix": "add-rate-limit", "framework": "nextjs-pages"}}
			a, ok := FixAll(Request{File: &analysis.File{Path: path, Lang: lang, Text: []byte(c.src)},
				Findings: []analysis.Finding{f}, CanCreateFiles: true})
			if c.want == "" {
				if ok && len(a.Edits) > 0 {
					t.Fatalf("want no fix, got %+v", a.Edits)
				}
				return
			}
			if !ok {
				t.Fatal("no fix")
			}
			wantApplied(t, lang, c.src, a.Edits, c.want)
		})
	}
}
