package server

import (
	"testing"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"
)

func TestWarningsMirroredToClient(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	e.srv.log.Info("an info line", zap.String("k", "v"))
	e.srv.log.Warn("a warning line", zap.String("k", "v"), zap.Stack("stack"))
	e.srv.log.Error("an error line")
	e.waitFor("the error in the editor's log", func() bool { return e.logged("an error line") })
	var types = map[string]int{}
	for _, raw := range e.notesOf("window/logMessage") {
		var p logMessageParams
		json.Unmarshal(raw, &p)
		types[p.Message] = p.Type
	}
	if types[`stablestack: a warning line	{"k": "v"}`] != messageWarning {
		t.Errorf("warning not mirrored with its fields and without the stack: %v", types)
	}
	if types["stablestack: an error line"] != messageError {
		t.Errorf("error not mirrored: %v", types)
	}
	if e.logged("an info line") {
		t.Error("info lines must stay in the log file")
	}
	e.shutdown()
}
