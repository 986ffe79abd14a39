package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lspSession runs "stablestack lsp" in process over pipes.
type lspSession struct {
	t      *testing.T
	in     *io.PipeWriter
	out    *bufio.Reader
	stderr bytes.Buffer
	code   chan int
}

func startLSP(t *testing.T, args ...string) *lspSession {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &lspSession{t: t, in: inW, out: bufio.NewReader(outR), code: make(chan int, 1)}
	go func() {
		s.code <- run(append([]string{"lsp"}, args...), inR, outW, &s.stderr)
		outW.Close()
	}()
	return s
}

func (s *lspSession) send(msg string) {
	s.t.Helper()
	if _, err := fmt.Fprintf(s.in, "Content-Length: %d\r\n\r\n%s", len(msg), msg); err != nil {
		s.t.Fatal(err)
	}
}

// next reads one message body.
func (s *lspSession) next() map[string]any {
	s.t.Helper()
	n := -1
	for {
		line, err := s.out.ReadString('\n')
		if err != nil {
			s.t.Fatalf("reading: %v", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			n, _ = strconv.Atoi(v)
		}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(s.out, body); err != nil {
		s.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		s.t.Fatalf("%v: %s", err, body)
	}
	return m
}

// reply waits for the response with id, skipping notifications.
func (s *lspSession) reply(id float64) map[string]any {
	s.t.Helper()
	for {
		m := s.next()
		if m["id"] == id && m["method"] == nil {
			return m
		}
	}
}

func (s *lspSession) exitCode() int {
	s.t.Helper()
	go io.Copy(io.Discard, s.out)
	select {
	case c := <-s.code:
		return c
	case <-time.After(20 * time.Second):
		s.t.Fatal("lsp did not exit")
		return -1
	}
}

func TestLSPCommandLifecycle(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "lsp.log")
	s := startLSP(t, "--stdio", "--clientProcessId=1", "--log-file", logFile, "--log-level", "debug")
	s.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`)
	res := s.reply(1)["result"].(map[string]any)
	if res["capabilities"].(map[string]any)["positionEncoding"] != "utf-16" {
		t.Errorf("initialize result %v", res)
	}
	s.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	s.send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"untitled:1","languageId":"python","version":1,"text":"from flask import Flask\napp = Flask(__name__)\n\n@app.route(\"/x\")\ndef x():\n    return \"\"\n"}}}`)
	for {
		m := s.next()
		if m["method"] == "textDocument/publishDiagnostics" {
			p := m["params"].(map[string]any)
			if n := len(p["diagnostics"].([]any)); n != 1 || p["version"] != 1.0 {
				t.Errorf("diagnostics %v", p)
			}
			break
		}
	}
	s.send(`{"jsonrpc":"2.0","id":2,"method":"shutdown","params":null}`)
	s.reply(2)
	s.send(`{"jsonrpc":"2.0","method":"exit","params":null}`)
	if code := s.exitCode(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	log, _ := os.ReadFile(logFile)
	if !strings.Contains(string(log), "initialize") {
		t.Errorf("log file: %s", log)
	}
	if s.stderr.Len() != 0 {
		t.Errorf("stderr written despite --log-file: %s", s.stderr.String())
	}
}

func TestLSPCommandExitWithoutShutdown(t *testing.T) {
	s := startLSP(t)
	s.in.Close() // the editor went away
	if code := s.exitCode(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}

func TestLSPCommandBadFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"lsp", "--log-level", "loud"}, strings.NewReader(""), &out, &errb); code != exitError {
		t.Errorf("bad level: exit %d", code)
	}
	if code := run([]string{"--stdio"}, strings.NewReader(""), &out, &errb); code != 1 {
		t.Errorf("--stdio alone runs the server (exit 1 on EOF without shutdown), got %d", code)
	}
	if out.Len() != 0 {
		t.Errorf("stdout must carry only the protocol: %q", out.String())
	}
}
