package javascript_test

import (
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Checks of one file running at the same time (the server rechecks a
// document while a new version of it is analyzed) each get every finding
// right: the RATE001 memo of the file is never filled or emptied by two
// checks at once (go test -race tells).
func TestConcurrentChecksOfOneFile(t *testing.T) {
	path := "/memo/server.js"
	texts := [][]byte{lspWorkload(200), expressRoutes(150)}
	var files []*analysis.File
	var want []string
	for _, text := range texts {
		facts, err := engine.Summarize(path, syntax.JavaScript, text, nil, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		f := &analysis.File{Path: path, Lang: syntax.JavaScript, Facts: facts, Text: text}
		e := engine.New(nil)
		e.Put(f)
		files = append(files, f)
		want = append(want, render(e.Check(f)))
	}
	e := engine.New(nil)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				k := (g + i) % 2
				if got := render(e.Check(files[k])); got != want[k] {
					errs <- "a concurrent check differs from a fresh one"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
}

// RATE001 findings drawn from the previous check's (in order, or by key
// once routes moved around) equal findings built from scratch: random
// edits of a file of routes, including whole shuffles and repeated routes
// (one key twice), checked on one path and on a path never checked.
func TestRouteMemoEqualsFresh(t *testing.T) {
	kinds := []string{
		"app.get('/open%d', (req, res) => res.end());\n",
		"app.post('/lim%d', limiter, (req, res) => res.end());\n",
		"app.put('/put%d', (req, res) => res.end()); app.delete('/put%d', (req, res) => res.end());\n",
		"app.get('/same', (req, res) => res.end());\n",
		"app.patch(base + %d, (req, res) => res.end());\n",
	}
	head := "const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\nconst app = express();\nconst limiter = rateLimit({ requests: 5, window: 60 });\n"
	rng := rand.New(rand.NewSource(5))
	line := func(i int) string { return strings.ReplaceAll(kinds[rng.Intn(len(kinds))], "%d", fmt.Sprint(i)) }
	var body []string
	for i := 0; i < 40; i++ {
		body = append(body, line(i))
	}
	live := engine.New(nil)
	var prev analysis.Facts
	for step := 0; step < 120; step++ {
		switch rng.Intn(5) {
		case 0:
			rng.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
		case 1:
			at := rng.Intn(len(body))
			body = append(body[:at], body[at+1:]...)
		case 2:
			at := rng.Intn(len(body))
			body[at] = line(100 + step)
		default:
			at := rng.Intn(len(body) + 1)
			body = append(body[:at], append([]string{line(100 + step)}, body[at:]...)...)
		}
		text := []byte(head + strings.Join(body, ""))
		got := checkAt(t, live, "/memo/live/app.js", text, prev)
		prev = got.facts
		want := checkAt(t, engine.New(nil), fmt.Sprintf("/memo/ref%d/app.js", step), text, nil)
		if got.render != want.render {
			t.Fatalf("step %d: with the memo\n%s\nfrom scratch\n%s", step, got.render, want.render)
		}
	}
}

type checked struct {
	facts  analysis.Facts
	render string
}

func checkAt(t *testing.T, e *engine.Engine, path string, text []byte, prev analysis.Facts) checked {
	t.Helper()
	facts, err := engine.Summarize(path, syntax.JavaScript, text, nil, prev, false)
	if err != nil {
		t.Fatal(err)
	}
	f := &analysis.File{Path: path, Lang: syntax.JavaScript, Facts: facts, Text: text}
	e.Put(f)
	return checked{facts, render(e.Check(f))}
}
