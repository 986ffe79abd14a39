package javascript_test

import (
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
