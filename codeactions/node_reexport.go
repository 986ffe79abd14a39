package codeactions

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// nodeWrapReexport is the fix for a Next.js route whose handler is
// re-exported from another module. A re-export binds no name in the route
// module, so there is nothing to wrap in place: the statement becomes an
// import of the handler and an export of it wrapped.
//
//	export { default } from '../../lib/handler'             (pages/api)
//	  -> import handler from '../../lib/handler'
//	     export default withRateLimit(handler, { requests: 100, window: 60 })
//	export { GET, POST } from '../../../lib/items'          (app/**/route)
//	  -> import { GET as GETHandler, POST as POSTHandler } from '../../../lib/items'
//	     export const GET = withRateLimit(GETHandler, { requests: 100, window: 60 })
//	     export const POST = withRateLimit(POSTHandler, { requests: 100, window: 60 })
//
// Specifiers without a finding stay re-exported. The fix replaces the
// statement, so it is offered as a quick fix of its own and left out of
// fix-all and fix-on-save, which only add text. It declines for type-only
// and namespace re-exports, string names and a taken local name.
func nodeWrapReexport(fc *fileCtx, f analysis.Finding) (fix, bool) {
	fw := f.Fix["framework"]
	if fw != "nextjs-app" && fw != "nextjs-pages" {
		return fix{}, false
	}
	exp := fc.nodeAt(f.Span.Start, "export_statement")
	source := exp.Field("source")
	if exp.IsNull() || source.IsNull() || fc.typeOnlyExport(exp) {
		return fix{}, false
	}
	clause := exportClause(exp)
	if clause.IsNull() {
		return fix{}, false // export * from '...'
	}
	mod := need{module: nodeFileName, name: nodeMiddleware[fw], limiter: true}
	wrapper := fc.imports.ref(mod)
	requests, window := fc.limits()
	opts := fmt.Sprintf("{ requests: %d, window: %d }", requests, window)
	semi := fc.semi()
	from := source.Text(fc.text)
	var kept, imported, exports []string
	defaultImport := ""
	ownFound, ok := false, true
	clause.NamedChildren(func(sp syntax.Node) bool {
		if sp.Kind() != "export_specifier" {
			return true
		}
		name, alias := sp.Field("name"), sp.Field("alias")
		exported := name
		if !alias.IsNull() {
			exported = alias
		}
		wrap := fc.flagged(f, sp)
		if fw == "nextjs-pages" {
			wrap = exported.Text(fc.text) == "default"
		}
		if !wrap {
			kept = append(kept, sp.Text(fc.text))
			return true
		}
		if name.Kind() != "identifier" || exported.Kind() != "identifier" {
			ok = false
			return false
		}
		ownFound = ownFound || (sp.Start() <= f.Span.Start && f.Span.Start < sp.End())
		orig, method := name.Text(fc.text), exported.Text(fc.text)
		local := method + "Handler"
		if fw == "nextjs-pages" {
			local = "handler"
		}
		if fc.nameUsed(local) {
			ok = false
			return false
		}
		switch {
		case fw == "nextjs-pages" && orig == "default":
			defaultImport = local
		case orig == local:
			imported = append(imported, orig)
		default:
			imported = append(imported, orig+" as "+local)
		}
		if fw == "nextjs-pages" {
			exports = append(exports, "export default "+wrapper+"("+local+", "+opts+")"+semi)
		} else {
			exports = append(exports, "export const "+method+" = "+wrapper+"("+local+", "+opts+")"+semi)
		}
		return true
	})
	if !ok || !ownFound || len(exports) == 0 {
		return fix{}, false
	}
	var lines []string
	switch {
	case defaultImport != "" && len(imported) > 0:
		lines = append(lines, "import "+defaultImport+", { "+strings.Join(imported, ", ")+" } from "+from+semi)
	case defaultImport != "":
		lines = append(lines, "import "+defaultImport+" from "+from+semi)
	default:
		lines = append(lines, "import { "+strings.Join(imported, ", ")+" } from "+from+semi)
	}
	if len(kept) > 0 {
		lines = append(lines, "export { "+strings.Join(kept, ", ")+" } from "+from+semi)
	}
	lines = append(lines, exports...)
	return fix{
		title:     fmt.Sprintf("Wrap the re-exported handler with a rate limit (%d requests / %d s)", requests, window),
		preferred: true,
		edits:     []Edit{{Span: analysis.Span{Start: exp.Start(), End: exp.End()}, NewText: strings.Join(lines, fc.nl)}},
		needs:     []need{mod},
		covers:    analysis.Span{Start: exp.Start(), End: exp.End()},
	}, true
}
