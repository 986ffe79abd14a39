package analysis

import (
	"sync"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// Facts is what a Frontend extracted from one file: small immutable values,
// never syntax trees (trees are large and not safe to share). Each language
// defines its own concrete type; its rule checks type-assert it.
type Facts interface {
	// Language is the language whose frontend produced these facts.
	Language() syntax.Language
}

// Frontend turns a parsed file into Facts.
type Frontend interface {
	// Relevant is the cheap text pre-filter: it returns false only when the
	// text cannot contain anything any rule of this language looks for, so the
	// file need not be parsed. It must never return false for a file that would
	// produce findings or facts other files depend on.
	Relevant(text []byte) bool

	// Summarize extracts the facts of a whole file. tree is the caller's own
	// copy (the frontend must not Close it). prev, when not nil, holds the facts
	// of an earlier version of the same file; frontends reuse the parts of it
	// whose source text is unchanged.
	Summarize(path string, text []byte, tree *syntax.Tree, prev Facts) Facts
}

// Edit describes one text change between two versions, in bytes: the old text's
// [Start, OldEnd) became the new text's [Start, NewEnd).
type Edit struct{ Start, OldEnd, NewEnd int }

// IncrementalFrontend is implemented by frontends that can bring facts up to
// date from the previous facts and the edits since, re-parsing only the
// top-level statements those edits touch, without waiting for the whole-file
// reparse. ok=false means "cannot tell from the edited region alone" and the
// caller falls back to Summarize on a fresh tree; when ok is true the result
// must equal Summarize on the new text.
type IncrementalFrontend interface {
	Frontend
	Update(path string, prev Facts, text []byte, edits []Edit) (facts Facts, ok bool)
}

// OpeningFrontend is implemented by frontends that can summarize a whole
// text without a whole-file tree faster than a parse plus Summarize, such as
// by parsing pieces of it in parallel. The server uses it when a document is
// opened (or replaced), where the user waits for the first diagnostics and
// no previous facts can be updated; the tree is built later, off that path.
// ok=false means the text could not be summarized that way (a syntax error,
// a text too small to split) and the caller parses the whole file; when ok
// is true the result must equal Summarize on a fresh parse. prev, when not
// nil, are earlier facts of the same file whose units may be reused.
// workers is how many pieces are parsed at once (0: one per core): a
// background job passes 1, which keeps one small tree alive at a time and
// leaves the other cores to the editor.
type OpeningFrontend interface {
	Frontend
	Open(path string, prev Facts, text []byte, workers int) (facts Facts, ok bool)
}

var (
	frontendsMu sync.RWMutex
	frontends   = map[syntax.Language]Frontend{}
)

// RegisterFrontend installs the frontend of a language (from the language
// package's init).
func RegisterFrontend(l syntax.Language, f Frontend) {
	frontendsMu.Lock()
	defer frontendsMu.Unlock()
	frontends[l] = f
}

// FrontendFor returns the language's frontend, or nil when none is linked in.
func FrontendFor(l syntax.Language) Frontend {
	frontendsMu.RLock()
	defer frontendsMu.RUnlock()
	return frontends[l]
}

// File is one file as the rules see it.
type File struct {
	Path  string // absolute OS path, or the client's URI for documents not on disk
	Lang  syntax.Language
	Facts Facts
	// Text is set for the file being checked (rules may read it to quote code
	// in messages) and nil for the other files of the Workspace.
	Text []byte
}

// Workspace gives checks read access to the other files' facts. Implementations
// are safe for concurrent use and return values that never change afterwards.
type Workspace interface {
	// File returns the file at path, or nil.
	File(path string) *File
	// Each calls fn for every file until fn returns false, in no set order.
	Each(fn func(*File) bool)
	// Generation changes whenever any file's facts change, so a language can
	// cache indexes it derives from the whole workspace.
	Generation() uint64
	// Roots are the workspace folders (absolute paths), for resolving imports.
	Roots() []string
}
