package server

import (
	"net/url"
	"path/filepath"
	"runtime"
	"strings"

	"go.lsp.dev/uri"
)

// Documents are keyed by the exact URI string the client sent, and that
// string is echoed back unchanged: go.lsp.dev/uri's New re-encodes
// (VS Code's file:///c%3A/x comes back as file:///c:/x, a different
// document to the client) and URI.Filename panics on untitled: URIs.
// Conversion to a path happens only to compare with files on disk.

// uriToPath returns the OS path of a file: URI, and false for any other
// scheme (untitled:, vscode-notebook-cell:, ...).
func uriToPath(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || !strings.EqualFold(u.Scheme, "file") {
		return "", false
	}
	p := u.Path
	if p == "" {
		p = u.Opaque
	}
	if p == "" {
		return "", false
	}
	// file:///c:/x and file:///C%3A/x on Windows: drop the slash before the drive.
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' && isLetter(p[1]) {
		p = p[1:]
	}
	if u.Host != "" && u.Host != "localhost" {
		if runtime.GOOS != "windows" {
			return "", false // another machine's file: not on this disk
		}
		p = "//" + u.Host + p // UNC share
	}
	return filepath.Clean(filepath.FromSlash(p)), true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// pathToURI spells a path as a file: URI, for files the client has not
// opened (an open file is always referred to by the client's own URI).
func pathToURI(path string) string { return string(uri.File(path)) }

// docKey is the name a document has in the workspace index: its OS path
// for files, so an open buffer replaces the indexed file of the same name,
// and the URI itself for documents that are not files.
func docKey(u string) (key string, isFile bool) {
	if p, ok := uriToPath(u); ok {
		return p, true
	}
	return u, false
}
