// Package codeactions builds the edits behind StableStack's quick fixes,
// fix-all and workspace commands from analysis facts. It speaks in byte spans
// and file paths, never in protocol types: the server converts its results to
// LSP and the CLI applies them directly (check --fix).
package codeactions

import (
	"github.com/stablestack/stablestack/analysis"
)

// Kinds of action, as hierarchical dot-separated names (LSP CodeActionKind
// values, kept as plain strings here).
const (
	KindQuickFix = "quickfix"
	KindFixAll   = "source.fixAll.stablestack"
)

// Command names the server advertises and executes.
const (
	CommandAddRateLimiter      = "stablestack.addRateLimiter"
	CommandInstrumentWorkspace = "stablestack.instrumentWorkspace"
)

// Edit replaces Span of a file's current text with NewText.
type Edit struct {
	Span    analysis.Span
	NewText string
}

// NewFile is a file an action creates, such as the scaffolded limiter module.
type NewFile struct {
	Path    string // absolute path
	Content []byte
}

// Command is a server command an action runs instead of (or after) editing.
type Command struct {
	Title     string
	Name      string
	Arguments []any
}

// Action is one code action on one file.
type Action struct {
	Title     string
	Kind      string
	Preferred bool
	// Fixes lists the indexes (into Request.Findings) of the findings the
	// action resolves, so the client can show it next to those diagnostics.
	Fixes   []int
	Edits   []Edit    // edits to Request.File, non-overlapping
	Create  []NewFile // files to create before the edits apply
	Command *Command  // run by the client after the edits, or instead of them
}

// Request asks for the actions available in part of a file.
type Request struct {
	File     *analysis.File     // with Text set
	Findings []analysis.Finding // the file's current findings (same version as File.Text)
	Span     analysis.Span      // the selection or cursor the client asked about
	// Only restricts the kinds returned (hierarchically: "source" includes
	// "source.fixAll.stablestack"); empty means all kinds.
	Only      []string
	Automatic bool // triggered by the editor, not the user: quick fixes only
	Config    *analysis.Config
	// CanCreateFiles is true when the client can create files as part of an
	// edit; otherwise an action that needs the limiter module runs
	// CommandAddRateLimiter instead.
	CanCreateFiles bool
	// ModuleExists reports whether the scaffolded limiter module for a
	// language family ("python" or "node") is already in the project that
	// contains File.
	ModuleExists func(lang string) bool
}
