package server

import (
	"path/filepath"
	"testing"
)

func TestURIToPath(t *testing.T) {
	for _, tc := range []struct {
		uri  string
		path string
		ok   bool
	}{
		{"file:///home/me/app.py", "/home/me/app.py", true},
		{"file:///home/me/my%20app/x.py", "/home/me/my app/x.py", true},
		{"file:///c%3A/Users/me/app.py", "c:/Users/me/app.py", true}, // VS Code on Windows
		{"file:///C:/x.py", "C:/x.py", true},
		{"file://localhost/srv/x.py", "/srv/x.py", true},
		{"file://server/share/x.py", "", false}, // another host (a UNC share on Windows)
		{"FILE:///x.py", "/x.py", true},
		{"untitled:Untitled-1", "", false},
		{"vscode-notebook-cell:/x.ipynb#cell", "", false},
		{"file://", "", false},
		{"%%%", "", false},
	} {
		got, ok := uriToPath(tc.uri)
		if ok != tc.ok || filepath.ToSlash(got) != tc.path {
			t.Errorf("uriToPath(%q) = %q, %v; want %q, %v", tc.uri, got, ok, tc.path, tc.ok)
		}
	}
}

func TestDocKeyAndPathToURI(t *testing.T) {
	if key, isFile := docKey("untitled:Untitled-1"); key != "untitled:Untitled-1" || isFile {
		t.Errorf("untitled key %q %v", key, isFile)
	}
	if key, isFile := docKey("file:///w/a%20b.py"); key != "/w/a b.py" || !isFile {
		t.Errorf("file key %q %v", key, isFile)
	}
	if u := pathToURI("/w/a b.py"); u != "file:///w/a%20b.py" {
		t.Errorf("pathToURI = %q", u)
	}
	if p, _ := uriToPath(pathToURI("/w/é 😀/x.py")); p != "/w/é 😀/x.py" {
		t.Errorf("round trip %q", p)
	}
}
