package codeactions

import (
	"github.com/stablestack/stablestack/analysis"
)

// nodeReplaceCounter is filled in by the JavaScript rewrite.
func nodeReplaceCounter(fc *fileCtx, f analysis.Finding, name string, requests, window int) (fix, bool) {
	return fix{}, false
}
