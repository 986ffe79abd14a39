package server

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
)

// decodeBoth decodes a JSON value as documentText and as a plain string
// with the generic decoder; both must agree, errors included.
func decodeBoth(t *testing.T, quoted []byte) {
	t.Helper()
	var want string
	wantErr := json.Unmarshal(quoted, &want)
	var got documentText
	gotErr := json.Unmarshal(quoted, &got)
	if (wantErr != nil) != (gotErr != nil) {
		t.Fatalf("%q: error %v, generic decoder's %v", quoted, gotErr, wantErr)
	}
	if wantErr == nil && string(got) != want {
		t.Fatalf("%q: decoded %q, generic decoder %q", quoted, got, want)
	}
}

func TestDocumentTextDecodesLikeTheGenericDecoder(t *testing.T) {
	for _, s := range []string{
		`""`, `"plain"`, `"a\nb\r\n\tc"`, `"quote \" backslash \\ slash \/ \b \f"`,
		`"é 😀 中文"`, `"\u00e9\u4e2d"`, `"\u0000\u001f"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00x"`,
		`"bad \x escape"`, `"short \u12"`, `"\uZZZZ"`, `"trailing \"`, "\"raw \x01 control\"",
		"\"invalid \xff utf-8\"", "\"\xed\xa0\x80 encoded surrogate\"", `null`, `"unterminated`, `42`,
	} {
		decodeBoth(t, []byte(s))
	}
}

// A random mix of everything a JSON string can hold, encoded by the
// generic encoder and by hand (escapes it never writes, like \/ and \u of
// plain letters).
func TestDocumentTextRandomized(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	pieces := []string{"a", "def f():\n", "    ", "\t", "\r\n", "\"", "\\", "é", "😀", "中", "\x00", "\x1f", "\u2028", "/", "<>&"}
	raw := []string{`\/`, `\u0041`, `\u00E9`, `\ud83d\ude00`, `\b`, `\f`, `\n`, `\"`, `\\`, `\ud800`, `\udfff`}
	for i := 0; i < 3000; i++ {
		var plain strings.Builder
		for j := rng.Intn(40); j > 0; j-- {
			plain.WriteString(pieces[rng.Intn(len(pieces))])
		}
		enc, err := json.Marshal(plain.String())
		if err != nil {
			t.Fatal(err)
		}
		decodeBoth(t, enc)
		var hand strings.Builder
		hand.WriteByte('"')
		for j := rng.Intn(30); j > 0; j-- {
			if rng.Intn(2) == 0 {
				hand.WriteString(raw[rng.Intn(len(raw))])
			} else {
				e, _ := json.Marshal(pieces[rng.Intn(len(pieces))])
				hand.Write(e[1 : len(e)-1])
			}
		}
		hand.WriteByte('"')
		decodeBoth(t, []byte(hand.String()))
	}
}

func FuzzDocumentText(f *testing.F) {
	for _, s := range []string{`"a\nb"`, `"\ud83d\ude00"`, `"\u00e9"`, "\"\xff\"", `"\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { decodeBoth(t, b) })
}

// The decoded text reaches the document: didOpen params through the
// server's own decoding.
func TestDidOpenParamsDecodeText(t *testing.T) {
	text := "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get(\"/é\")\ndef f():\n\treturn {\"a\": \"😀\"}\n"
	raw, _ := json.Marshal(map[string]any{"textDocument": map[string]any{"uri": "file:///w/a.py", "languageId": "python", "version": 3, "text": text}})
	var p didOpenParams
	if err := decodeParams(raw, &p); err != nil {
		t.Fatal(err)
	}
	if string(p.TextDocument.Text) != text || p.TextDocument.Version != 3 {
		t.Fatalf("decoded %+v", p.TextDocument)
	}
}

func BenchmarkDidOpenParamsDecode(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 1000; i++ {
		sb.WriteString("@app.get(\"/items/x\")\n@rate_limit(requests=100, window=60)\nasync def read_item(item_id: int, q: str = None):\n    return {\"item_id\": item_id, \"q\": q}\n\n")
	}
	raw, _ := json.Marshal(map[string]any{"textDocument": map[string]any{"uri": "file:///x/app.py", "languageId": "python", "version": 1, "text": sb.String()}})
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		var p didOpenParams
		if err := decodeParams(raw, &p); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLargeDocumentNotificationsTakeTheFastPath(t *testing.T) {
	text := strings.Repeat("@app.get(\"/x\")\ndef f():\n\treturn 1\n", 2000)
	open, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen",
		"params": map[string]any{"textDocument": map[string]any{"uri": "file:///w/a.py", "languageId": "python", "version": 1, "text": text}}})
	msg, err := decodeMessage(open)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := msg.(*documentNotification)
	if !ok {
		t.Fatalf("decoded as %T", msg)
	}
	var req jsonrpc2.Request = n
	var p didOpenParams
	if err := decodeParams(req.Params(), &p); err != nil || string(p.TextDocument.Text) != text || req.Method() != "textDocument/didOpen" {
		t.Fatalf("method %q params %v (%v)", req.Method(), p.TextDocument.URI, err)
	}
	// Marshalled again, it is the same notification.
	again, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	back, err := jsonrpc2.DecodeMessage(again)
	if err != nil {
		t.Fatal(err)
	}
	if bn, ok := back.(*jsonrpc2.Notification); !ok || bn.Method() != "textDocument/didOpen" || len(bn.Params()) != len(n.Params()) {
		t.Fatalf("re-encoded as %T", back)
	}

	// Calls, ids, small bodies, other methods and other versions go through
	// the library.
	for name, body := range map[string]map[string]any{
		"call":      {"jsonrpc": "2.0", "id": 1, "method": "textDocument/didOpen", "params": map[string]any{"text": text}},
		"null id":   {"jsonrpc": "2.0", "id": nil, "method": "textDocument/didOpen", "params": map[string]any{"text": text}},
		"method":    {"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration", "params": map[string]any{"text": text}},
		"version":   {"jsonrpc": "1.0", "method": "textDocument/didOpen", "params": map[string]any{"text": text}},
		"no params": {"jsonrpc": "2.0", "method": "textDocument/didOpen", "pad": text},
		"small":     {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{"text": "x"}},
	} {
		raw, _ := json.Marshal(body)
		if n, ok := decodeDocumentNotification(raw); ok {
			t.Errorf("%s: took the fast path (%T)", name, n)
		}
	}
}

func BenchmarkDecodeDidOpenMessage(b *testing.B) {
	text := strings.Repeat("@app.get(\"/items/x\")\n@rate_limit(requests=100, window=60)\nasync def read_item(item_id: int, q: str = None):\n    return {\"item_id\": item_id, \"q\": q}\n\n", 1000)
	raw, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen",
		"params": map[string]any{"textDocument": map[string]any{"uri": "file:///x/app.py", "languageId": "python", "version": 1, "text": text}}})
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		if _, err := decodeMessage(raw); err != nil {
			b.Fatal(err)
		}
	}
}
