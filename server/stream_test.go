package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// rw joins a reader and a writer for the stream.
type rw struct {
	io.Reader
	io.Writer
}

func (rw) Close() error { return nil }

func frame(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }

func TestStreamSkipsMalformedFrames(t *testing.T) {
	good := `{"jsonrpc":"2.0","id":7,"method":"shutdown","params":null}`
	input := strings.Join([]string{
		frame(`{"jsonrpc":"2.0","id":1,"method":`), // truncated JSON
		frame(`[1,2,3]`),              // valid JSON, not a message
		"Content-Length: abc\r\n\r\n", // bad header, no body
		"content-length: " + fmt.Sprint(len(good)) + "\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + good, // lower-case header
	}, "")
	var out bytes.Buffer
	st := newStream(rw{strings.NewReader(input), &out}, zap.NewNop())
	msg, _, err := st.Read(context.Background())
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	call, ok := msg.(*jsonrpc2.Call)
	if !ok || call.Method() != "shutdown" || fmt.Sprint(call.ID()) != "7" {
		t.Fatalf("got %#v, want the shutdown call", msg)
	}
	replies := out.String()
	if strings.Count(replies, `"code":-32700`) != 1 || strings.Count(replies, `"code":-32600`) != 1 {
		t.Errorf("want one parse error and one invalid request reply, got %s", replies)
	}
	if !strings.Contains(replies, `"id":null`) {
		t.Errorf("error replies must carry id null: %s", replies)
	}
	if _, _, err := st.Read(context.Background()); err != io.EOF {
		t.Errorf("at the end: %v, want EOF", err)
	}
}

func TestStreamWritesOneFrame(t *testing.T) {
	var out bytes.Buffer
	st := newStream(rw{strings.NewReader(""), &out}, zap.NewNop())
	n, _ := jsonrpc2.NewNotification("x", map[string]int{"a": 1})
	if _, err := st.Write(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	body := `{"jsonrpc":"2.0","method":"x","params":{"a":1}}`
	if got := out.String(); got != frame(body) {
		t.Errorf("got %q, want %q", got, frame(body))
	}
}

// TestServerSurvivesGarbage drives a whole session with garbage between
// messages: the server keeps answering.
func TestServerSurvivesGarbage(t *testing.T) {
	e := newEditor(t)
	if err := e.st.writeFrame([]byte(`{not json`)); err != nil {
		t.Fatal(err)
	}
	e.pipe.Write([]byte("Content-Length: 5\r\n\r\n[1,2]"))
	e.initialize(defaultCaps(), nil)
	if code := e.shutdown(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
