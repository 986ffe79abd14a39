package codeactions

import (
	"github.com/stablestack/stablestack/analysis"
)

// Instrument applies the RATE001 fix to every unprotected route of files
// (stablestack.instrumentWorkspace and `stablestack check --fix`). findings
// maps a file's Path to its current findings; files without Text are read
// from disk. It returns the edits per file path and, when canCreate is set,
// the limiter modules to create (one per project and language, never one
// moduleExists already reports). Without canCreate the caller writes missing
// modules itself (scaffold.Write).
func Instrument(files []*analysis.File, findings map[string][]analysis.Finding, cfg *analysis.Config,
	canCreate bool, moduleExists func(path, lang string) bool) (edits map[string][]Edit, create []NewFile) {
	edits = map[string][]Edit{}
	created := map[string]bool{}
	for _, f := range files {
		var rate001 []analysis.Finding
		for _, fd := range findings[f.Path] {
			if fd.Rule == analysis.UnprotectedRoute {
				rate001 = append(rate001, fd)
			}
		}
		if len(rate001) == 0 || Family(f.Lang) == "" {
			continue
		}
		path := f.Path
		req := Request{
			File: f, Findings: rate001, Config: cfg, CanCreateFiles: canCreate,
			ModuleExists: func(lang string) bool {
				if created[ModulePath(path, lang)] {
					return true
				}
				if moduleExists != nil {
					return moduleExists(path, lang)
				}
				return ModuleFileExists(path, lang)
			},
		}
		a, ok := FixAll(req)
		if !ok {
			continue
		}
		edits[f.Path] = a.Edits
		for _, nf := range a.Create {
			if !created[nf.Path] {
				created[nf.Path] = true
				create = append(create, nf)
			}
		}
		// The .d.ts of the Node module is created with it: mark the module
		// itself so the next file of the project does not create it again.
		if len(a.Create) > 0 {
			created[ModulePath(path, Family(f.Lang))] = true
		}
	}
	return edits, create
}
