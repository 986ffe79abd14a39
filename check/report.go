package check

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Position is a place in a file in every unit an output format needs. Lines
// and columns are 0-based here; formats add 1 where they count from 1.
type Position struct {
	Offset int // byte offset
	Line   int
	Col    int // Unicode code points (text, JSON, GitHub)
	Col16  int // UTF-16 code units (SARIF, as GitHub code scanning counts)
}

// Location is a range in one file.
type Location struct {
	Path       string // absolute
	Rel        string // slash-separated, relative to Report.Root; "" when outside it
	Display    string // as printed in text output: relative to the working directory when inside it
	Start, End Position
}

// Result is one finding, located.
type Result struct {
	Finding  analysis.Finding
	Location Location
	Related  []RelatedResult
	// Fingerprint identifies the finding across runs and unrelated edits:
	// it hashes the rule, the file, the message and the flagged code, not the
	// line number, so code scanning keeps an alert when lines move above it.
	Fingerprint string
}

// RelatedResult is a located analysis.Related.
type RelatedResult struct {
	Location Location
	Message  string
}

// Report is the outcome of one run, what every format renders.
type Report struct {
	Root     string // absolute directory that SARIF and JSON paths are relative to
	Dir      string // the working directory (text paths are relative to it)
	Results  []Result
	Problems []Problem
	Files    int // source files found
	Checked  int // files read and checked (the pre-filter counts as checking)
	Rules    []*analysis.Rule

	files map[string]*analysis.File // files with findings, text kept (for --fix)
	cfg   *analysis.Config
}

// sourceCache hands out the line index of files, reading files whose text
// was not kept (a related location in a file ruled out by the pre-filter).
type sourceCache struct {
	texts map[string][]byte
	lines map[string]*syntax.LineIndex
}

func (c *sourceCache) index(path string) *syntax.LineIndex {
	if x, ok := c.lines[path]; ok {
		return x
	}
	text, ok := c.texts[path]
	if !ok {
		text, _ = os.ReadFile(path)
	}
	x := syntax.NewLineIndex(text)
	c.lines[path] = x
	return x
}

func position(x *syntax.LineIndex, off int) Position {
	line, col := x.Position(off, syntax.UTF32)
	_, col16 := x.Position(off, syntax.UTF16)
	return Position{Offset: off, Line: line, Col: col, Col16: col16}
}

// locate builds a Location for span in path.
func (r *Report) locate(c *sourceCache, path string, span analysis.Span) Location {
	x := c.index(path)
	return Location{
		Path:    path,
		Rel:     relTo(r.Root, path),
		Display: displayPath(r.Dir, path),
		Start:   position(x, span.Start),
		End:     position(x, span.End),
	}
}

// addFindings locates the findings of one file and appends them.
func (r *Report) addFindings(c *sourceCache, f *analysis.File, findings []analysis.Finding) {
	for _, fd := range findings {
		res := Result{Finding: fd, Location: r.locate(c, f.Path, fd.Span)}
		for _, rel := range fd.Related {
			p := rel.Path
			if p == "" {
				p = f.Path
			}
			res.Related = append(res.Related, RelatedResult{Location: r.locate(c, p, rel.Span), Message: rel.Message})
		}
		res.Fingerprint = fingerprintBase(res, c.texts[f.Path])
		r.Results = append(r.Results, res)
	}
}

// finish sorts results and problems by path and position, and makes equal
// fingerprints unique by numbering repeats in file order.
func (r *Report) finish() {
	sort.SliceStable(r.Results, func(i, j int) bool {
		a, b := r.Results[i].Location, r.Results[j].Location
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Start.Offset != b.Start.Offset {
			return a.Start.Offset < b.Start.Offset
		}
		return r.Results[i].Finding.Rule.ID < r.Results[j].Finding.Rule.ID
	})
	seen := map[string]int{}
	for i := range r.Results {
		fp := r.Results[i].Fingerprint
		n := seen[fp]
		seen[fp] = n + 1
		r.Results[i].Fingerprint = fp + ":" + strconv.Itoa(n+1)
	}
	sort.SliceStable(r.Problems, func(i, j int) bool {
		a, b := r.Problems[i], r.Problems[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Kind < b.Kind
	})
}

// fingerprintBase hashes what identifies a finding independently of where
// it sits: rule, root-relative path, message and the flagged code with its
// whitespace collapsed (re-indenting does not change it). Only the span's
// first line counts: a span may cover a whole handler, whose body changes
// without the finding becoming a new one.
func fingerprintBase(res Result, text []byte) string {
	h := sha256.New()
	path := res.Location.Rel
	if path == "" {
		path = filepath.ToSlash(res.Location.Path)
	}
	code := ""
	if s := res.Finding.Span; s.Start >= 0 && s.End <= len(text) && s.Start <= s.End {
		code = string(text[s.Start:s.End])
		if nl := strings.IndexByte(code, '\n'); nl >= 0 {
			code = code[:nl]
		}
		code = strings.Join(strings.Fields(code), " ")
	}
	for _, part := range []string{res.Finding.Rule.ID, path, res.Finding.Message, code} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Fatal reports whether any problem makes the run exit 2.
func (r *Report) Fatal() bool {
	for _, p := range r.Problems {
		if p.Fatal() {
			return true
		}
	}
	return false
}

// relTo returns path relative to root, slash-separated, or "" when path is
// not inside root.
func relTo(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return ""
	}
	return filepath.ToSlash(rel)
}

// displayPath is path relative to dir when inside it, else absolute: what a
// user can paste back into a shell or an editor.
func displayPath(dir, path string) string {
	if rel := relTo(dir, path); rel != "" {
		return filepath.FromSlash(rel)
	}
	return path
}
