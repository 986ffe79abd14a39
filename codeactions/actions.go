package codeactions

import (
	"github.com/stablestack/stablestack/analysis"
)

// fix is one way to resolve one finding, before the imports it relies on are
// added: fixes of one file share a single import edit per module, so fix-all
// and the workspace command never add the same import twice.
type fix struct {
	title     string
	preferred bool
	// safe fixes may be applied without review: by fix-all, on save, and by
	// the workspace command. Rewrites that delete user code are not.
	safe    bool
	finding int // index into the findings of the file
	edits   []Edit
	needs   []need
	// covers is the code the fix makes safe: other findings of the same
	// kind starting inside it are fixed too (two route decorators on one
	// handler, one limiter below both).
	covers analysis.Span
	// also lists those other findings.
	also []int
}

// need is a name a fix's edits refer to and the file must import.
type need struct {
	module string // "stablestack_rate_limiter", "./stablestack-rate-limiter", "os"
	name   string // imported name; "" for a whole-module import (Python "import os")
	// limiter marks the scaffolded module: when it is missing from the
	// project, the action also creates it or runs the scaffold command.
	limiter bool
	// def asks for the module's default export bound to name (JavaScript:
	// import name from 'm' / const name = require('m')).
	def bool
	// provisionOnly: the fix writes the import itself (it replaces another
	// one); only the module's presence is needed.
	provisionOnly bool
}

// Actions returns the quick fixes for the findings of req.File that overlap
// req.Span: for each finding its rewrite(s) and an "Ignore ... for this line"
// action. Only filters kinds hierarchically. The fix-all source action is
// included only when Only asks for it by name or by a parent kind ("source",
// "source.fixAll"), never for an empty Only: that is how editors ask for it on
// save and in their "Source Action" menus, and it keeps it out of the light
// bulb.
func Actions(req Request) []Action {
	wantFixAll := len(req.Only) > 0 && explicitlyRequested(req.Only, KindFixAll)
	wantQuick := KindAllowed(req.Only, KindQuickFix)
	touched := false
	for _, f := range req.Findings {
		touched = touched || touches(f.Span, req.Span)
	}
	// Editors ask on every cursor move; most places have nothing to fix,
	// and those must not cost a parse.
	if !(wantQuick && touched) && !(wantFixAll && len(req.Findings) > 0) {
		return nil
	}
	fc, err := newFileCtx(&req)
	if err != nil {
		return nil
	}
	defer fc.close()
	var out []Action
	if wantQuick {
		for i, f := range req.Findings {
			if !touches(f.Span, req.Span) {
				continue
			}
			for _, fx := range fc.fixes(i, f) {
				a := fc.action([]fix{fx}, fx.title, KindQuickFix, fx.preferred)
				if !duplicate(out, a) {
					out = append(out, a)
				}
			}
			if ig, ok := fc.ignore(i, f); ok {
				// One comment silences every finding of the rule on the
				// line: one action for all of them.
				a := fc.action([]fix{ig}, ig.title, KindQuickFix, false)
				if j := sameAction(out, a); j >= 0 {
					out[j].Fixes = append(out[j].Fixes, a.Fixes...)
				} else {
					out = append(out, a)
				}
			}
		}
	}
	if wantFixAll {
		if a, ok := fc.fixAll(); ok {
			out = append(out, a)
		}
	}
	return out
}

// FixAll returns the source.fixAll.stablestack action for req.File: every safe
// fix of the file as one set of non-overlapping edits. A fix whose edits
// would touch those of an earlier one is left out (it stays available as a
// quick fix). ok is false when there is nothing to fix.
func FixAll(req Request) (Action, bool) {
	fc, err := newFileCtx(&req)
	if err != nil {
		return Action{}, false
	}
	defer fc.close()
	return fc.fixAll()
}

func (fc *fileCtx) fixAll() (Action, bool) {
	var taken []fix
	var edits []Edit
	done := map[int]bool{}
	for i, f := range fc.req.Findings {
		if done[i] {
			continue
		}
		for _, fx := range fc.fixes(i, f) {
			if !fx.safe || overlaps(edits, fx.edits) {
				continue
			}
			taken = append(taken, fx)
			edits = append(edits, fx.edits...)
			for _, k := range fx.also {
				done[k] = true
			}
			break // one fix per finding
		}
	}
	if len(taken) == 0 {
		return Action{}, false
	}
	return fc.action(taken, "Fix all StableStack problems", KindFixAll, false), true
}

// action turns fixes into one Action: their edits, one import edit per
// needed module, and the limiter module when a fix needs it and the project
// does not have it yet.
func (fc *fileCtx) action(fixes []fix, title, kind string, preferred bool) Action {
	a := Action{Title: title, Kind: kind, Preferred: preferred}
	var needs, imports []need
	for _, fx := range fixes {
		a.Fixes = append(a.Fixes, fx.finding)
		a.Fixes = append(a.Fixes, fx.also...)
		a.Edits = append(a.Edits, fx.edits...)
		needs = append(needs, fx.needs...)
		for _, n := range fx.needs {
			if !n.provisionOnly {
				imports = append(imports, n)
			}
		}
	}
	a.Edits = normalize(append(fc.relocate(fc.importEdits(imports), a.Edits), a.Edits...), len(fc.text))
	for _, n := range needs {
		if n.limiter && !fc.moduleExists() {
			a.Create, a.Command = moduleProvision(fc.req.File.Path, fc.family, fc.req.CanCreateFiles)
			break
		}
	}
	return a
}

// relocate moves import insertions that land inside code a fix deletes (a
// new import placed after an import the fix removes) to the start of that
// deletion, keeping a blank line between them and the code that follows.
func (fc *fileCtx) relocate(imports, edits []Edit) []Edit {
	for i, imp := range imports {
		if imp.Span.Start != imp.Span.End {
			continue
		}
		for _, e := range edits {
			if e.NewText != "" || !(e.Span.Start < imp.Span.Start && imp.Span.Start < e.Span.End) {
				continue
			}
			imports[i].Span = analysis.Span{Start: e.Span.Start, End: e.Span.Start}
			if e.Span.End < len(fc.text) && !blankLine(fc.text, e.Span.End) {
				imports[i].NewText += fc.nl
			}
		}
	}
	return imports
}

// fixes lists the rewrites available for one finding, best first.
func (fc *fileCtx) fixes(i int, f analysis.Finding) []fix {
	build := fixers[f.Fix["fix"]]
	if build == nil {
		return nil
	}
	out := build(fc, f)
	for j := range out {
		out[j].finding = i
		if out[j].covers == (analysis.Span{}) {
			continue
		}
		for k, g := range fc.req.Findings {
			if k != i && g.Rule == f.Rule && g.Fix["fix"] == f.Fix["fix"] &&
				out[j].covers.Start <= g.Span.Start && g.Span.Start < out[j].covers.End {
				out[j].also = append(out[j].also, k)
			}
		}
	}
	return out
}

// fixers build the rewrites of a finding from the kind of fix its rule
// recorded in Finding.Fix["fix"]; each dispatches on the language itself.
var fixers = map[string]func(*fileCtx, analysis.Finding) []fix{}

// touches reports whether a finding's span overlaps the requested span, or
// contains the cursor when the request is an empty span.
func touches(f, req analysis.Span) bool {
	if req.Start == req.End {
		return f.Start <= req.Start && req.Start <= f.End
	}
	return f.Start < req.End && req.Start < f.End
}

// duplicate reports whether an action with the same title and edits is
// already offered (one fix resolving two findings on the same handler).
func duplicate(list []Action, a Action) bool { return sameAction(list, a) >= 0 }

// sameAction is the index of an action of list with a's title and edits, or -1.
func sameAction(list []Action, a Action) int {
	for j, b := range list {
		if b.Title == a.Title && len(b.Edits) == len(a.Edits) {
			same := true
			for i := range a.Edits {
				same = same && a.Edits[i] == b.Edits[i]
			}
			if same {
				return j
			}
		}
	}
	return -1
}
