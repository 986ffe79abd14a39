package javascript_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/internal/txtar"
)

// project writes files into a temporary directory.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// check indexes dir and returns every finding, rendered with its fix map.
func check(t *testing.T, dir string, cfg *analysis.Config, noPrefilter bool) []string {
	t.Helper()
	e := engine.New(cfg)
	e.SetRoots([]string{dir})
	indexed, err := e.Index(context.Background(), []string{dir}, engine.IndexOptions{
		NoPrefilter: noPrefilter,
		Keep:        func(engine.SourceFile) bool { return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ix := range indexed {
		if ix.File == nil {
			continue
		}
		for _, fd := range e.Check(ix.File) {
			var fix []string
			for k, v := range fd.Fix {
				fix = append(fix, k+"="+v)
			}
			sort.Strings(fix)
			out = append(out, fmt.Sprintf("%s:%d %s %s {%s}", ix.Rel, fd.Span.Start, fd.Rule.ID, fd.Message, strings.Join(fix, " ")))
		}
	}
	sort.Strings(out)
	return out
}

// The text pre-filter must change no finding: every golden project gives
// the same findings (and fix data) with and without it.
func TestPrefilterChangesNoFinding(t *testing.T) {
	files, _ := filepath.Glob("../engine/testdata/javascript/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		srcs := map[string]string{}
		for _, f := range txtar.Parse(data).Files {
			if f.Name != "want" {
				srcs[f.Name] = string(f.Data)
			}
		}
		dir := project(t, srcs)
		with, without := check(t, dir, nil, false), check(t, dir, nil, true)
		if strings.Join(with, "\n") != strings.Join(without, "\n") {
			t.Errorf("%s: findings differ with the pre-filter\n--- with\n%s\n--- without\n%s", filepath.Base(path), strings.Join(with, "\n"), strings.Join(without, "\n"))
		}
	}
}

// Extra limiter names from the configuration count as protection.
func TestConfiguredLimiterNames(t *testing.T) {
	dir := project(t, map[string]string{"app.js": `
const express = require('express');
const { guard } = require('@acme/edge');
const app = express();
app.post('/a', guard({ per: 'minute' }), (req, res) => res.send('a'));
app.post('/b', (req, res) => res.send('b'));
`})
	cfg := analysis.DefaultConfig()
	got := check(t, dir, cfg, false)
	if len(got) != 2 {
		t.Fatalf("without configuration: want 2 findings, got %q", got)
	}
	cfg.Limiters = []string{"guard"}
	got = check(t, dir, cfg, false)
	if len(got) != 1 || !strings.Contains(got[0], "POST /b") {
		t.Fatalf("with guard configured: want only POST /b, got %q", got)
	}
}

// The fix map carries what the quick fixes need.
func TestFixData(t *testing.T) {
	dir := project(t, map[string]string{
		"app.js": `
const express = require('express');
const rateLimit = require('express-rate-limit');
const app = express();
const api = express.Router();
api.post('/login', (req, res) => res.send('ok'));
app.use(rateLimit({ windowMs: 15 * 60 * 1000, max: 100 }));
app.use('/api', api);
`,
		"counter.js": `
const WINDOW_MS = 60_000;
const MAX_REQUESTS = 30;
const hits = {};
module.exports = function limit(req, res, next) {
  const ip = req.ip;
  hits[ip] = (hits[ip] || 0) + 1;
  if (hits[ip] > MAX_REQUESTS) return res.status(429).end();
  next();
};
`,
		"app/api/items/route.ts": "export async function DELETE() { return new Response(null) }\n",
		"plain.js":               "const app = require('express')();\napp.get('/x', (req, res) => res.end());\n",
		"app/api/otp/route.ts": `
import { NextResponse } from 'next/server';
const sent = new Map<string, number>();
export async function POST(req: Request) {
  const ip = req.headers.get('x-forwarded-for') ?? '';
  const n = sent.get(ip) ?? 0;
  if (n >= 3) return new NextResponse('slow down', { status: 429 });
  sent.set(ip, n + 1);
  return NextResponse.json({ ok: true });
}
`,
	})
	got := check(t, dir, nil, false)
	want := []string{
		"app.js:197 RATE002 express-rate-limit without a `store` keeps its counters in process memory: it resets on every deploy or restart, each instance keeps its own count (N instances allow N times the limit), and its check-then-update is not atomic {fix=limiter-to-redis framework=express library=express-rate-limit limit=100 window=900}",
		"app/api/items/route.ts:7 RATE001 DELETE /api/items has no rate limiting {fix=add-rate-limit framework=nextjs-app method=DELETE path=/api/items route=DELETE /api/items}",
		"app/api/otp/route.ts:51 RATE002 `sent` is an in-memory rate limiter: it resets on every deploy or restart, each instance keeps its own count (N instances allow N times the limit), and its check-then-update is not atomic {counter=sent fix=replace-counter framework=nextjs-app limit=3}",
		"counter.js:58 RATE002 `hits` is an in-memory rate limiter: it resets on every deploy or restart, each instance keeps its own count (N instances allow N times the limit), and its check-then-update is not atomic {counter=hits fix=replace-counter framework=express limit=30 window=60}",
		"plain.js:34 RATE001 GET /x has no rate limiting {fix=add-rate-limit framework=express insert_at=14 method=GET path=/x route=GET /x}",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
