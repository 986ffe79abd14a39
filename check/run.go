// Package check is the command-line checker: it walks paths with the same
// engine, configuration, excludes and suppressions as the language server,
// and renders the findings for people (text) and machines (JSON, SARIF,
// GitHub workflow commands). It can also apply the safe quick fixes.
//
// Design notes:
//   - Every file that could not be checked is reported, on stderr and inside
//     the JSON and SARIF documents: a CI gate must never pass because a file
//     was silently skipped.
//   - Exit codes: 0 nothing found, 1 findings, 2 usage/configuration errors,
//     an explicitly named path that could not be checked, or an analyzer
//     crash (which may have hidden findings).
//   - Inside a git repository the rest of the repository is indexed for its
//     facts (as the editor indexes the workspace), but only the paths given
//     are reported.
//   - The text pre-filter (frontends' Relevant) decides which files are
//     parsed at all; --no-prefilter exists so a test can prove it changes no
//     finding.
package check

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Exit codes.
const (
	ExitClean    = 0
	ExitFindings = 1
	ExitError    = 2
)

// Run checks opts.Paths, writes the report to stdout and messages to stderr,
// and returns the exit code.
func Run(ctx context.Context, opts Options, stdout, stderr io.Writer) int {
	if opts.Format == "" {
		opts.Format = FormatText
	}
	if opts.Fix && opts.Diff {
		fmt.Fprintln(stderr, "stablestack check: --fix and --diff cannot be used together")
		return ExitError
	}
	started := time.Now()
	rep, err := Analyze(ctx, opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "stablestack check: %v\n", err)
		return ExitError
	}
	if opts.Fix || opts.Diff {
		return runFixes(ctx, opts, rep, stdout, stderr)
	}
	return finish(opts, rep, stdout, stderr, time.Since(started), nil)
}

// finish renders rep and computes the exit code.
func finish(opts Options, rep *Report, stdout, stderr io.Writer, took time.Duration, fixed *FixSummary) int {
	writeProblems(stderr, rep)
	var err error
	switch opts.Format {
	case FormatJSON:
		err = WriteJSON(stdout, rep, opts.Version)
	case FormatSARIF:
		err = WriteSARIF(stdout, rep, opts.Version)
	case FormatGitHub:
		err = WriteGitHub(stdout, rep)
	default:
		color := useColor(opts.Color, stdout)
		err = WriteText(stdout, rep, TextOptions{Color: color, Summary: color || isTerminal(stdout), Took: took, Fixed: fixed})
	}
	if err != nil {
		fmt.Fprintf(stderr, "stablestack check: writing output: %v\n", err)
		return ExitError
	}
	switch {
	case rep.Fatal():
		return ExitError
	case len(rep.Results) > 0 && !opts.ExitZero:
		return ExitFindings
	}
	return ExitClean
}

// writeProblems prints every skipped or partly checked file to stderr, one
// line each, in the same path:line:col shape as findings where a position is
// known.
func writeProblems(w io.Writer, rep *Report) {
	for _, p := range rep.Problems {
		where := displayPath(rep.Dir, p.Path)
		if p.Line >= 0 {
			where = fmt.Sprintf("%s:%d:%d", where, p.Line+1, p.Col+1)
		}
		level := "warning"
		if p.Fatal() {
			level = "error"
		}
		fmt.Fprintf(w, "%s: %s: %s\n", where, level, p.Message)
	}
}

// Analyze walks, indexes and checks opts.Paths and returns the located
// findings. It does not render anything; stderr only receives progress.
func Analyze(ctx context.Context, opts Options, stderr io.Writer) (*Report, error) {
	dir := opts.Dir
	if dir == "" {
		d, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	paths := opts.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	abs := make([]string, len(paths))
	explicit := map[string]bool{}
	for i, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		abs[i] = filepath.Clean(p)
		explicit[abs[i]] = true
	}
	phase := phaseTimer(opts.Timing, stderr)
	root := scanRoot(dir, abs)
	cfg, cfgRoot, err := loadConfig(root)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	if cfg, err = applyRuleFilters(cfg, opts.Select, opts.Ignore); err != nil {
		return nil, err
	}
	rep := &Report{Root: root, Dir: dir, cfg: cfg, files: map[string]*analysis.File{}}
	for _, r := range analysis.Rules {
		if cfg.Enabled(r) {
			rep.Rules = append(rep.Rules, r)
		}
	}
	var problemMu sync.Mutex // walker and workers report concurrently
	problem := func(p Problem) {
		problemMu.Lock()
		rep.Problems = append(rep.Problems, p)
		problemMu.Unlock()
	}

	w := &walker{
		paths: abs, explicit: explicit, dir: dir, cfg: cfg, cfgRoot: cfgRoot,
		forceExclude: opts.ForceExclude, problem: problem,
		files: make(chan queued, 1024), seen: map[string]bool{},
	}
	go w.run(ctx, func() { phase("walk (overlaps the next phase)") })

	e := engine.New(cfg)
	e.SetRoots(rootsOf(root, cfgRoot, abs))
	var prog *progress
	var onProgress func(done int)
	if opts.Progress && isTerminal(stderr) {
		prog = newProgress(stderr)
		onProgress = func(done int) { prog.update(done, int(w.found.Load())) }
	}
	idx := indexFiles(ctx, e, w.files, explicit, !opts.NoPrefilter, opts.Workers, onProgress, problem)
	if prog != nil {
		prog.clear()
	}
	phase("read, pre-filter, parse, summarize")
	if w.err != nil { // written before w.files was closed
		return nil, w.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, ix := range idx {
		if !ix.context {
			rep.Files++
		}
	}

	findings, crashed := checkAll(e, idx, opts.Workers)
	rep.Problems = append(rep.Problems, crashed...)
	phase("check")
	cache := &sourceCache{texts: map[string][]byte{}, lines: map[string]*syntax.LineIndex{}}
	for i, ix := range idx {
		if ix.file == nil || ix.context {
			continue
		}
		rep.Checked++
		if len(findings[i]) == 0 {
			continue
		}
		cache.texts[ix.file.Path] = ix.file.Text
		rep.files[ix.file.Path] = ix.file
		rep.addFindings(cache, ix.file, findings[i])
	}
	rep.finish()
	phase("locate")
	return rep, nil
}

// phaseTimer returns a function that prints the time since its previous
// call (for --timing, to see where a slow run goes).
func phaseTimer(on bool, w io.Writer) func(name string) {
	var mu sync.Mutex // the walker reports its end from its own goroutine
	last := time.Now()
	return func(name string) {
		if on {
			mu.Lock()
			defer mu.Unlock()
			now := time.Now()
			fmt.Fprintf(w, "timing: %-36s %6.0f ms\n", name, float64(now.Sub(last).Microseconds())/1000)
			last = now
		}
	}
}

// checkAll runs the rules on every indexed file in parallel; findings[i]
// belongs to idx[i]. All facts are in the engine before any check runs, so
// cross-file facts are complete. A panic in a rule becomes a Problem for
// that file.
func checkAll(e *engine.Engine, idx []indexed, workers int) ([][]analysis.Finding, []Problem) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([][]analysis.Finding, len(idx))
	var mu sync.Mutex // guards problems
	var problems []Problem
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(idx) {
					return
				}
				if f := idx[i].file; f != nil && f.Facts != nil && !idx[i].context {
					func() {
						defer func() {
							if v := recover(); v != nil {
								mu.Lock()
								problems = append(problems, internalError(f.Path, "checking", v))
								mu.Unlock()
							}
						}()
						out[i] = e.Check(f)
					}()
				}
			}
		}()
	}
	wg.Wait()
	return out, problems
}
