package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// client is a minimal LSP client: Content-Length framing, request/response
// matching, and a channel of publishDiagnostics notifications.
type client struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	mu    sync.Mutex // serializes writes
	next  int
	resp  map[int]chan json.RawMessage
	respM sync.Mutex
	diags chan published
}

type published struct {
	URI     string            `json:"uri"`
	Version *int              `json:"version"`
	Diags   []json.RawMessage `json:"diagnostics"`
	// at is when the message was fully received, before this client
	// decoded it: decoding 500 diagnostics with encoding/json takes
	// milliseconds of the harness's own time, which is not the server's
	// latency.
	at time.Time
}

func start(cmd *exec.Cmd) (*client, error) {
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &client{cmd: cmd, in: in, resp: map[int]chan json.RawMessage{}, diags: make(chan published, 1024)}
	go c.read(bufio.NewReaderSize(out, 1<<20))
	return c, nil
}

func (c *client) pid() int { return c.cmd.Process.Pid }

func (c *client) close() {
	c.in.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
	}
}

func (c *client) write(msg map[string]any) error {
	msg["jsonrpc"] = "2.0"
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err = fmt.Fprintf(c.in, "Content-Length: %d\r\n\r\n%s", len(data), data)
	return err
}

func (c *client) notify(method string, params any) {
	c.write(map[string]any{"method": method, "params": params})
}

func (c *client) call(method string, params any) (json.RawMessage, error) {
	c.respM.Lock()
	c.next++
	id := c.next
	ch := make(chan json.RawMessage, 1)
	c.resp[id] = ch
	c.respM.Unlock()
	if err := c.write(map[string]any{"id": id, "method": method, "params": params}); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("%s: no reply", method)
	}
}

func (c *client) read(r *bufio.Reader) {
	for {
		length := -1
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				close(c.diags)
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		if length < 0 {
			continue
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(r, body); err != nil {
			close(c.diags)
			return
		}
		at := time.Now()
		var msg struct {
			ID     *json.RawMessage `json:"id"`
			Method string           `json:"method"`
			Params json.RawMessage  `json:"params"`
			Result json.RawMessage  `json:"result"`
		}
		if json.Unmarshal(body, &msg) != nil {
			continue
		}
		switch {
		case msg.Method == "textDocument/publishDiagnostics":
			p := published{at: at}
			if json.Unmarshal(msg.Params, &p) == nil {
				c.diags <- p
			}
		case msg.Method != "" && msg.ID != nil:
			// A server->client request (progress, registration): accept it.
			c.write(map[string]any{"id": msg.ID, "result": nil})
		case msg.ID != nil:
			var id int
			if json.Unmarshal(*msg.ID, &id) == nil {
				c.respM.Lock()
				ch := c.resp[id]
				delete(c.resp, id)
				c.respM.Unlock()
				if ch != nil {
					ch <- msg.Result
				}
			}
		}
	}
}

// waitDiagnostics waits for the diagnostics of uri at exactly version and
// returns how many there were and when they arrived. Older versions are
// skipped; a newer one is an error (the harness sends one change at a time).
func (c *client) waitDiagnostics(uri string, version int, timeout time.Duration) (int, time.Time, error) {
	deadline := time.After(timeout)
	for {
		select {
		case p, ok := <-c.diags:
			if !ok {
				return 0, time.Time{}, fmt.Errorf("server closed the connection")
			}
			if p.URI != uri {
				continue
			}
			if p.Version == nil && len(p.Diags) == 0 {
				continue // the empty list that clears a closed document
			}
			if p.Version == nil {
				return 0, time.Time{}, fmt.Errorf("publishDiagnostics without a version")
			}
			if *p.Version == version {
				return len(p.Diags), p.at, nil
			}
			if *p.Version > version {
				return 0, time.Time{}, fmt.Errorf("got version %d while waiting for %d", *p.Version, version)
			}
		case <-deadline:
			return 0, time.Time{}, fmt.Errorf("no diagnostics for version %d within %v", version, timeout)
		}
	}
}
