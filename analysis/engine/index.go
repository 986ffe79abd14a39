package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// MaxFileBytes is the largest file analyzed; bigger ones (bundles, generated
// code) are reported as skipped.
const MaxFileBytes = syntax.MaxParseBytes

// ErrBinary marks files that are not text.
var ErrBinary = errors.New("binary file (contains NUL bytes)")

// ReadSource reads a file for analysis, refusing binary and oversized files
// with an error that says which.
func ReadSource(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > MaxFileBytes {
		return nil, fmt.Errorf("%w (%d bytes, limit %d)", syntax.ErrTooLarge, info.Size(), MaxFileBytes)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if IsBinary(text) {
		return nil, ErrBinary
	}
	return text, nil
}

// IsBinary looks for a NUL byte in the first 8 KiB, as git does. Invalid
// UTF-8 alone is not binary: tree-sitter copes and positions stay byte-exact.
// The server applies the same rule to open buffers.
func IsBinary(text []byte) bool {
	head := text
	if len(head) > 8192 {
		head = head[:8192]
	}
	return bytes.IndexByte(head, 0) >= 0
}

// ValidUTF8 reports whether text is valid UTF-8 (callers log, not refuse).
func ValidUTF8(text []byte) bool { return utf8.Valid(text) }

// IndexOptions tune Index.
type IndexOptions struct {
	// NoPrefilter parses every file, even those the text pre-filter rules
	// out. Used to prove the pre-filter changes no finding.
	NoPrefilter bool
	// Workers is the parallelism; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called after each file with counts so far.
	Progress func(done, total int)
	// OnProblem receives files that could not be read or parsed.
	OnProblem func(Problem)
	// Keep, when set, decides whether a file's text is kept for Check (the
	// CLI keeps all; the server keeps none, it reads open files itself).
	Keep func(SourceFile) bool
}

// Indexed is one file after indexing, with its text when IndexOptions.Keep asked.
type Indexed struct {
	SourceFile
	File *analysis.File
}

// Index walks roots and summarizes every source file into the engine, in
// parallel. It returns the files it indexed (with text where kept).
func (e *Engine) Index(ctx context.Context, roots []string, opt IndexOptions) ([]Indexed, error) {
	onProblem := opt.OnProblem
	if onProblem == nil {
		onProblem = func(Problem) {}
	}
	var files []SourceFile
	if err := Walk(ctx, roots, e.Config(), func(f SourceFile) { files = append(files, f) }, onProblem); err != nil {
		return nil, err
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Indexed, len(files))
	var next, done atomic.Int64
	var probMu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				sf := files[i]
				f, err := e.indexOne(sf, !opt.NoPrefilter)
				if err != nil {
					probMu.Lock()
					onProblem(Problem{sf.Path, err})
					probMu.Unlock()
				}
				if f != nil && (opt.Keep == nil || !opt.Keep(sf)) {
					f.Text = nil
				}
				out[i] = Indexed{SourceFile: sf, File: f}
				if opt.Progress != nil {
					opt.Progress(int(done.Add(1)), len(files))
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (e *Engine) indexOne(sf SourceFile, prefilter bool) (*analysis.File, error) {
	text, err := ReadSource(sf.Path)
	if err != nil {
		return nil, err
	}
	facts, err := Summarize(sf.Path, sf.Lang, text, nil, nil, prefilter)
	f := &analysis.File{Path: sf.Path, Lang: sf.Lang, Facts: facts, Text: text}
	e.Put(f)
	return f, err
}
