package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// findingsJSON runs the check and returns its findings as JSON lines (all
// fields, positions included), plus how many there were.
func findingsJSON(t *testing.T, opts Options) (string, int) {
	t.Helper()
	opts.Format = FormatJSON
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), opts, &out, &errOut); code == ExitError {
		t.Fatalf("check failed (exit 2): %s", errOut.String())
	}
	var doc jsonReport
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range doc.Findings {
		b, _ := json.Marshal(f)
		lines = append(lines, string(b))
	}
	return strings.Join(lines, "\n"), len(doc.Findings)
}

// assertPrefilterEquivalent checks dir with and without the text pre-filter
// and requires identical findings.
func assertPrefilterEquivalent(t *testing.T, dir string, minFindings int) {
	t.Helper()
	with, n := findingsJSON(t, Options{Dir: dir})
	without, m := findingsJSON(t, Options{Dir: dir, NoPrefilter: true})
	if with != without {
		t.Fatalf("the pre-filter changes the findings (%d with it, %d without)\n%s", n, m, lineDiff(with, without))
	}
	if n < minFindings {
		t.Fatalf("only %d findings in the corpus, want at least %d: the comparison would prove little", n, minFindings)
	}
	t.Logf("%s: %d findings, identical with and without the pre-filter", dir, n)
}

// lineDiff lists the lines only in a or only in b.
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "only with pre-filter:    "+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "only without pre-filter: "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestPrefilterEquivalenceGenerated builds a corpus mixing every framework's
// routes, limiters, counters, cross-file routers and files whose only
// mention of a framework is in a comment or a string, and compares.
func TestPrefilterEquivalenceGenerated(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 120; i++ {
		var b strings.Builder
		for j := 0; j < 1+rng.Intn(4); j++ {
			b.WriteString(corpusSnippets[rng.Intn(len(corpusSnippets))](i*10 + j))
			b.WriteString("\n")
		}
		ext := ".py"
		if strings.Contains(b.String(), "require(") || strings.Contains(b.String(), "export ") {
			ext = ".js"
		}
		write(t, dir, fmt.Sprintf("pkg%d/mod%d%s", i%7, i, ext), b.String())
	}
	// Cross-file: a router defined here, mounted there.
	write(t, dir, "api/users.py", "from fastapi import APIRouter\nrouter = APIRouter()\n\n@router.post('/users')\ndef create():\n    return {}\n")
	write(t, dir, "api/main.py", "from fastapi import FastAPI\nfrom api.users import router\napp = FastAPI()\napp.include_router(router, prefix='/v1')\n")
	assertPrefilterEquivalent(t, dir, 20)
}

// corpusSnippets make the generated corpus; each gets a unique number.
var corpusSnippets = []func(n int) string{
	func(n int) string {
		return fmt.Sprintf("from fastapi import FastAPI\napp%d = FastAPI()\n\n@app%d.post('/login%d')\ndef login%d():\n    return {}\n", n, n, n, n)
	},
	func(n int) string {
		return fmt.Sprintf("from flask import Flask\nweb%d = Flask(__name__)\n\n@web%d.route('/p%d', methods=['POST'])\ndef view%d():\n    return 'ok'\n", n, n, n, n)
	},
	func(n int) string {
		return fmt.Sprintf("from starlette.applications import Starlette\nfrom starlette.routing import Route\n\nasync def h%d(request):\n    pass\n\nsapp%d = Starlette(routes=[Route('/s%d', h%d, methods=['POST'])])\n", n, n, n, n)
	},
	func(n int) string {
		return fmt.Sprintf("from aiohttp import web\n\nasync def a%d(request):\n    return web.Response()\n\naio%d = web.Application()\naio%d.router.add_post('/a%d', a%d)\n", n, n, n, n, n)
	},
	func(n int) string {
		return fmt.Sprintf("from django.urls import path\nfrom . import views\n\nurlpatterns = [path('d%d/', views.d%d)]\n", n, n)
	},
	func(n int) string {
		return fmt.Sprintf("import time\nhits%d = {}\n\ndef allow%d(ip):\n    hits%d[ip] = hits%d.get(ip, 0) + 1\n    return hits%d[ip] <= 100\n", n, n, n, n, n)
	},
	func(n int) string {
		return fmt.Sprintf("from slowapi import Limiter\nlimiter%d = Limiter(key_func=lambda r: 'k')\n", n)
	},
	func(n int) string {
		return fmt.Sprintf("def helper%d(x):\n    # mentions FastAPI and @app.post in a comment only\n    return x * %d\n", n, n)
	},
	func(n int) string {
		return fmt.Sprintf("DOC%d = \"use @app.route('/x') to add a route\"\n", n)
	},
	func(n int) string {
		return fmt.Sprintf("const express = require('express');\nconst app%d = express();\napp%d.post('/e%d', (req, res) => res.send('ok'));\n", n, n, n)
	},
	func(n int) string {
		return fmt.Sprintf("const counts%d = new Map();\nexport function limit%d(ip) {\n  const c = (counts%d.get(ip) || 0) + 1;\n  counts%d.set(ip, c);\n  return c <= 100;\n}\n", n, n, n, n)
	},
}

// distPackages is the whole-repository benchmark corpus (Debian's Python
// packages with Django, Flask, FastAPI, Starlette and aiohttp installed).
const distPackages = "/usr/lib/python3/dist-packages"

// TestPrefilterEquivalenceDistPackages compares on the benchmark corpus.
// Locally it skips (loudly) when the corpus is missing; under CI=true it
// fails instead, since CI installs the packages.
func TestPrefilterEquivalenceDistPackages(t *testing.T) {
	for _, pkg := range []string{"django", "flask", "fastapi", "starlette", "aiohttp"} {
		if _, err := os.Stat(filepath.Join(distPackages, pkg)); err != nil {
			msg := fmt.Sprintf("%s/%s missing: apt-get install python3-django python3-flask python3-fastapi python3-starlette python3-aiohttp", distPackages, pkg)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip("SKIPPED: " + msg)
		}
	}
	assertPrefilterEquivalent(t, distPackages, 0)
}
