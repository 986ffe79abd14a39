package server

import (
	"context"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/codeactions"
)

// initializeParams is the part of InitializeParams the server reads.
type initializeParams struct {
	ProcessID  *int `json:"processId"`
	ClientInfo *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"clientInfo"`
	RootPath              string             `json:"rootPath"`
	RootURI               string             `json:"rootUri"`
	InitializationOptions json.RawMessage    `json:"initializationOptions"`
	Capabilities          clientCapabilities `json:"capabilities"`
	WorkspaceFolders      []workspaceFolder  `json:"workspaceFolders"`
}

type workspaceFolder struct {
	URI  string `json:"uri"`
	Name string `json:"name"`
}

// initializeResult is InitializeResult with the 3.17 fields.
type initializeResult struct {
	Capabilities serverCapabilities `json:"capabilities"`
	ServerInfo   serverInfo         `json:"serverInfo"`
}

type serverInfo struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type serverCapabilities struct {
	PositionEncoding       string                 `json:"positionEncoding"`
	TextDocumentSync       textDocumentSync       `json:"textDocumentSync"`
	CodeActionProvider     any                    `json:"codeActionProvider"`
	ExecuteCommandProvider executeCommandProvider `json:"executeCommandProvider"`
	DiagnosticProvider     *diagnosticOptions     `json:"diagnosticProvider,omitempty"`
	Workspace              workspaceCapabilities  `json:"workspace"`
}

type textDocumentSync struct {
	OpenClose bool `json:"openClose"`
	Change    int  `json:"change"` // 2 = Incremental
	Save      struct {
		IncludeText bool `json:"includeText"`
	} `json:"save"`
}

type codeActionOptions struct {
	CodeActionKinds []string `json:"codeActionKinds"`
	ResolveProvider bool     `json:"resolveProvider"`
}

type executeCommandProvider struct {
	Commands []string `json:"commands"`
}

// diagnosticOptions announces pull diagnostics (textDocument/diagnostic).
type diagnosticOptions struct {
	Identifier            string `json:"identifier"`
	InterFileDependencies bool   `json:"interFileDependencies"`
	WorkspaceDiagnostics  bool   `json:"workspaceDiagnostics"`
}

type workspaceCapabilities struct {
	WorkspaceFolders struct {
		Supported           bool `json:"supported"`
		ChangeNotifications bool `json:"changeNotifications"`
	} `json:"workspaceFolders"`
}

// serverName identifies the server in serverInfo and diagnostics' source.
const serverName = "stablestack"

// textDocumentSyncIncremental is TextDocumentSyncKind.Incremental.
const textDocumentSyncIncremental = 2

// initialize negotiates the position encoding, resolves the client's
// capabilities, reads the workspace folders and the settings passed as
// initializationOptions. Indexing starts once the client says initialized.
func (s *Server) initialize(_ context.Context, raw json.RawMessage) (any, error) {
	var p initializeParams
	if raw != nil {
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid initialize params: %v", err)
		}
	}
	s.caps = resolveCapabilities(p.Capabilities)
	s.enc = s.caps.encoding()
	roots := workspaceRoots(p)
	s.engine.SetRoots(roots)
	if len(p.InitializationOptions) > 0 && string(p.InitializationOptions) != "null" {
		s.applySettings(p.InitializationOptions, "initializationOptions")
	} else {
		s.loadConfig("initialize")
	}
	client := ""
	if p.ClientInfo != nil {
		client = p.ClientInfo.Name + " " + p.ClientInfo.Version
	}
	s.log.Info("initialize",
		zap.String("client", client),
		zap.String("positionEncoding", encodingName(s.enc)),
		zap.Strings("roots", roots),
		zap.Bool("pullDiagnostics", s.caps.pullDiagnostics))
	s.life.setPhase(phaseRunning)

	res := initializeResult{ServerInfo: serverInfo{Name: serverName, Version: s.version}}
	c := &res.Capabilities
	c.PositionEncoding = encodingName(s.enc)
	c.TextDocumentSync = textDocumentSync{OpenClose: true, Change: textDocumentSyncIncremental}
	if s.caps.codeActionLiterals {
		c.CodeActionProvider = codeActionOptions{CodeActionKinds: []string{codeactions.KindQuickFix, codeactions.KindFixAll}}
	} else {
		c.CodeActionProvider = true
	}
	c.ExecuteCommandProvider.Commands = []string{codeactions.CommandAddRateLimiter, codeactions.CommandInstrumentWorkspace}
	if s.caps.pullDiagnostics {
		c.DiagnosticProvider = &diagnosticOptions{Identifier: serverName, InterFileDependencies: true}
	}
	c.Workspace.WorkspaceFolders.Supported = true
	c.Workspace.WorkspaceFolders.ChangeNotifications = true
	return res, nil
}

// workspaceRoots are the folders to index: workspaceFolders, else rootUri,
// else the deprecated rootPath. Non-file folders cannot be walked and are
// skipped.
func workspaceRoots(p initializeParams) []string {
	var roots []string
	for _, f := range p.WorkspaceFolders {
		if path, ok := uriToPath(f.URI); ok {
			roots = append(roots, path)
		}
	}
	if len(roots) == 0 && p.RootURI != "" {
		if path, ok := uriToPath(p.RootURI); ok {
			roots = append(roots, path)
		}
	}
	if len(roots) == 0 && p.RootPath != "" {
		roots = append(roots, p.RootPath)
	}
	return roots
}

// initialized starts the background work the spec forbids before the
// initialize reply: fetching settings, registering file watchers, indexing.
func (s *Server) initialized(context.Context, json.RawMessage) (any, error) {
	s.publishConfigProblems()
	s.goBackground(s.startWorkspace)
	return nil, nil
}
