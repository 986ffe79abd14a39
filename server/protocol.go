package server

import (
	"go.lsp.dev/protocol"
)

// Wire types the pinned go.lsp.dev/protocol v0.12.0 gets wrong or lacks
// (shared/docs/lsp-stack.md). Positions, ranges and locations come from the
// library; everything with an optional field whose absence matters, or a
// 3.17 addition, is declared here next to the JSON it must produce.

// Method names not in go.lsp.dev/protocol v0.12.0.
const (
	methodPullDiagnostics   = "textDocument/diagnostic"
	methodDiagnosticRefresh = "workspace/diagnostic/refresh"
	methodCancelRequest     = "$/cancelRequest"
)

// LSP error codes beyond JSON-RPC's.
const (
	codeRequestCancelled = -32800
	codeContentModified  = -32801
)

// versionedURI is a VersionedTextDocumentIdentifier. Version is a pointer:
// "null" means the file on disk in a versioned edit.
type versionedURI struct {
	URI     string `json:"uri"`
	Version *int32 `json:"version"`
}

// textDocumentItem is the document sent with didOpen.
type textDocumentItem struct {
	URI        string       `json:"uri"`
	LanguageID string       `json:"languageId"`
	Version    int32        `json:"version"`
	Text       documentText `json:"text"`
}

type didOpenParams struct {
	TextDocument textDocumentItem `json:"textDocument"`
}

// contentChange is TextDocumentContentChangeEvent with a pointer range:
// protocol v0.12.0 uses a value, so a whole-document replacement (no range)
// decodes as an insertion at 0:0.
type contentChange struct {
	Range *protocol.Range `json:"range,omitempty"`
	Text  documentText    `json:"text"`
}

type didChangeParams struct {
	TextDocument struct {
		URI     string `json:"uri"`
		Version int32  `json:"version"`
	} `json:"textDocument"`
	ContentChanges []contentChange `json:"contentChanges"`
}

type documentParams struct {
	TextDocument struct {
		URI string `json:"uri"`
	} `json:"textDocument"`
}

// publishDiagnosticsParams carries the version as a pointer so that version 0
// is sent and "no version" (after close) is omitted.
type publishDiagnosticsParams struct {
	URI         string       `json:"uri"`
	Version     *int32       `json:"version,omitempty"`
	Diagnostics []diagnostic `json:"diagnostics"`
}

// diagnostic is an LSP Diagnostic with integer severity and a typed data payload.
type diagnostic struct {
	Range              protocol.Range       `json:"range"`
	Severity           int                  `json:"severity,omitempty"`
	Code               string               `json:"code,omitempty"`
	CodeDescription    *codeDescription     `json:"codeDescription,omitempty"`
	Source             string               `json:"source,omitempty"`
	Message            string               `json:"message"`
	RelatedInformation []relatedInformation `json:"relatedInformation,omitempty"`
	Data               *diagnosticData      `json:"data,omitempty"`
}

type codeDescription struct {
	Href string `json:"href"`
}

type relatedInformation struct {
	Location location `json:"location"`
	Message  string   `json:"message"`
}

// location is a Location keyed by the URI string the client knows.
type location struct {
	URI   string         `json:"uri"`
	Range protocol.Range `json:"range"`
}

// diagnosticData is the payload a quick fix is rebuilt from when the client
// sends the diagnostic back in codeAction's context: the finding's fix facts,
// plus the document version and byte span that identify the finding.
type diagnosticData struct {
	Version int32             `json:"version"`
	Start   int               `json:"start"`
	End     int               `json:"end"`
	Fix     map[string]string `json:"fix,omitempty"`
}

// logMessageParams is window/logMessage.
type logMessageParams struct {
	Type    int    `json:"type"`
	Message string `json:"message"`
}

// LSP MessageType values.
const (
	messageError   = 1
	messageWarning = 2
	messageInfo    = 3
	messageLog     = 4
)

// textEdit is a TextEdit.
type textEdit struct {
	Range   protocol.Range `json:"range"`
	NewText string         `json:"newText"`
}
