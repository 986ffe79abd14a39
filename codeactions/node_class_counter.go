package codeactions

import "github.com/stablestack/stablestack/analysis"

func nodeReplaceClassCounter(fc *fileCtx, f analysis.Finding) (fix, bool) { return fix{}, false }
