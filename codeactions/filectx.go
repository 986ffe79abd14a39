package codeactions

import (
	"errors"
	"os"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// fileCtx is one file being fixed: its text, a fresh parse of it (fixes read
// the syntax themselves instead of depending on each language's fact types)
// and the conventions new code must follow.
type fileCtx struct {
	req    *Request
	text   []byte
	tree   *syntax.Tree
	root   syntax.Node
	lang   syntax.Language
	family string // "python" or "node"
	nl     string // the file's line ending
	cfg    *analysis.Config

	imports importer // the file's import statements, per language
}

// importer knows a file's imports in its language: how code refers to an
// imported name, and the edits that add what is missing.
type importer interface {
	// ref is the expression that names n in this file: the alias of an
	// existing import, or the name a new import will bind.
	ref(n need) string
	// edits adds the imports needs refers to that the file lacks, once each.
	edits(needs []need) []Edit
}

func newFileCtx(req *Request) (*fileCtx, error) {
	f := req.File
	if f == nil {
		return nil, errors.New("codeactions: no file")
	}
	text := f.Text
	if text == nil {
		var err error
		if text, err = os.ReadFile(f.Path); err != nil {
			return nil, err
		}
	}
	family := Family(f.Lang)
	if family == "" {
		return nil, errors.New("codeactions: no fixes for " + string(f.Lang))
	}
	tree, err := syntax.Parse(f.Lang, text)
	if err != nil {
		return nil, err
	}
	cfg := req.Config
	if cfg == nil {
		cfg = analysis.DefaultConfig()
	}
	fc := &fileCtx{req: req, text: text, tree: tree, root: tree.Root(), lang: f.Lang,
		family: family, nl: newline(text), cfg: cfg}
	if family == "python" {
		fc.imports = newPythonImports(fc)
	} else {
		fc.imports = newNodeImports(fc)
	}
	return fc, nil
}

func (fc *fileCtx) close() { fc.tree.Close() }

func (fc *fileCtx) moduleExists() bool {
	if fc.req.ModuleExists != nil {
		return fc.req.ModuleExists(fc.family)
	}
	return ModuleFileExists(fc.req.File.Path, fc.family)
}

func (fc *fileCtx) importEdits(needs []need) []Edit {
	if len(needs) == 0 {
		return nil
	}
	return fc.imports.edits(needs)
}

// limits returns the configured limit the fixes write.
func (fc *fileCtx) limits() (requests, window int) {
	requests, window = fc.cfg.Requests, fc.cfg.Window
	if requests <= 0 {
		requests = 100
	}
	if window <= 0 {
		window = 60
	}
	return requests, window
}

// nodeAt returns the smallest node of one of kinds that contains off, or the
// null node.
func (fc *fileCtx) nodeAt(off int, kinds ...string) syntax.Node {
	var found syntax.Node
	fc.root.Walk(func(n syntax.Node) bool {
		if n.Start() > off || n.End() <= off {
			return false
		}
		for _, k := range kinds {
			if n.Kind() == k {
				found = n
			}
		}
		return true
	})
	return found
}
