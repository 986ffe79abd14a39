package codeactions

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// nodeImports adds imports to a JavaScript or TypeScript file in the file's
// own style: ES import or CommonJS require (whichever the file uses), its
// quote character, with or without semicolons, and in the group of relative
// imports when the file keeps one (eslint-plugin-import's order: packages,
// then parent and sibling modules).
type nodeImports struct {
	fc    *fileCtx
	esm   bool
	quote string // ' or "
	semi  bool
	decls []jsImport // the leading run of import / require declarations
	all   []jsImport
	// headerEnd is where a first import goes: after directives ('use strict',
	// 'use client') and a leading comment block.
	headerEnd int
	// relExt is the extension relative specifiers carry in this file ("" or
	// ".js"), so the new one resolves the way the others do.
	relExt string
	// bound are the names the file binds at top level; a new import that
	// would collide with one is aliased (rateLimit: stablestackRateLimit),
	// since redeclaring a const or an import is a syntax error.
	bound map[string]bool
}

// jsImport is one top-level import or require declaration.
type jsImport struct {
	node      syntax.Node
	source    string            // the specifier, without quotes
	names     map[string]string // imported name -> local name
	namespace string            // import * as ns / const ns = require(...)
	def       string            // import d from 'm' / const d = require('m')
	// listEnd is where ", name" goes to extend the named list ({ a, b }), or
	// -1 when the declaration has no list to extend.
	listEnd int
	group   int
	quote   string // the specifier's quote character
}

func newNodeImports(fc *fileCtx) *nodeImports {
	ni := &nodeImports{fc: fc, quote: "'", semi: true, bound: map[string]bool{}}
	hasImport, hasRequire := false, false
	inBlock, group, prevEnd := true, 0, -1
	first := true
	var quotes []string
	semis, stmts := 0, 0
	fc.root.NamedChildren(func(n syntax.Node) bool {
		if n.Kind() == "comment" {
			return true
		}
		if first && isDirective(n, fc.text) {
			ni.headerEnd = nextLineStart(fc.text, n.End())
			return true
		}
		if first {
			ni.headerEnd = lineStart(fc.text, n.Start())
			first = false
		}
		switch n.Kind() {
		case "import_statement", "export_statement":
			hasImport = true
		}
		if strings.HasSuffix(strings.TrimSpace(n.Text(fc.text)), ";") {
			semis++
		}
		stmts++
		ni.bind(n)
		imp, ok := parseJSImport(n, fc.text)
		if !ok {
			inBlock = false
			return true
		}
		if n.Kind() != "import_statement" {
			hasRequire = true
		}
		quotes = append(quotes, imp.quote)
		ni.all = append(ni.all, imp)
		if inBlock {
			if prevEnd >= 0 && hasBlankLine(fc.text[prevEnd:n.Start()]) {
				group++
			}
			imp.group = group
			ni.decls = append(ni.decls, imp)
			prevEnd = n.End()
		}
		return true
	})
	switch {
	case hasImport:
		ni.esm = true
	case hasRequire:
		ni.esm = false
	default:
		ni.esm = defaultESM(fc.req.File.Path, fc.lang)
	}
	if len(quotes) > 0 && quotes[0] != "" {
		ni.quote = quotes[0]
	} else if bytes.Count(fc.text, []byte{'"'}) > bytes.Count(fc.text, []byte{'\''}) {
		ni.quote = `"`
	}
	ni.semi = stmts == 0 || semis*2 >= stmts
	ni.relExt = ni.relativeExtension()
	return ni
}

// local is the name a missing import binds: the export's name, or
// stablestackName when the file already uses that name.
// semi is ";" when the file ends its statements with semicolons (as its
// imports show), for the statements a fix writes.
func (fc *fileCtx) semi() string {
	if ni, ok := fc.imports.(*nodeImports); ok && ni.semi {
		return ";"
	}
	return ""
}

func (ni *nodeImports) local(n need) string {
	if ni.bound[n.name] {
		return "stablestack" + strings.ToUpper(n.name[:1]) + n.name[1:]
	}
	return n.name
}

// importItem renders one named import, aliased when needed, in the
// file's module syntax.
func (ni *nodeImports) importItem(n need) string {
	l := ni.local(n)
	switch {
	case l == n.name:
		return n.name
	case ni.esm:
		return n.name + " as " + l
	}
	return n.name + ": " + l
}

// relativeExtension is ".js" when the file's relative specifiers carry a
// JavaScript extension (Node ES modules need one), or when the file is an ES
// module Node runs itself (.mjs, or "type": "module" with no bundler-style
// extensionless specifiers).
func (ni *nodeImports) relativeExtension() string {
	sawRel := false
	for _, imp := range ni.all {
		if !strings.HasPrefix(imp.source, ".") {
			continue
		}
		sawRel = true
		switch filepath.Ext(imp.source) {
		case ".js", ".mjs", ".cjs", ".jsx":
			return ".js"
		}
	}
	if sawRel || !ni.esm || ni.fc.lang != syntax.JavaScript {
		return ""
	}
	return ".js"
}

// moduleSpecifier is how this file names the limiter module.
func (ni *nodeImports) moduleSpecifier() string {
	mod := ModulePath(ni.fc.req.File.Path, "node")
	rel, err := filepath.Rel(filepath.Dir(ni.fc.req.File.Path), mod)
	if err != nil {
		rel = filepath.Base(mod)
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") {
		rel = "./" + rel
	}
	if strings.HasSuffix(rel, ".cjs") {
		return rel // an ES-module package: the extension is required
	}
	return strings.TrimSuffix(rel, ".js") + ni.relExt
}

// sameModule reports whether a specifier names the module spec (with or
// without an extension).
func sameModule(source, spec string) bool {
	strip := func(s string) string {
		for _, ext := range []string{".js", ".cjs", ".mjs"} {
			s = strings.TrimSuffix(s, ext)
		}
		return s
	}
	return strip(source) == strip(spec)
}

func (ni *nodeImports) resolve(n need) string {
	if n.limiter {
		return ni.moduleSpecifier()
	}
	return n.module
}

func (ni *nodeImports) lookup(n need) (string, bool) {
	spec := ni.resolve(n)
	for _, imp := range ni.all {
		if !sameModule(imp.source, spec) {
			continue
		}
		if n.def {
			if imp.def != "" {
				return imp.def, true
			}
			continue
		}
		if alias, ok := imp.names[n.name]; ok {
			return alias, true
		}
		if imp.namespace != "" {
			return imp.namespace + "." + n.name, true
		}
	}
	return "", false
}

func (ni *nodeImports) ref(n need) string {
	if r, ok := ni.lookup(n); ok {
		return r
	}
	return ni.local(n)
}

func (ni *nodeImports) edits(needs []need) []Edit {
	missing := map[string][]string{}
	defaults := map[string]string{}
	for _, n := range needs {
		if _, ok := ni.lookup(n); ok {
			continue
		}
		spec := ni.resolve(n)
		if n.def {
			defaults[spec] = ni.local(n)
			continue
		}
		if item := ni.importItem(n); !contains(missing[spec], item) {
			missing[spec] = append(missing[spec], item)
		}
	}
	var out []Edit
	for _, spec := range sortedKeys(defaults) {
		out = append(out, ni.insert(spec, ni.defaultDeclaration(spec, defaults[spec])))
	}
	for _, spec := range sortedKeys(missing) {
		names := missing[spec]
		sort.Strings(names)
		if e, ok := ni.extend(spec, names); ok {
			out = append(out, e)
			continue
		}
		out = append(out, ni.insert(spec, ni.declaration(spec, names)))
	}
	return out
}

func (ni *nodeImports) extend(spec string, names []string) (Edit, bool) {
	for _, imp := range ni.all {
		if sameModule(imp.source, spec) && imp.listEnd >= 0 {
			return insertAt(imp.listEnd, ", "+strings.Join(names, ", ")), true
		}
	}
	return Edit{}, false
}

// declaration renders `import { a } from './m';` or
// `const { a } = require('./m');` in the file's style.
func (ni *nodeImports) declaration(spec string, names []string) string {
	q := ni.quote
	s := ""
	if ni.esm {
		s = "import { " + strings.Join(names, ", ") + " } from " + q + spec + q
	} else {
		s = "const { " + strings.Join(names, ", ") + " } = require(" + q + spec + q + ")"
	}
	if ni.semi {
		s += ";"
	}
	return s
}

// defaultDeclaration renders `import name from 'm';` or
// `const name = require('m');`.
func (ni *nodeImports) defaultDeclaration(spec, name string) string {
	q := ni.quote
	s := "const " + name + " = require(" + q + spec + q + ")"
	if ni.esm {
		s = "import " + name + " from " + q + spec + q
	}
	if ni.semi {
		s += ";"
	}
	return s
}

// insert places a new declaration: in the last group when it holds relative
// imports (kept sorted if it is), as a new group after several package-only
// groups, else at the end of the only group.
func (ni *nodeImports) insert(spec, line string) Edit {
	text, nl := ni.fc.text, ni.fc.nl
	if len(ni.decls) == 0 {
		at := ni.headerEnd
		prefix := ""
		if at > 0 && !blankLine(text, lineStart(text, at-1)) && at == nextLineStart(text, at-1) && ni.headerIsDirective(at) {
			prefix = nl
		}
		return insertAt(at, prefix+line+nl+blankAfter(text, at, nl))
	}
	if !strings.HasPrefix(spec, ".") {
		// A package: after the last package import, before relative ones.
		var lastPkg syntax.Node
		for _, d := range ni.decls {
			if !strings.HasPrefix(d.source, ".") {
				lastPkg = d.node
			}
		}
		if lastPkg.IsNull() {
			return insertAt(lineStart(text, ni.decls[0].node.Start()), line+nl)
		}
		return ni.after(lastPkg, line)
	}
	lastGroup := ni.decls[len(ni.decls)-1].group
	var members []jsImport
	relative := false
	for _, d := range ni.decls {
		if d.group == lastGroup {
			members = append(members, d)
			relative = relative || strings.HasPrefix(d.source, ".")
		}
	}
	last := members[len(members)-1].node
	if !relative && lastGroup > 0 {
		return ni.after(last, nl+line)
	}
	if relative && sort.SliceIsSorted(members, func(i, j int) bool { return members[i].source < members[j].source }) {
		for _, m := range members {
			if spec < m.source && onlySpaceBefore(text, m.node.Start()) {
				return insertAt(lineStart(text, m.node.Start()), line+nl)
			}
		}
	}
	return ni.after(last, line)
}

// headerIsDirective reports whether the text before at ends with a directive
// ('use strict'), which a blank line should separate from the imports.
func (ni *nodeImports) headerIsDirective(at int) bool {
	prev := strings.TrimSpace(string(ni.fc.text[lineStart(ni.fc.text, at-1):at]))
	return strings.HasPrefix(prev, "'use ") || strings.HasPrefix(prev, `"use `)
}

func (ni *nodeImports) after(n syntax.Node, text string) Edit {
	at := nextLineStart(ni.fc.text, n.End())
	if at == len(ni.fc.text) && !endsWithNewline(ni.fc.text) {
		return insertAt(at, ni.fc.nl+text)
	}
	return insertAt(at, text+ni.fc.nl)
}
