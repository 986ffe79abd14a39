package server

import (
	"path/filepath"
	"reflect"
	"testing"

	"go.lsp.dev/jsonrpc2"
)

func TestInitializeResult(t *testing.T) {
	e := newEditor(t)
	res := e.initialize(defaultCaps(), nil)
	c := res.Capabilities
	if c.PositionEncoding != "utf-16" {
		t.Errorf("positionEncoding %q, want utf-16 when the client offers nothing", c.PositionEncoding)
	}
	if c.TextDocumentSync.Change != 2 || !c.TextDocumentSync.OpenClose {
		t.Errorf("textDocumentSync %+v, want incremental with open/close", c.TextDocumentSync)
	}
	if res.ServerInfo.Name != "stablestack" {
		t.Errorf("serverInfo %+v", res.ServerInfo)
	}
	if len(c.ExecuteCommandProvider.Commands) != 2 {
		t.Errorf("commands %v", c.ExecuteCommandProvider.Commands)
	}
	if c.DiagnosticProvider != nil {
		t.Error("diagnosticProvider announced to a client without pull support")
	}
	if err := e.call("initialize", map[string]any{"capabilities": map[string]any{}}, nil); err == nil || err.Code != jsonrpc2.InvalidRequest {
		t.Errorf("second initialize: got %v, want InvalidRequest", err)
	}
	e.shutdown()
}

func TestWorkspaceRoots(t *testing.T) {
	for _, tc := range []struct {
		p    initializeParams
		want []string
	}{
		{initializeParams{WorkspaceFolders: []workspaceFolder{{URI: "file:///a"}, {URI: "untitled:x"}, {URI: "file:///b%20c"}}, RootURI: "file:///r"}, []string{"/a", "/b c"}},
		{initializeParams{RootURI: "file:///r", RootPath: "/p"}, []string{"/r"}},
		{initializeParams{RootPath: "/p"}, []string{"/p"}},
		{initializeParams{}, nil},
	} {
		got := workspaceRoots(tc.p)
		for i := range got {
			got[i] = filepath.ToSlash(got[i])
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("workspaceRoots(%+v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

func TestInitializeWithoutParams(t *testing.T) {
	e := newEditor(t)
	var res initializeResult
	e.mustCall("initialize", nil, &res)
	if res.Capabilities.PositionEncoding != "utf-16" {
		t.Errorf("positionEncoding %q", res.Capabilities.PositionEncoding)
	}
	if res.Capabilities.CodeActionProvider != true {
		t.Errorf("codeActionProvider %v for a client without literal support, want true", res.Capabilities.CodeActionProvider)
	}
	e.shutdown()
}
