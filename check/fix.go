package check

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/codeactions"
)

// FixSummary is what --fix changed, for the report.
type FixSummary struct {
	Files   []FixedFile
	Created []string // files created (the limiter module), as displayed
	Failed  []string // messages for files that could not be written
}

// FixedFile is one rewritten file.
type FixedFile struct {
	Path    string
	Display string
	Before  int // findings in the file before the fix
	After   int // findings left after it
}

// plannedFix is the set of changes the safe fixes make, before writing.
type plannedFix struct {
	edits  map[string][]codeactions.Edit
	create []codeactions.NewFile
}

// planFixes collects, file by file, the same edits as the editor's "Fix all
// StableStack problems" (codeactions.FixAll: every safe fix, RATE001 and
// RATE002), plus the limiter module for projects that lack it, created once
// per project however many files need it (as codeactions.Instrument does).
func planFixes(rep *Report) plannedFix {
	findings := map[string][]analysis.Finding{}
	var paths []string
	for _, r := range rep.Results {
		p := r.Location.Path
		if _, ok := findings[p]; !ok {
			paths = append(paths, p)
		}
		findings[p] = append(findings[p], r.Finding)
	}
	pf := plannedFix{edits: map[string][]codeactions.Edit{}}
	created := map[string]bool{} // module paths already planned
	for _, p := range paths {
		f := rep.files[p]
		req := codeactions.Request{
			File: f, Findings: findings[p], Config: rep.cfg, CanCreateFiles: true,
			ModuleExists: func(lang string) bool {
				return created[codeactions.ModulePath(p, lang)] || codeactions.ModuleFileExists(p, lang)
			},
		}
		a, ok := codeactions.FixAll(req)
		if !ok || len(a.Edits) == 0 && len(a.Create) == 0 {
			continue
		}
		pf.edits[p] = a.Edits
		for _, nf := range a.Create {
			if !created[nf.Path] {
				created[nf.Path] = true
				pf.create = append(pf.create, nf)
			}
		}
		if len(a.Create) > 0 {
			// The Node module comes with its .d.ts: mark the module itself.
			created[codeactions.ModulePath(p, codeactions.Family(f.Lang))] = true
		}
	}
	for p, e := range pf.edits {
		if len(e) == 0 {
			delete(pf.edits, p)
		}
	}
	return pf
}

func (pf plannedFix) paths() []string {
	out := make([]string, 0, len(pf.edits))
	for p := range pf.edits {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// runFixes implements --diff (print, write nothing) and --fix (write, then
// check again and report what is left).
func runFixes(ctx context.Context, opts Options, rep *Report, stdout, stderr io.Writer) int {
	started := time.Now()
	pf := planFixes(rep)
	if opts.Diff {
		writeProblems(stderr, rep)
		for _, p := range pf.paths() {
			name := filepath.ToSlash(displayPath(rep.Dir, p))
			if err := writeUnifiedDiff(stdout, "a/"+name, "b/"+name, rep.files[p].Text, pf.edits[p]); err != nil {
				fmt.Fprintf(stderr, "%s: error: cannot build the fix: %v\n", name, err)
				return ExitError
			}
		}
		for _, nf := range pf.create {
			writeNewFileDiff(stdout, "b/"+filepath.ToSlash(displayPath(rep.Dir, nf.Path)), nf.Content)
		}
		n := len(pf.edits) + len(pf.create)
		fmt.Fprintf(stderr, "%d %s would change (%d %s, %d not fixable automatically).\n", n, plural(n, "file", "files"),
			len(rep.Results), plural(len(rep.Results), "finding", "findings"), len(rep.Results)-fixableCount(rep, pf))
		switch {
		case rep.Fatal():
			return ExitError
		case n > 0 && !opts.ExitZero:
			return ExitFindings
		}
		return ExitClean
	}

	sum := &FixSummary{}
	before := map[string]int{}
	for _, r := range rep.Results {
		before[r.Location.Path]++
	}
	// Create the modules first: a rewritten file importing a module that
	// failed to appear would break the application.
	for _, nf := range pf.create {
		if err := createFile(nf.Path, nf.Content); err != nil {
			sum.Failed = append(sum.Failed, fmt.Sprintf("%s: cannot create: %v", displayPath(rep.Dir, nf.Path), err))
			continue
		}
		sum.Created = append(sum.Created, displayPath(rep.Dir, nf.Path))
	}
	for _, p := range pf.paths() {
		f := rep.files[p]
		text, err := codeactions.Apply(f.Text, pf.edits[p])
		if err == nil {
			err = rewriteFile(p, f.Text, text)
		}
		if err != nil {
			sum.Failed = append(sum.Failed, fmt.Sprintf("%s: not fixed: %v", displayPath(rep.Dir, p), err))
			continue
		}
		sum.Files = append(sum.Files, FixedFile{Path: p, Display: displayPath(rep.Dir, p), Before: before[p]})
	}
	// Check again: the report shows what is left, with current positions.
	after, err := Analyze(ctx, opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "stablestack check: %v\n", err)
		return ExitError
	}
	left := map[string]int{}
	for _, r := range after.Results {
		left[r.Location.Path]++
	}
	for i := range sum.Files {
		sum.Files[i].After = left[sum.Files[i].Path]
	}
	if opts.Format != FormatText {
		// Machine-readable stdout stays one document; the text format
		// prints the summary itself, before its closing line.
		sum.writeText(stderr, func(_, s string) string { return s })
	}
	code := finish(opts, after, stdout, stderr, time.Since(started), sum)
	if len(sum.Failed) > 0 {
		return ExitError
	}
	return code
}

// fixableCount is how many findings sit in files the fixes edit (an
// upper bound: a fix-all leaves out fixes that would overlap).
func fixableCount(rep *Report, pf plannedFix) int {
	n := 0
	for _, r := range rep.Results {
		if pf.edits[r.Location.Path] != nil {
			n++
		}
	}
	return n
}

// createFile writes a new file, refusing to replace one that appeared
// since the check (the user's own module wins).
func createFile(path string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// errChanged says a file changed on disk between the check and the fix.
var errChanged = errors.New("changed on disk since it was checked; run again")

// rewriteFile replaces path's content, keeping its permissions, only if it
// still holds what was checked. It writes a temporary file in the same
// directory and renames it over the original, so an interrupted run never
// leaves half a file.
func rewriteFile(path string, was, text []byte) error {
	// Rewrite a symlink's target, not the link.
	path, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, was) {
		return errChanged
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".stablestack-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(text); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode() & fs.ModePerm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeText prints one line per changed file, then the created modules.
func (s *FixSummary) writeText(w io.Writer, paint func(code, s string) string) {
	for _, f := range s.Files {
		fixed := f.Before - f.After
		fmt.Fprintf(w, "%s %s: %d %s fixed", paint(ansiGreen, "fixed"), f.Display, fixed, plural(fixed, "finding", "findings"))
		if f.After > 0 {
			fmt.Fprintf(w, ", %d left", f.After)
		}
		fmt.Fprintln(w)
	}
	for _, c := range s.Created {
		fmt.Fprintf(w, "%s %s (rate limiter module)\n", paint(ansiGreen, "created"), c)
	}
	for _, m := range s.Failed {
		fmt.Fprintf(w, "%s %s\n", paint(ansiRed, "error"), m)
	}
	if len(s.Files) == 0 && len(s.Created) == 0 && len(s.Failed) == 0 {
		fmt.Fprintln(w, "nothing to fix automatically")
	}
}
