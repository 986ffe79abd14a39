package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"
)

// multifile is a FastAPI app whose routers live in their own modules: the
// items router is included without a limit (its two routes are flagged),
// the users router with one.
var multifile = map[string]string{
	"app/__init__.py": "",
	"app/main.py": `from fastapi import Depends, FastAPI
from fastapi_limiter.depends import RateLimiter

from .routers import items, users

app = FastAPI()
app.include_router(users.router, prefix="/users", dependencies=[Depends(RateLimiter(times=5, seconds=60))])
app.include_router(items.router, prefix="/items")
`,
	"app/routers/__init__.py": "",
	"app/routers/users.py": `from fastapi import APIRouter

router = APIRouter()

@router.post("/")
async def create_user():
    return {}
`,
	"app/routers/items.py": `from fastapi import APIRouter

router = APIRouter()

@router.post("/")
async def create_item():
    return {}

@router.get("/{id}")
async def read_item(id: int):
    return {}
`,
	"node_modules/pkg/server.py": appPy, // never indexed
}

// writeTree writes files under a fresh temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func folders(dir string) map[string]any {
	return map[string]any{"workspaceFolders": []any{map[string]any{"uri": pathToURI(dir), "name": "w"}}}
}

// progressKinds lists the kinds of $/progress values, in order.
func (e *fakeEditor) progressKinds() []string {
	var out []string
	for _, raw := range e.notesOf("$/progress") {
		var p struct {
			Value struct {
				Kind string `json:"kind"`
			} `json:"value"`
		}
		json.Unmarshal(raw, &p)
		out = append(out, p.Value.Kind)
	}
	return out
}

// sawEvent reports whether the server has passed a test milestone.
func (e *fakeEditor) sawEvent(what string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range e.events {
		if n.method == what {
			return true
		}
	}
	return false
}

func (e *fakeEditor) waitIndexed(runs int) {
	e.t.Helper()
	e.waitFor("the workspace index", func() bool {
		e.srv.indexing.mu.Lock()
		defer e.srv.indexing.mu.Unlock()
		return e.srv.indexing.runs >= runs
	})
}

func TestIndexWithProgressAndWatchers(t *testing.T) {
	dir := writeTree(t, multifile)
	e := newEditor(t)
	e.initialize(defaultCaps(), folders(dir))
	e.waitFor("progress end", func() bool {
		k := e.progressKinds()
		return len(k) > 0 && k[len(k)-1] == "end"
	})
	kinds := e.progressKinds()
	if kinds[0] != "begin" {
		t.Errorf("progress %v, want begin first", kinds)
	}
	if len(e.requestsOf("window/workDoneProgress/create")) != 1 {
		t.Error("no window/workDoneProgress/create before $/progress")
	}
	regs := e.requestsOf("client/registerCapability")
	if len(regs) != 1 || !strings.Contains(string(regs[0]), "workspace/didChangeWatchedFiles") || !strings.Contains(string(regs[0]), "**/*.{py") {
		t.Errorf("registrations %s", regs)
	}
	e.waitIndexed(1)
	items := filepath.Join(dir, "app", "routers", "items.py")
	if e.srv.engine.File(items) == nil {
		t.Error("items.py not indexed")
	}
	if e.srv.engine.File(filepath.Join(dir, "node_modules", "pkg", "server.py")) != nil {
		t.Error("node_modules indexed")
	}
	e.shutdown()
}

func TestIndexWithoutProgressSupport(t *testing.T) {
	dir := writeTree(t, multifile)
	e := newEditor(t)
	e.initialize(map[string]any{}, folders(dir))
	e.waitIndexed(1)
	if n := len(e.notesOf("$/progress")) + len(e.requestsOf("window/workDoneProgress/create")) + len(e.requestsOf("client/registerCapability")); n != 0 {
		t.Errorf("%d progress/registration messages to a client that supports neither", n)
	}
	e.shutdown()
}

// lastCount is the number of diagnostics in the newest publish for uri.
func (e *fakeEditor) lastCount(uri string) int {
	ps := e.publishes(uri)
	if len(ps) == 0 {
		return -1
	}
	return len(ps[len(ps)-1].Diagnostics)
}

// openProtectedMain opens items.py (flagged: main.py includes its router
// without a limit), then opens main.py and adds a limit to that include
// without saving; items.py is cleared. It returns the editor, the two URIs
// and the edited text of main.py.
func openProtectedMain(t *testing.T) (e *fakeEditor, itemsURI, mainURI, protected string) {
	dir := writeTree(t, multifile)
	e = newEditor(t)
	e.initialize(defaultCaps(), folders(dir))
	itemsURI = pathToURI(filepath.Join(dir, "app", "routers", "items.py"))
	e.open(itemsURI, "python", multifile["app/routers/items.py"])
	e.waitIndexed(1)
	e.waitFor("items.py flagged once main.py is indexed", func() bool { return e.lastCount(itemsURI) == 2 })

	mainURI = pathToURI(filepath.Join(dir, "app", "main.py"))
	e.open(mainURI, "python", multifile["app/main.py"])
	e.diagnosticsAt(mainURI, 1)
	line := `app.include_router(items.router, prefix="/items"`
	limit := `, dependencies=[Depends(RateLimiter(times=5, seconds=60))]`
	e.change(mainURI, edit{l1: 7, c1: len(line), l2: 7, c2: len(line), text: limit})
	protected = strings.Replace(multifile["app/main.py"], line, line+limit, 1)
	if e.text(mainURI) != protected {
		t.Fatalf("edited text:\n%s", e.text(mainURI))
	}
	e.waitFor("items.py cleared", func() bool { return e.lastCount(itemsURI) == 0 })
	return e, itemsURI, mainURI, protected
}

// An open buffer's unsaved change reaches the other open documents, and
// closing it restores the file's on-disk facts.
func TestCrossFileRecheck(t *testing.T) {
	e, itemsURI, mainURI, _ := openProtectedMain(t)
	e.close(mainURI)
	e.waitFor("items.py flagged again", func() bool { return e.lastCount(itemsURI) == 2 })
	e.shutdown()
}

// A modified buffer closed and opened again at once: the file on disk is
// re-parsed in the background, and the reopened buffer still wins, here
// with the re-parse held back until the reopened buffer is analyzed.
func TestReopenWhileClosedFileReindexes(t *testing.T) {
	e, _, mainURI, protected := openProtectedMain(t)
	mainPath, _ := uriToPath(mainURI)
	release := make(chan struct{})
	e.srv.testHookReindexClosed = func() { <-release }
	e.close(mainURI)
	e.open(mainURI, "python", protected)
	e.waitFor("the reopened buffer analyzed", func() bool {
		for _, dd := range e.srv.docs.all() {
			if dd.key == mainPath && dd.last() != nil {
				return true
			}
		}
		return false
	})
	close(release)
	e.waitFor("the closed file re-indexed", func() bool { return e.sawEvent("closed file reindexed") })
	// The index ends up with the reopened buffer's facts, not the disk's.
	e.waitFor("the index holding the reopened buffer's facts", func() bool {
		f := e.srv.engine.File(mainPath)
		for _, dd := range e.srv.docs.all() {
			if res := dd.last(); dd.key == mainPath && res != nil && f != nil {
				return f.Facts == res.facts
			}
		}
		return false
	})
	e.shutdown()
}

const lockoutPy = `from datetime import datetime, timedelta

MAX_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
failed = {}


def check_login_allowed(username: str) -> None:
    entry = failed.get(username)
    if entry and entry["count"] >= MAX_ATTEMPTS and datetime.now() - entry["last"] < LOCKOUT:
        raise PermissionError("account locked out")
`

func TestRelatedInformation(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	uri := "file:///w/lockout.py"
	e.open(uri, "python", lockoutPy)
	ds := e.diagnosticsAt(uri, 1)
	if len(ds) != 1 || ds[0].Code != "RATE002" {
		t.Fatalf("diagnostics %+v", ds)
	}
	rel := ds[0].RelatedInformation
	if len(rel) != 1 || rel[0].Location.URI != uri || rel[0].Location.Range.Start.Line != 9 || rel[0].Location.Range.Start.Character != 17 {
		t.Errorf("relatedInformation %+v, want %s 9:17", rel, uri)
	}
	e.shutdown()
}
