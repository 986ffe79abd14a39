package main

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// workloadSpec is a generated file plus how to toggle protection on one route.
type workloadSpec struct {
	lang        syntax.Language
	languageID  string
	fileName    string
	text        string
	unprotected int // diagnostics expected at the start
	// guard is the protection of route 1 as it appears in the text; removing
	// guard[:len-guardTrim] unprotects it, inserting it at anchor (+offset)
	// protects it again.
	guard        string
	guardTrim    int
	anchor       string
	anchorOffset int
}

func workload(lang string, n int) (workloadSpec, error) {
	switch lang {
	case "python":
		return pythonWorkload(n), nil
	case "javascript", "js":
		return jsWorkload(n), nil
	}
	return workloadSpec{}, fmt.Errorf("unknown -lang %q", lang)
}

// pythonWorkload: N FastAPI routes, every tenth without @rate_limit.
func pythonWorkload(n int) workloadSpec {
	var b strings.Builder
	b.WriteString("from fastapi import FastAPI\nfrom stablestack_rate_limiter import rate_limit\n\napp = FastAPI()\n\n")
	unprotected := 0
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\n@app.get(\"/items/%d\")\n", i)
		if i%10 != 0 {
			b.WriteString("@rate_limit(requests=100, window=60)\n")
		} else {
			unprotected++
		}
		fmt.Fprintf(&b, "async def item_%d(q: str = None):\n    return {\"item\": %d, \"q\": q}\n", i, i)
	}
	return workloadSpec{
		lang: syntax.Python, languageID: "python", fileName: "app.py", text: b.String(),
		unprotected:  unprotected,
		guard:        "@rate_limit(requests=100, window=60)\nasync def item_1(",
		guardTrim:    len("async def item_1("),
		anchor:       "async def item_1(",
		anchorOffset: 0,
	}
}

// jsWorkload: N Express routes, every tenth without a limiter middleware.
func jsWorkload(n int) workloadSpec {
	var b strings.Builder
	b.WriteString("const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\n\nconst app = express();\nconst limiter = rateLimit({ requests: 100, window: 60 });\n")
	unprotected := 0
	for i := 0; i < n; i++ {
		if i%10 != 0 {
			fmt.Fprintf(&b, "\napp.get('/items/%d', limiter, (req, res) => {\n  res.json({ item: %d, q: req.query.q });\n});\n", i, i)
		} else {
			unprotected++
			fmt.Fprintf(&b, "\napp.get('/items/%d', (req, res) => {\n  res.json({ item: %d, q: req.query.q });\n});\n", i, i)
		}
	}
	b.WriteString("\napp.listen(3000);\n")
	return workloadSpec{
		lang: syntax.JavaScript, languageID: "javascript", fileName: "server.js", text: b.String(),
		unprotected:  unprotected,
		guard:        "limiter, (req, res) => {\n  res.json({ item: 1,",
		guardTrim:    len("(req, res) => {\n  res.json({ item: 1,"),
		anchor:       "'/items/1', ",
		anchorOffset: len("'/items/1', "),
	}
}
