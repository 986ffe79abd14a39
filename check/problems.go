package check

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// ProblemKind classifies a path the checker could not check fully.
type ProblemKind string

const (
	ProblemUnreadable  ProblemKind = "unreadable"     // missing, permission denied, I/O error
	ProblemBinary      ProblemKind = "binary"         // NUL bytes: not source code
	ProblemTooLarge    ProblemKind = "too-large"      // over engine.MaxFileBytes
	ProblemNotSource   ProblemKind = "not-source"     // an explicit file of no supported language
	ProblemParse       ProblemKind = "parse-failed"   // the parser gave up
	ProblemSyntaxError ProblemKind = "syntax-error"   // parsed with errors; the rest was checked
	ProblemInvalidUTF8 ProblemKind = "invalid-utf8"   // checked byte-wise
	ProblemInternal    ProblemKind = "internal-error" // the analyzer panicked on this file
)

// Problem is a path that was skipped or only partly checked. Every one is
// reported (stderr, and inside JSON and SARIF documents): a run never drops a
// file silently.
type Problem struct {
	Path string // absolute
	Kind ProblemKind
	// Checked is true for warnings about a file that was still checked
	// (syntax errors, invalid UTF-8); false means the file was skipped.
	Checked bool
	// Explicit is true when the path was named on the command line. A skipped
	// explicit path makes the run fail (exit 2): the user asked for exactly
	// that file. A skipped file found while walking a directory is reported
	// but does not change the exit code, so one odd file in a tree does not
	// break CI.
	Explicit bool
	Line     int // 0-based, for syntax errors; -1 when not known
	Col      int // 0-based, in Unicode code points
	Col16    int // 0-based, in UTF-16 code units (SARIF)
	Message  string
}

// classify turns an error from walking or reading into a Problem kind and
// message a user understands.
func classify(err error) (ProblemKind, string) {
	switch {
	case errors.Is(err, engine.ErrBinary):
		return ProblemBinary, "skipped: binary file (contains NUL bytes)"
	case errors.Is(err, syntax.ErrTooLarge):
		return ProblemTooLarge, "skipped: " + err.Error()
	case errors.Is(err, fs.ErrPermission):
		return ProblemUnreadable, "skipped: permission denied"
	case errors.Is(err, fs.ErrNotExist):
		return ProblemUnreadable, "no such file or directory"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "not a ") {
		return ProblemNotSource, "skipped: " + msg
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return ProblemUnreadable, "skipped: " + pe.Op + ": " + pe.Err.Error()
	}
	return ProblemUnreadable, "skipped: " + msg
}

// Fatal reports whether the problem makes the run exit 2: an explicit path
// that was not checked, or an analyzer crash anywhere (our bug, which may
// have hidden findings: a CI gate must not pass over it).
func (p Problem) Fatal() bool { return p.Explicit && !p.Checked || p.Kind == ProblemInternal }
