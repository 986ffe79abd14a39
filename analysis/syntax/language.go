// Package syntax keeps tree-sitter behind a small interface: languages, parsing,
// incremental documents, nodes and positions.
//
// smacker/go-tree-sitter is unmaintained and has sharp edges (see
// shared/docs/lsp-stack.md), so no other package imports it: a move to the
// official bindings stays a change to this package alone.
package syntax

import (
	"path/filepath"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/golang"
	"github.com/smacker/go-tree-sitter/javascript"
	"github.com/smacker/go-tree-sitter/python"
	"github.com/smacker/go-tree-sitter/typescript/tsx"
	"github.com/smacker/go-tree-sitter/typescript/typescript"
)

// Language is a grammar StableStack can parse. The zero value means "not supported".
type Language string

const (
	Python     Language = "python"
	JavaScript Language = "javascript" // also JSX: the JavaScript grammar parses it
	TypeScript Language = "typescript"
	TSX        Language = "tsx"
	Go         Language = "go"
)

// Languages lists every supported language, in a stable order.
var Languages = []Language{Python, JavaScript, TypeScript, TSX, Go}

// IsJS reports whether l is one of the JavaScript-family grammars, which share
// one analyzer.
func (l Language) IsJS() bool { return l == JavaScript || l == TypeScript || l == TSX }

// ForLanguageID maps an LSP languageId to a grammar.
func ForLanguageID(id string) (Language, bool) {
	switch id {
	case "python":
		return Python, true
	case "javascript", "javascriptreact":
		return JavaScript, true
	case "typescript":
		return TypeScript, true
	case "typescriptreact":
		return TSX, true
	case "go":
		return Go, true
	}
	return "", false
}

// ForPath picks the grammar from a file name's extension.
func ForPath(path string) (Language, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".py", ".pyi":
		return Python, true
	case ".js", ".mjs", ".cjs", ".jsx":
		return JavaScript, true
	case ".ts", ".mts", ".cts":
		return TypeScript, true
	case ".tsx":
		return TSX, true
	case ".go":
		return Go, true
	}
	return "", false
}

func (l Language) grammar() *sitter.Language {
	switch l {
	case Python:
		return python.GetLanguage()
	case JavaScript:
		return javascript.GetLanguage()
	case TypeScript:
		return typescript.GetLanguage()
	case TSX:
		return tsx.GetLanguage()
	case Go:
		return golang.GetLanguage()
	}
	return nil
}
