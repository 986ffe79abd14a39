package server

import (
	"slices"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// clientCapabilities is the part of ClientCapabilities this server reads.
// Declared here because go.lsp.dev/protocol v0.12.0 lacks the 3.17 fields
// (general.positionEncodings, textDocument.diagnostic).
type clientCapabilities struct {
	General struct {
		PositionEncodings []string `json:"positionEncodings"`
	} `json:"general"`
	Window struct {
		WorkDoneProgress bool `json:"workDoneProgress"`
	} `json:"window"`
	Workspace struct {
		ApplyEdit     bool `json:"applyEdit"`
		Configuration bool `json:"configuration"`
		WorkspaceEdit struct {
			DocumentChanges    bool     `json:"documentChanges"`
			ResourceOperations []string `json:"resourceOperations"`
		} `json:"workspaceEdit"`
		DidChangeWatchedFiles struct {
			DynamicRegistration bool `json:"dynamicRegistration"`
		} `json:"didChangeWatchedFiles"`
		DidChangeConfiguration struct {
			DynamicRegistration bool `json:"dynamicRegistration"`
		} `json:"didChangeConfiguration"`
		Diagnostics *struct {
			RefreshSupport bool `json:"refreshSupport"`
		} `json:"diagnostics"`
	} `json:"workspace"`
	TextDocument struct {
		PublishDiagnostics struct {
			RelatedInformation     bool `json:"relatedInformation"`
			VersionSupport         bool `json:"versionSupport"`
			CodeDescriptionSupport bool `json:"codeDescriptionSupport"`
			DataSupport            bool `json:"dataSupport"`
		} `json:"publishDiagnostics"`
		Diagnostic *struct {
			DynamicRegistration bool `json:"dynamicRegistration"`
		} `json:"diagnostic"`
		CodeAction struct {
			CodeActionLiteralSupport *struct {
				CodeActionKind struct {
					ValueSet []string `json:"valueSet"`
				} `json:"codeActionKind"`
			} `json:"codeActionLiteralSupport"`
			IsPreferredSupport bool `json:"isPreferredSupport"`
		} `json:"codeAction"`
	} `json:"textDocument"`
}

// resolvedCapabilities are the client capabilities as plain booleans,
// resolved once at initialize (the shape ruff's server uses), so handlers
// never probe nested optional fields.
type resolvedCapabilities struct {
	workDoneProgress      bool // window/workDoneProgress/create and $/progress
	applyEdit             bool // workspace/applyEdit
	configurationPull     bool // workspace/configuration
	documentChanges       bool // versioned TextDocumentEdits in WorkspaceEdit
	createFiles           bool // CreateFile operations in documentChanges
	watchedFilesDynamic   bool // client/registerCapability for didChangeWatchedFiles
	configurationDynamic  bool // client/registerCapability for didChangeConfiguration
	pullDiagnostics       bool // textDocument/diagnostic: the client pulls, we don't push
	diagnosticRefresh     bool // workspace/diagnostic/refresh
	codeActionLiterals    bool // CodeAction objects (else only Commands)
	relatedInformation    bool
	positionEncodingUTF8  bool // negotiated "utf-8" (else "utf-16")
	publishVersionSupport bool
}

func resolveCapabilities(c clientCapabilities) resolvedCapabilities {
	return resolvedCapabilities{
		workDoneProgress:     c.Window.WorkDoneProgress,
		applyEdit:            c.Workspace.ApplyEdit,
		configurationPull:    c.Workspace.Configuration,
		documentChanges:      c.Workspace.WorkspaceEdit.DocumentChanges,
		createFiles:          c.Workspace.WorkspaceEdit.DocumentChanges && slices.Contains(c.Workspace.WorkspaceEdit.ResourceOperations, "create"),
		watchedFilesDynamic:  c.Workspace.DidChangeWatchedFiles.DynamicRegistration,
		configurationDynamic: c.Workspace.DidChangeConfiguration.DynamicRegistration,
		pullDiagnostics:      c.TextDocument.Diagnostic != nil,
		diagnosticRefresh:    c.Workspace.Diagnostics != nil && c.Workspace.Diagnostics.RefreshSupport,
		codeActionLiterals:   c.TextDocument.CodeAction.CodeActionLiteralSupport != nil,
		relatedInformation:   c.TextDocument.PublishDiagnostics.RelatedInformation,
		// UTF-16 is mandatory for every client; UTF-8 is what tree-sitter
		// counts, so take it whenever it is offered.
		positionEncodingUTF8:  slices.Contains(c.General.PositionEncodings, "utf-8"),
		publishVersionSupport: c.TextDocument.PublishDiagnostics.VersionSupport,
	}
}

// encoding is the negotiated column unit.
func (r resolvedCapabilities) encoding() syntax.Encoding {
	if r.positionEncodingUTF8 {
		return syntax.UTF8
	}
	return syntax.UTF16
}

// encodingName is how the encoding is announced in capabilities.positionEncoding.
func encodingName(e syntax.Encoding) string {
	if e == syntax.UTF8 {
		return "utf-8"
	}
	return "utf-16"
}
