package codeactions

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// TestNodeRateLimitEdits checks the Node RATE001 rewrite on its own, with a
// finding placed by hand at the route registration: the import style, the
// argument placement and the framework forms. (The golden tests cover the
// same through the real analyzer.)
func TestNodeRateLimitEdits(t *testing.T) {
	cases := []struct {
		name, file, framework, at, src, want string
	}{{
		name: "express commonjs", file: "app.js", framework: "express", at: "app.post",
		src:  "const express = require('express');\nconst app = express();\n\napp.post('/login', (req, res) => res.send('ok'));\n",
		want: "const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\nconst app = express();\n\napp.post('/login', rateLimit({ requests: 100, window: 60 }), (req, res) => res.send('ok'));\n",
	}, {
		name: "express esm double quotes no semicolons", file: "app.mjs", framework: "express", at: "router.get",
		src:  "import express from \"express\"\nimport { auth } from \"./auth.js\"\n\nconst router = express.Router()\nrouter.get(\"/me\", auth, (req, res) => res.json({}))\n",
		want: "import express from \"express\"\nimport { auth } from \"./auth.js\"\nimport { rateLimit } from \"./stablestack-rate-limiter.js\"\n\nconst router = express.Router()\nrouter.get(\"/me\", rateLimit({ requests: 100, window: 60 }), auth, (req, res) => res.json({}))\n",
	}, {
		name: "express existing import extended", file: "app.js", framework: "express", at: "app.put",
		src:  "const { createLimiter } = require('./stablestack-rate-limiter');\nconst app = require('express')();\napp.put('/x', h);\n",
		want: "const { createLimiter, rateLimit } = require('./stablestack-rate-limiter');\nconst app = require('express')();\napp.put('/x', rateLimit({ requests: 100, window: 60 }), h);\n",
	}, {
		name: "express one argument per line", file: "app.js", framework: "express", at: "app.delete",
		src:  "const express = require('express');\nconst app = express();\napp.delete(\n  '/items/:id',\n  async (req, res) => {\n    res.end();\n  },\n);\n",
		want: "const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\nconst app = express();\napp.delete(\n  '/items/:id',\n  rateLimit({ requests: 100, window: 60 }),\n  async (req, res) => {\n    res.end();\n  },\n);\n",
	}, {
		name: "hono typescript", file: "src/index.ts", framework: "hono", at: "app.post",
		src:  "import { Hono } from 'hono'\n\nconst app = new Hono()\napp.post('/login', (c) => c.text('ok'))\n\nexport default app\n",
		want: "import { Hono } from 'hono'\nimport { honoRateLimit } from '../stablestack-rate-limiter'\n\nconst app = new Hono()\napp.post('/login', honoRateLimit({ requests: 100, window: 60 }), (c) => c.text('ok'))\n\nexport default app\n",
	}, {
		name: "fastify shorthand", file: "server.js", framework: "fastify", at: "fastify.post",
		src:  "'use strict';\n\nconst fastify = require('fastify')();\n\nfastify.post('/login', async (request, reply) => ({ ok: true }));\n",
		want: "'use strict';\n\nconst fastify = require('fastify')();\nconst { fastifyRateLimit } = require('./stablestack-rate-limiter');\n\nfastify.post('/login', { onRequest: fastifyRateLimit({ requests: 100, window: 60 }) }, async (request, reply) => ({ ok: true }));\n",
	}, {
		name: "fastify options object", file: "server.js", framework: "fastify", at: "fastify.get",
		src:  "const fastify = require('fastify')();\nfastify.get('/x', { schema: {} }, async () => 'x');\n",
		want: "const fastify = require('fastify')();\nconst { fastifyRateLimit } = require('./stablestack-rate-limiter');\nfastify.get('/x', { onRequest: fastifyRateLimit({ requests: 100, window: 60 }), schema: {} }, async () => 'x');\n",
	}, {
		name: "fastify route with a hook", file: "server.js", framework: "fastify", at: "fastify.route",
		src:  "const fastify = require('fastify')();\nfastify.route({\n  method: 'POST',\n  url: '/x',\n  onRequest: auth,\n  handler: async () => 'x',\n});\n",
		want: "const fastify = require('fastify')();\nconst { fastifyRateLimit } = require('./stablestack-rate-limiter');\nfastify.route({\n  method: 'POST',\n  url: '/x',\n  onRequest: [fastifyRateLimit({ requests: 100, window: 60 }), auth],\n  handler: async () => 'x',\n});\n",
	}, {
		name: "next.js function export", file: "app/api/login/route.ts", framework: "nextjs-app", at: "export async",
		src:  "import { NextResponse } from 'next/server';\n\nexport async function POST(req: Request) {\n  return NextResponse.json({ ok: true });\n}\n",
		want: "import { NextResponse } from 'next/server';\nimport { withRateLimit } from '../../../stablestack-rate-limiter';\n\nexport const POST = withRateLimit(async function POST(req: Request) {\n  return NextResponse.json({ ok: true });\n}, { requests: 100, window: 60 });\n",
	}, {
		name: "next.js arrow export", file: "app/api/items/route.js", framework: "nextjs-app", at: "export const",
		src:  "export const GET = async (req) => Response.json([])\n",
		want: "import { withRateLimit } from '../../../stablestack-rate-limiter.js'\n\nexport const GET = withRateLimit(async (req) => Response.json([]), { requests: 100, window: 60 })\n",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string][]byte{c.file: []byte(c.src)}
			if strings.Contains(c.file, "/") {
				files["package.json"] = []byte(`{"name": "x"}`)
			}
			dir := t.TempDir()
			for name, data := range files {
				writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), data)
			}
			path := filepath.Join(dir, filepath.FromSlash(c.file))
			lang, _ := syntax.ForPath(path)
			at := strings.Index(c.src, c.at)
			if at < 0 {
				t.Fatalf("%q not in source", c.at)
			}
			f := analysis.Finding{Rule: analysis.UnprotectedRoute, Span: analysis.Span{Start: at, End: at + len(c.at)},
				Fix: map[string]string{"fix": "add-rate-limit", "framework": c.framework}}
			a, ok := FixAll(Request{File: &analysis.File{Path: path, Lang: lang, Text: []byte(c.src)},
				Findings: []analysis.Finding{f}, CanCreateFiles: true})
			if !ok {
				t.Fatal("no fix")
			}
			wantApplied(t, lang, c.src, a.Edits, c.want)
		})
	}
}

// wantApplied applies a fix's edits to src and requires want, with no
// syntax error.
func wantApplied(t *testing.T, lang syntax.Language, src string, edits []Edit, want string) {
	t.Helper()
	got, err := Apply([]byte(src), edits)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if parseErrors(t, lang, got) {
		t.Errorf("fixed code has syntax errors")
	}
}
