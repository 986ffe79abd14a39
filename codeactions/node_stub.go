package codeactions

import "github.com/stablestack/stablestack/analysis"

type nodeImports struct{ fc *fileCtx }

func newNodeImports(fc *fileCtx) *nodeImports     { return &nodeImports{fc: fc} }
func (ni *nodeImports) ref(n need) string         { return n.name }
func (ni *nodeImports) edits(needs []need) []Edit { return nil }

func nodeAddRateLimit(fc *fileCtx, f analysis.Finding) (fix, bool) { return fix{}, false }
