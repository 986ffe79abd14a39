package server

import (
	"context"
	"reflect"
	"testing"
)

func TestProgressSequence(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil) // no folders: no indexing progress
	p := e.srv.beginProgress(context.Background(), nil, "work")
	p.report("a", 10)
	p.report("b", 5)  // backwards: dropped
	p.report("c", 10) // no movement: dropped
	p.report("d", 50)
	p.end("done")
	p.end("again")       // once only
	p.report("late", 90) // after end: dropped
	e.waitFor("progress end", func() bool {
		k := e.progressKinds()
		return len(k) > 0 && k[len(k)-1] == "end"
	})
	if got := e.progressKinds(); !reflect.DeepEqual(got, []string{"begin", "report", "report", "end"}) {
		t.Errorf("progress %v", got)
	}
	if n := len(e.requestsOf("window/workDoneProgress/create")); n != 1 {
		t.Errorf("%d create requests", n)
	}
	// A token from the client is used as is, without create.
	q := e.srv.beginProgress(context.Background(), "client-token", "work")
	q.end("")
	if n := len(e.requestsOf("window/workDoneProgress/create")); n != 1 {
		t.Errorf("create sent for a client token")
	}
	e.shutdown()
}

func TestProgressInertWithoutSupport(t *testing.T) {
	e := newEditor(t)
	e.initialize(map[string]any{}, nil)
	p := e.srv.beginProgress(context.Background(), nil, "work")
	p.report("a", 50)
	p.end("")
	e.shutdown()
	if n := len(e.notesOf("$/progress")) + len(e.requestsOf("window/workDoneProgress/create")); n != 0 {
		t.Errorf("%d progress messages to a client without support", n)
	}
}
