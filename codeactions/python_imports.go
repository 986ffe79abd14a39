package codeactions

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// pythonImports adds imports to a Python module the way isort (and ruff's
// "I" rules) would, which is also how most hand-kept files look: groups
// separated by blank lines (standard library, third party, first party), each
// kept sorted when it already is. The limiter module is first party: it lives
// in the project.
type pythonImports struct {
	fc    *fileCtx
	all   []pyImport // every top-level import statement
	block []pyImport // the leading run of imports, where new ones go
	// headerEnd is where a first import goes in a file without any: after
	// the docstring and leading comments.
	headerEnd int
	docstring bool
	// bound are the names the module binds at top level; a new import
	// that would shadow one is aliased instead (rate_limit as
	// stablestack_rate_limit).
	bound map[string]bool
}

// pyImport is one top-level import statement.
type pyImport struct {
	node     syntax.Node
	from     bool
	module   string            // "os", "fastapi.responses", ".views"
	names    map[string]string // from-import: name -> local alias
	modAlias string            // "import m as x": x; "import m": m
	wildcard bool
	last     syntax.Node // the last imported name (where ", name" goes)
	group    int         // index of its blank-line separated group in block
}

func newPythonImports(fc *fileCtx) *pythonImports {
	pi := &pythonImports{fc: fc, bound: map[string]bool{}}
	inBlock, group, prevEnd := true, 0, -1
	first := true
	fc.root.NamedChildren(func(n syntax.Node) bool {
		if n.Kind() == "comment" {
			return true
		}
		imp, ok := parsePyImport(n, fc.text)
		pi.bind(n, imp, ok)
		if first && !ok {
			if n.Kind() == "expression_statement" && n.NamedChild(0).Kind() == "string" {
				pi.docstring = true
				pi.headerEnd = nextLineStart(fc.text, n.End())
				first = false
				return true
			}
			pi.headerEnd = lineStart(fc.text, n.Start())
		}
		first = false
		if !ok {
			inBlock = false
			return true
		}
		pi.all = append(pi.all, imp)
		if inBlock {
			if prevEnd >= 0 && hasBlankLine(fc.text[prevEnd:n.Start()]) {
				group++
			}
			imp.group = group
			pi.block = append(pi.block, imp)
			prevEnd = n.End()
		}
		return true
	})
	return pi
}

// local is the name a missing import binds: the imported name, or an
// alias when the module already binds that name to something else.
func (pi *pythonImports) local(n need) string {
	if n.name == "" {
		return n.module
	}
	if pi.bound[n.name] {
		return "stablestack_" + n.name
	}
	return n.name
}

// importItem renders one imported name, aliased when needed.
func (pi *pythonImports) importItem(n need) string {
	if l := pi.local(n); l != n.name {
		return n.name + " as " + l
	}
	return n.name
}

// lookup finds an existing import that provides n.
func (pi *pythonImports) lookup(n need) (string, bool) {
	for _, imp := range pi.all {
		switch {
		case n.name == "" && !imp.from && imp.module == n.module:
			return imp.modAlias, true
		case n.name != "" && imp.from && imp.module == n.module:
			if alias, ok := imp.names[n.name]; ok {
				return alias, true
			}
			if imp.wildcard {
				return n.name, true
			}
		case n.name != "" && !imp.from && imp.module == n.module:
			return imp.modAlias + "." + n.name, true
		}
	}
	return "", false
}

func (pi *pythonImports) ref(n need) string {
	if r, ok := pi.lookup(n); ok {
		return r
	}
	return pi.local(n)
}

func (pi *pythonImports) edits(needs []need) []Edit {
	// Missing names, grouped by module, in a stable order.
	missing := map[string][]string{}
	plain := map[string]bool{}
	for _, n := range needs {
		if _, ok := pi.lookup(n); ok {
			continue
		}
		if n.name == "" {
			plain[n.module] = true
			continue
		}
		if item := pi.importItem(n); !contains(missing[n.module], item) {
			missing[n.module] = append(missing[n.module], item)
		}
	}
	var out []Edit
	for _, mod := range sortedKeys(plain) {
		out = append(out, pi.insert(pyImport{module: mod}, "import "+mod))
	}
	for _, mod := range sortedKeys(missing) {
		names := missing[mod]
		sort.Strings(names)
		// Extend an existing "from mod import ..." rather than add a line.
		if e, ok := pi.extend(mod, names); ok {
			out = append(out, e)
			continue
		}
		out = append(out, pi.insert(pyImport{from: true, module: mod}, "from "+mod+" import "+strings.Join(names, ", ")))
	}
	return out
}

func (pi *pythonImports) extend(mod string, names []string) (Edit, bool) {
	for _, imp := range pi.all {
		if imp.from && imp.module == mod && !imp.wildcard && !imp.last.IsNull() {
			at := imp.last.End()
			return Edit{Span: analysis.Span{Start: at, End: at}, NewText: ", " + strings.Join(names, ", ")}, true
		}
	}
	return Edit{}, false
}

// Import groups, in the order isort puts them.
const (
	classFuture = iota
	classStdlib
	classThirdParty
	classFirstParty
	classLocalFolder // relative imports: isort's last section
)

func (pi *pythonImports) class(imp pyImport) int {
	top := strings.SplitN(imp.module, ".", 2)[0]
	switch {
	case imp.module == "__future__":
		return classFuture
	case strings.HasPrefix(imp.module, "."):
		return classLocalFolder
	case pythonStdlib[top]:
		return classStdlib
	case top == pythonModule || pi.localModule(top):
		return classFirstParty
	}
	return classThirdParty
}

// localModule reports whether a top-level module is a file or package of
// the project (next to the file or at the project root).
func (pi *pythonImports) localModule(top string) bool {
	path := pi.fc.req.File.Path
	for _, dir := range []string{filepath.Dir(path), filepath.Dir(ModulePath(path, "python"))} {
		if exists(filepath.Join(dir, top+".py")) || exists(filepath.Join(dir, top, "__init__.py")) {
			return true
		}
	}
	return false
}

// groupClass is the class of a group of imports; mixed reports a group that
// holds more than one class (a file that does not separate them).
func (pi *pythonImports) groupClass(g int) (class int, mixed bool) {
	class = -1
	for _, imp := range pi.block {
		if imp.group != g {
			continue
		}
		c := pi.class(imp)
		if c == classFuture {
			if class < 0 {
				class = c
			}
			continue
		}
		if class >= 0 && class != classFuture && class != c {
			mixed = true
		}
		if c > class {
			class = c
		}
	}
	return class, mixed
}

// insert places a new import statement (line without line ending).
func (pi *pythonImports) insert(imp pyImport, line string) Edit {
	text, nl := pi.fc.text, pi.fc.nl
	if len(pi.block) == 0 {
		at := pi.headerEnd
		switch {
		case pi.docstring:
			return insertAt(at, nl+line+nl+blankAfter(text, at, nl))
		default:
			return insertAt(at, line+nl+blankAfter(text, at, nl))
		}
	}
	want := pi.class(imp)
	groups := pi.block[len(pi.block)-1].group + 1
	target := -1
	for g := 0; g < groups; g++ {
		c, mixed := pi.groupClass(g)
		if c == want || (groups == 1 && mixed) {
			target = g
			if want != classFirstParty {
				break // the first standard-library group; the last first-party one
			}
		}
	}
	if target >= 0 {
		return pi.insertInGroup(target, imp, line)
	}
	// A new group: after the last group that sorts before it, else first.
	after := -1
	for g := 0; g < groups; g++ {
		if c, _ := pi.groupClass(g); c < want {
			after = g
		}
	}
	if after < 0 {
		first := pi.block[0].node
		return insertAt(lineStart(text, first.Start()), line+nl+nl)
	}
	last := pi.lastOf(after)
	return pi.insertAfter(last, nl+line)
}

func (pi *pythonImports) lastOf(g int) syntax.Node {
	var last syntax.Node
	for _, imp := range pi.block {
		if imp.group == g {
			last = imp.node
		}
	}
	return last
}

// insertInGroup keeps a sorted group sorted (by isort's default order, plain
// imports before from-imports, or by module alone), else appends.
func (pi *pythonImports) insertInGroup(g int, imp pyImport, line string) Edit {
	var members []pyImport
	for _, m := range pi.block {
		if m.group == g {
			members = append(members, m)
		}
	}
	for _, key := range []func(pyImport) string{isortKey, moduleKey} {
		if !sort.SliceIsSorted(members, func(i, j int) bool { return key(members[i]) < key(members[j]) }) {
			continue
		}
		for _, m := range members {
			if key(imp) < key(m) && onlySpaceBefore(pi.fc.text, m.node.Start()) {
				return insertAt(lineStart(pi.fc.text, m.node.Start()), line+pi.fc.nl)
			}
		}
		break
	}
	return pi.insertAfter(members[len(members)-1].node, line)
}

func isortKey(m pyImport) string {
	if m.from {
		return "1" + strings.ToLower(m.module)
	}
	return "0" + strings.ToLower(m.module)
}

func moduleKey(m pyImport) string { return strings.ToLower(m.module) }

// insertAfter puts text on a new line after the statement n.
func (pi *pythonImports) insertAfter(n syntax.Node, text string) Edit {
	at := nextLineStart(pi.fc.text, n.End())
	if at == len(pi.fc.text) && !endsWithNewline(pi.fc.text) {
		return insertAt(at, pi.fc.nl+text)
	}
	return insertAt(at, text+pi.fc.nl)
}

func insertAt(at int, text string) Edit {
	return Edit{Span: analysis.Span{Start: at, End: at}, NewText: text}
}

// blankAfter returns a line ending when the line at off is not blank, so a
// new first import is separated from the code that follows.
func blankAfter(text []byte, off int, nl string) string {
	if off >= len(text) || blankLine(text, off) {
		return ""
	}
	return nl
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
