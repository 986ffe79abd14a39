package server

import (
	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
)

// Opening a file sends its whole text in one notification, and the user
// waits for that file's first diagnostics. jsonrpc2.DecodeMessage reads the
// body through a streaming json.Decoder, which costs 0.65 ms on a 160 KB
// didOpen (a 1,000-route Python file) where a one-shot json.Parse of the
// same envelope takes 0.14 ms. Large didOpen and didChange notifications
// are decoded here instead; everything else, and anything this cannot
// decode, still goes through the library.

// largeDocumentMessage is the body size from which the fast path pays.
const largeDocumentMessage = 16 << 10

// documentNotification is a didOpen or didChange notification whose params
// were cut out of the body without copying. It embeds a *jsonrpc2.Notification
// with the method only, so it is a jsonrpc2.Request to the connection
// (notifications get no reply, and nothing type-switches on them except
// $/cancelRequest, which never takes this path).
type documentNotification struct {
	*jsonrpc2.Notification
	params json.RawMessage
}

// Params implements jsonrpc2.Request.
func (n *documentNotification) Params() json.RawMessage { return n.params }

// MarshalJSON implements json.Marshaler with the real params.
func (n *documentNotification) MarshalJSON() ([]byte, error) {
	full, err := jsonrpc2.NewNotification(n.Method(), n.params)
	if err != nil {
		return nil, err
	}
	return full.MarshalJSON()
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *documentNotification) UnmarshalJSON(data []byte) error {
	var full jsonrpc2.Notification
	if err := full.UnmarshalJSON(data); err != nil {
		return err
	}
	n.Notification, n.params = &full, full.Params()
	return nil
}

// decodeDocumentNotification decodes a large, valid JSON body that is a
// didOpen or didChange notification; ok is false for anything else.
func decodeDocumentNotification(body []byte) (msg jsonrpc2.Message, ok bool) {
	if len(body) < largeDocumentMessage {
		return nil, false
	}
	var env struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Method  string          `json:"method"`
		Params  json.RawMessage `json:"params"`
	}
	if _, err := json.Parse(body, &env, json.ZeroCopy); err != nil {
		return nil, false
	}
	if env.JSONRPC != "2.0" || env.ID != nil || env.Params == nil ||
		(env.Method != "textDocument/didOpen" && env.Method != "textDocument/didChange") {
		return nil, false
	}
	head, err := jsonrpc2.NewNotification(env.Method, nil)
	if err != nil {
		return nil, false
	}
	return &documentNotification{Notification: head, params: env.Params}, true
}
