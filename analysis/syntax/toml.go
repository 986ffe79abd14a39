package syntax

import (
	"context"
	"fmt"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/toml"
)

// TOML is the grammar of configuration files (pyproject.toml,
// .stablestack.toml). It is not in Languages: nothing is analyzed in TOML,
// it is only read.
const TOML Language = "toml"

// ParseTOML parses a TOML document. Configuration is read rarely, so it uses
// a parser of its own rather than the pool.
func ParseTOML(text []byte) (*Tree, error) {
	if len(text) > MaxParseBytes {
		return nil, fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, len(text), MaxParseBytes)
	}
	ps := sitter.NewParser()
	defer ps.Close()
	ps.SetLanguage(toml.GetLanguage())
	t, err := ps.ParseCtx(context.Background(), nil, text)
	if err != nil {
		return nil, fmt.Errorf("syntax: parse toml: %w", err)
	}
	return newTree(t, TOML), nil
}
