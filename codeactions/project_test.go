package codeactions

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// project is a small project on disk, analyzed the way the CLI does it.
type project struct {
	dir string
	cfg *analysis.Config
	eng *engine.Engine
}

// newProject writes files (slash-separated relative names) into a temporary
// directory and indexes it.
func newProject(t *testing.T, files map[string][]byte, cfg *analysis.Config) *project {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), data)
	}
	p := &project{dir: dir, cfg: cfg}
	p.reindex(t)
	return p
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// reindex rebuilds the engine from the files on disk.
func (p *project) reindex(t *testing.T) {
	t.Helper()
	p.eng = engine.New(p.cfg)
	p.eng.SetRoots([]string{p.dir})
	_, err := p.eng.Index(context.Background(), []string{p.dir}, engine.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func (p *project) path(rel string) string { return filepath.Join(p.dir, filepath.FromSlash(rel)) }

// check returns the file (with its text) and its findings as the server sees
// them: the text on disk checked against the indexed workspace.
func (p *project) check(t *testing.T, rel string) (*analysis.File, []analysis.Finding) {
	t.Helper()
	return p.checkText(t, rel, p.read(t, rel))
}

// checkText checks text as the content of rel (an unsaved buffer).
func (p *project) checkText(t *testing.T, rel string, text []byte) (*analysis.File, []analysis.Finding) {
	t.Helper()
	path := p.path(rel)
	lang, ok := syntax.ForPath(path)
	if !ok {
		t.Fatalf("%s: unknown language", rel)
	}
	facts, err := engine.Summarize(path, lang, text, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	f := &analysis.File{Path: path, Lang: lang, Facts: facts, Text: text}
	p.eng.Put(f)
	return f, p.eng.Check(f)
}

func (p *project) read(t *testing.T, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(p.path(rel))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// parseErrors reports whether text has syntax errors in its language.
func parseErrors(t *testing.T, lang syntax.Language, text []byte) bool {
	t.Helper()
	tree, err := syntax.Parse(lang, text)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	return tree.Root().HasError()
}
