package server

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWatchedFiles(t *testing.T) {
	dir := writeTree(t, multifile)
	e := newEditor(t)
	e.initialize(defaultCaps(), folders(dir))
	e.waitIndexed(1)
	extra := filepath.Join(dir, "app", "extra.py")
	os.WriteFile(extra, []byte("from .main import app\n\n@app.post(\"/feedback\")\nasync def feedback():\n    return {}\n"), 0o644)
	hidden := filepath.Join(dir, ".venv", "x.py")
	os.MkdirAll(filepath.Dir(hidden), 0o755)
	os.WriteFile(hidden, []byte(appPy), 0o644)
	e.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{
		map[string]any{"uri": pathToURI(extra), "type": fileCreated},
		map[string]any{"uri": pathToURI(hidden), "type": fileCreated},
	}})
	e.waitFor("extra.py indexed", func() bool { return e.srv.engine.File(extra) != nil })
	if e.srv.engine.File(hidden) != nil {
		t.Error("a file under .venv was indexed")
	}
	os.Remove(extra)
	e.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": pathToURI(extra), "type": fileDeleted}}})
	e.waitFor("extra.py removed", func() bool { return e.srv.engine.File(extra) == nil })

	// A file open in the editor: the buffer wins over the disk.
	itemsPath := filepath.Join(dir, "app", "routers", "items.py")
	itemsURI := pathToURI(itemsPath)
	e.open(itemsURI, "python", "x = 1\n")
	e.diagnosticsAt(itemsURI, 1)
	e.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": itemsURI, "type": fileChanged}}})
	// Deleted while open: the buffer stays, the close then drops the file.
	os.Remove(itemsPath)
	e.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": itemsURI, "type": fileDeleted}}})
	v := e.change(itemsURI, edit{full: true, text: multifile["app/routers/items.py"]})
	if ds := e.diagnosticsAt(itemsURI, v); len(ds) != 2 {
		t.Errorf("buffer of a deleted file: %v", codes(ds))
	}
	e.close(itemsURI)
	e.waitFor("deleted file dropped on close", func() bool { return e.srv.engine.File(itemsPath) == nil })
	e.shutdown()
}
