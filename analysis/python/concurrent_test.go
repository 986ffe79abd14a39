package python_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stablestack/stablestack/analysis/engine"
)

// TestConcurrentChecks runs checks of several files at once against one
// workspace (as the server does for open documents), for the race detector:
// the shared index, its memo and its lazily built maps must be safe.
func TestConcurrentChecks(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"app/__init__.py": "",
		"app/main.py":     "from fastapi import FastAPI\nfrom .routes import router\napp = FastAPI()\napp.include_router(router)\n",
		"app/routes.py":   "from fastapi import APIRouter, Depends\nfrom .deps import check\nrouter = APIRouter()\n\n@router.post('/a')\ndef a(_=Depends(check)):\n    return {}\n\n@router.post('/b')\ndef b():\n    return {}\n",
		"app/deps.py":     "from fastapi import HTTPException\n\ndef check():\n    raise HTTPException(status_code=429)\n",
		"app/limits.py":   "hits = {}\n\ndef allow(ip):\n    if hits.get(ip, 0) > 10:\n        raise ValueError('too many requests')\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := engine.New(nil)
	e.SetRoots([]string{dir})
	indexed, err := e.Index(context.Background(), []string{dir}, engine.IndexOptions{Keep: func(engine.SourceFile) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"app/routes.py": 1, "app/limits.py": 1}
	var wg sync.WaitGroup
	for round := 0; round < 20; round++ {
		for _, ix := range indexed {
			if ix.File == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if got := len(e.Check(ix.File)); got != want[ix.Rel] {
					t.Errorf("%s: %d findings, want %d", ix.Rel, got, want[ix.Rel])
				}
			}()
		}
		if round%5 == 0 {
			e.Put(indexed[0].File) // a new generation: the index is rebuilt under the checks
		}
	}
	wg.Wait()
}
