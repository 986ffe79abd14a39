package check

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// indexed is one source file after summarizing. text is kept only for files
// with facts: a file the pre-filter ruled out cannot have findings, and
// dropping its text early is what keeps peak memory low on big trees.
type indexed struct {
	src  engine.SourceFile
	file *analysis.File // nil when the file could not be read
	// context marks a file indexed only for its facts: it is outside the
	// paths asked for, so it gets no findings and its problems are not shown.
	context bool
}

// queued is a file the walk found, on its way to the indexing workers.
type queued struct {
	engine.SourceFile
	context bool // see indexed.context
}

// indexFiles reads, pre-filters, parses and summarizes the files that
// arrive on files, in parallel, and puts their facts into e. It runs while
// the walk is still producing files, so walking the tree (thousands of
// directory reads) overlaps with parsing instead of coming first.
//
// It does the engine's Index step itself, with the engine's own pieces
// (ReadSource, the frontends' Relevant, Summarize), because the parse tree
// is in hand here: syntax errors are reported with a position instead of
// passing silently.
func indexFiles(ctx context.Context, e *engine.Engine, files <-chan queued, explicit map[string]bool,
	prefilter bool, workers int, progress func(done int), problem func(Problem)) []indexed {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var out []indexed
	var mu sync.Mutex // guards out
	var done atomic.Int64
	report := func(p Problem) {
		p.Explicit = explicit[p.Path]
		problem(p)
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range files {
				if ctx.Err() != nil {
					continue // drain: the walker stops soon after cancellation
				}
				rep := report
				if q.context {
					rep = func(p Problem) {
						if p.Kind == ProblemInternal { // may change the findings of others
							report(p)
						}
					}
				}
				ix := indexedFile(e, q.SourceFile, prefilter, rep)
				ix.context = q.context
				if q.context && ix.file != nil {
					ix.file.Text = nil
				}
				mu.Lock()
				out = append(out, ix)
				mu.Unlock()
				if progress != nil {
					progress(int(done.Add(1)))
				}
			}
		}()
	}
	wg.Wait()
	return out
}

func indexedFile(e *engine.Engine, sf engine.SourceFile, prefilter bool, report func(Problem)) (ix indexed) {
	// An analyzer bug must cost one file, reported, never the whole run.
	defer func() {
		if v := recover(); v != nil {
			report(internalError(sf.Path, "summarizing", v))
			ix = indexed{src: sf}
		}
	}()
	text, err := engine.ReadSource(sf.Path)
	if err != nil {
		kind, msg := classify(err)
		report(Problem{Path: sf.Path, Kind: kind, Message: msg, Line: -1})
		return indexed{src: sf}
	}
	f := &analysis.File{Path: sf.Path, Lang: sf.Lang}
	fe := analysis.FrontendFor(sf.Lang)
	relevant := fe != nil && fe.Relevant(text)
	if relevant {
		// A large file that parses cleanly is summarized in pieces, with no
		// whole-file tree (and no syntax error to report). Only a relevant
		// one: a frontend may answer for the others without parsing, and
		// without the pre-filter their syntax errors are still reported.
		// Every core: the run often ends waiting for its one huge file.
		if facts, ok := engine.OpenLarge(sf.Path, sf.Lang, text, nil, 0); ok {
			f.Facts = facts
		}
	}
	if f.Facts == nil && fe != nil && (!prefilter || relevant) {
		tree, err := syntax.Parse(sf.Lang, text)
		if err != nil {
			kind, msg := classify(err)
			if kind == ProblemUnreadable {
				kind, msg = ProblemParse, "skipped: "+err.Error()
			}
			report(Problem{Path: sf.Path, Kind: kind, Message: msg, Line: -1})
			e.Put(f)
			return indexed{src: sf}
		}
		if tree.Root().HasError() {
			p := problemAt(text, firstError(tree))
			report(Problem{Path: sf.Path, Kind: ProblemSyntaxError, Checked: true, Line: p.Line, Col: p.Col, Col16: p.Col16,
				Message: "syntax error; the parts that parse were checked"})
		}
		f.Facts, _ = engine.Summarize(sf.Path, sf.Lang, text, tree, nil, false)
		tree.Close()
	}
	if f.Facts != nil {
		f.Text = text
		if !utf8.Valid(text) {
			p := problemAt(text, firstInvalidUTF8(text))
			report(Problem{Path: sf.Path, Kind: ProblemInvalidUTF8, Checked: true, Line: p.Line, Col: p.Col, Col16: p.Col16,
				Message: "invalid UTF-8; checked byte-wise, each invalid byte counts as one column"})
		}
	}
	e.Put(f)
	return indexed{src: sf, file: f}
}

// internalError reports a panic of the analyzer, with the stack so a bug
// report can point at the line.
func internalError(path, during string, v any) Problem {
	// Keep the frames below the panic: where the analyzer failed.
	lines := strings.Split(string(debug.Stack()), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			lines = lines[i+2:]
			break
		}
	}
	stack := strings.Join(lines[:min(len(lines), 12)], "\n")
	return Problem{Path: path, Kind: ProblemInternal, Line: -1,
		Message: fmt.Sprintf("internal error while %s this file (please report it): %v\n%s", during, v, stack)}
}

// problemAt locates a problem's byte offset (-1: unknown, Line -1).
func problemAt(text []byte, off int) Position {
	if off < 0 {
		return Position{Offset: -1, Line: -1}
	}
	return position(syntax.NewLineIndex(text), off)
}

// firstError is the offset of the first ERROR or MISSING node, or -1.
func firstError(tree *syntax.Tree) int {
	at := -1
	tree.Root().Walk(func(n syntax.Node) bool {
		if at >= 0 {
			return false
		}
		if n.IsError() {
			at = n.Start()
			return false
		}
		return n.HasError()
	})
	return at
}

// firstInvalidUTF8 is the offset of the first byte that is not UTF-8, or -1.
func firstInvalidUTF8(text []byte) int {
	for off := 0; off < len(text); {
		r, size := utf8.DecodeRune(text[off:])
		if r == utf8.RuneError && size == 1 {
			return off
		}
		off += size
	}
	return -1
}
