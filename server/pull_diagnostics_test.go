package server

import (
	"testing"
)

func pullCaps() map[string]any {
	caps := defaultCaps()
	td := caps["textDocument"].(map[string]any)
	td["diagnostic"] = map[string]any{"dynamicRegistration": false}
	caps["workspace"].(map[string]any)["diagnostics"] = map[string]any{"refreshSupport": true}
	return caps
}

func TestPullDiagnostics(t *testing.T) {
	e := newEditor(t)
	res := e.initialize(pullCaps(), nil)
	if res.Capabilities.DiagnosticProvider == nil || !res.Capabilities.DiagnosticProvider.InterFileDependencies {
		t.Fatalf("diagnosticProvider %+v", res.Capabilities.DiagnosticProvider)
	}
	uri := "file:///w/app.py"
	e.open(uri, "python", appPy)
	pull := func(prev string) fullReport {
		var r fullReport
		e.mustCall(methodPullDiagnostics, map[string]any{"textDocument": map[string]any{"uri": uri}, "previousResultId": prev}, &r)
		return r
	}
	r := pull("")
	if r.Kind != "full" || len(r.Items) != 1 || r.Items[0].Code != "RATE001" || r.ResultID == "" {
		t.Fatalf("first pull: %+v", r)
	}
	if again := pull(r.ResultID); again.Kind != "unchanged" || again.ResultID != r.ResultID {
		t.Errorf("same text: %+v, want unchanged", again)
	}
	// A pull right after a change answers for the new text.
	e.change(uri, edit{l1: 6, c1: 0, l2: 6, c2: 0, text: "@rate_limit(requests=1, window=1)\n"})
	if r2 := pull(r.ResultID); r2.Kind != "full" || len(r2.Items) != 0 {
		t.Errorf("after the change: %+v", r2)
	}
	// Documents not open get an empty full report.
	var other fullReport
	e.mustCall(methodPullDiagnostics, map[string]any{"textDocument": map[string]any{"uri": "file:///w/other.py"}}, &other)
	if other.Kind != "full" || len(other.Items) != 0 {
		t.Errorf("not open: %+v", other)
	}
	// Pull clients get no pushed diagnostics, not even on close.
	e.close(uri)
	e.shutdown()
	if ps := e.publishes(uri); len(ps) != 0 {
		t.Errorf("%d publishDiagnostics sent to a pull client", len(ps))
	}
}
