package syntax

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// TestFlatLayout guards the assumptions flat_walk.go makes about memory it
// shares with C and smacker: ss_flat mirrors flatNode, and smacker's Node
// starts with the TSNode it wraps (followed by one pointer).
func TestFlatLayout(t *testing.T) {
	if got, want := unsafe.Sizeof(flatNode{}), uintptr(sizeofCFlat); got != want {
		t.Fatalf("flatNode is %d bytes, ss_flat %d", got, want)
	}
	if got := unsafe.Sizeof(sitter.Node{}); got != 32+unsafe.Sizeof(uintptr(0)) {
		t.Fatalf("smacker's Node is %d bytes: not a TSNode plus a pointer any more", got)
	}
}

// flatCorpus is the text the Flat tests read, by language: the corpus,
// randomly broken versions of it (ERROR and MISSING nodes), and every source
// file in the repository's test data.
func flatCorpus() map[Language][]string {
	texts := map[Language][]string{}
	fragments := []string{"", "x", "\n", "(", ")", ":", "'", "\"", "{", "}", ";", "=>", "<", "/*", "`"}
	for lang, src := range corpus {
		texts[lang] = append(texts[lang], src)
		rng := rand.New(rand.NewSource(int64(len(src))))
		for i := 0; i < 100; i++ {
			b := []byte(src)
			at := charBoundary(b, rng.Intn(len(b)+1))
			end := charBoundary(b, at+rng.Intn(min(8, len(b)-at)+1))
			texts[lang] = append(texts[lang], string(b[:at])+fragments[rng.Intn(len(fragments))]+string(b[end:]))
		}
	}
	root, _ := filepath.Abs("../..")
	for _, dir := range []string{"analysis/engine/testdata", "codeactions/testdata", "check/testdata", "examples"} {
		filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				if d != nil && d.Name() == "node_modules" {
					return filepath.SkipDir // installed packages, not test data
				}
				return nil
			}
			if l, ok := ForPath(p); ok {
				if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
					texts[l] = append(texts[l], string(b))
				}
			} else if strings.HasSuffix(p, ".txtar") {
				// Golden cases: the file sections are plain text after "-- name --" lines.
				b, _ := os.ReadFile(p)
				for _, sec := range strings.Split(string(b), "\n-- ")[1:] {
					name, body, _ := strings.Cut(sec, " --\n")
					if l, ok := ForPath(name); ok {
						texts[l] = append(texts[l], body)
					}
				}
			}
			return nil
		})
	}
	return texts
}

// TestFlatMatchesNode compares every node of a Flat with the Node it
// copies: kind, span, flags, children, and every field of the grammar, on
// the corpus, on randomly broken versions of it (ERROR and MISSING nodes)
// and on every source file in the repository's test data.
func TestFlatMatchesNode(t *testing.T) {
	checkNoLeaks(t)
	texts := flatCorpus()
	var f Flat
	nodes := 0
	for lang, list := range texts {
		var fieldNames []string
		for name := range tablesFor(lang).fields {
			fieldNames = append(fieldNames, name)
		}
		for _, src := range list {
			tree, err := Parse(lang, []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			fr := f.Load(lang, tree.Root())
			nodes += f.Len()
			if msg := compareFlat(fr, tree.Root(), fieldNames); msg != "" {
				t.Errorf("%s: %s\ntext:\n%s", lang, msg, src)
			}
			// Statements one at a time, as the frontends load them.
			tree.Root().Children(func(n Node) bool {
				if msg := compareFlat(f.Load(lang, n), n, fieldNames); msg != "" {
					t.Errorf("%s statement: %s", lang, msg)
				}
				return true
			})
			tree.Close()
		}
	}
	t.Logf("%d nodes compared", nodes)
}

// compareFlat walks both trees in step and describes the first difference.
func compareFlat(fn FlatNode, n Node, fieldNames []string) string {
	if fn.IsNull() != n.IsNull() {
		return "null differs"
	}
	if n.IsNull() {
		return ""
	}
	where := n.Kind() + " at " + itoa(n.Start())
	switch {
	case fn.Kind() != n.Kind():
		return where + ": kind " + fn.Kind()
	case fn.Start() != n.Start() || fn.End() != n.End():
		return where + ": span"
	case fn.IsNamed() != n.IsNamed(), fn.HasError() != n.HasError(), fn.IsError() != n.IsError():
		return where + ": flags"
	case fn.NamedChildCount() != n.NamedChildCount() || fn.ChildCount() != n.ChildCount():
		return where + ": child count"
	}
	for _, name := range fieldNames {
		a, b := fn.Field(name), n.Field(name)
		if !b.IsNull() && !isChild(n, b) {
			// This runtime's ts_node_child_by_field_name sometimes answers
			// with a grandchild (typeof a.b.c: the outer member_expression's
			// "property" is b); a FlatNode's fields are its own children.
			continue
		}
		if a.IsNull() != b.IsNull() || !a.IsNull() && (a.Start() != b.Start() || a.End() != b.End() || a.Kind() != b.Kind()) {
			return where + ": field " + name
		}
	}
	for i := 0; i < n.NamedChildCount(); i++ {
		if a, b := fn.NamedChild(i), n.NamedChild(i); a.Start() != b.Start() || a.Kind() != b.Kind() {
			return where + ": named child " + itoa(i)
		}
	}
	// Children by index (ts_node_child): Node.Children walks with a
	// cursor, which names comments under an aliased node by the alias.
	var kids []FlatNode
	fn.Children(func(c FlatNode) bool { kids = append(kids, c); return true })
	msg := ""
	for i := 0; i < n.ChildCount() && msg == ""; i++ {
		if kids[i].Parent() != fn {
			return where + ": parent"
		}
		msg = compareFlat(kids[i], n.Child(i), fieldNames)
	}
	if msg == "" {
		var walked []int
		fn.Walk(func(c FlatNode) bool { walked = append(walked, c.Start()); return true })
		var want []int
		n.Walk(func(c Node) bool { want = append(want, c.Start()); return true })
		if len(walked) != len(want) {
			return where + ": walk length"
		}
	}
	return msg
}

// isChild reports whether c is one of n's children.
func isChild(n, c Node) bool {
	for i := 0; i < n.ChildCount(); i++ {
		if k := n.Child(i); k.Start() == c.Start() && k.End() == c.End() && k.Kind() == c.Kind() {
			return true
		}
	}
	return false
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestFlatGrowsAndReloads loads a subtree bigger than the Flat's memory and
// a smaller one after it.
func TestFlatGrowsAndReloads(t *testing.T) {
	checkNoLeaks(t)
	src := strings.Repeat("app.get('/x', (req, res) => res.json({ a: [1, 2, 3] }));\n", 500)
	tree, err := Parse(JavaScript, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	var f Flat
	want := 0
	tree.Root().Walk(func(Node) bool { want++; return true })
	f.Load(JavaScript, tree.Root())
	if f.Len() != want {
		t.Fatalf("loaded %d nodes, want %d", f.Len(), want)
	}
	first := tree.Root().NamedChild(0)
	r := f.Load(JavaScript, first)
	if r.Start() != first.Start() || r.End() != first.End() || r.Parent() != (FlatNode{}) {
		t.Fatal("reload is not the statement")
	}
	if (FlatNode{}).Kind() != "" || !f.Load(JavaScript, Node{}).IsNull() {
		t.Fatal("null nodes")
	}
}

// TestSubtreeWalkMatchesCursor holds the direct subtree walk to the
// runtime's cursor walk, node for node (spans, kinds after aliases,
// fields, parents, subtree ends, flags), on every text of flatCorpus,
// whole and statement by statement, and on deep and wide trees that move
// its stack to the heap. Every grammar must pass the startup check: if a
// new go-tree-sitter changes the layouts, this fails here instead of
// leaving the server on the slow walk.
func TestSubtreeWalkMatchesCursor(t *testing.T) {
	checkNoLeaks(t)
	texts := flatCorpus()
	texts[JavaScript] = append(texts[JavaScript], "x = "+strings.Repeat("[", 3000)+strings.Repeat("]", 3000)+";\n",
		strings.Repeat("f(a, /* c */ b);\n", 5000))
	texts[Python] = append(texts[Python], "x = "+strings.Repeat("(", 500)+"1"+strings.Repeat(")", 500)+"\n")
	nodes := 0
	for lang, list := range texts {
		if !subtreeWalkOK(lang) {
			t.Fatalf("%s: the subtree walk failed its startup check", lang)
		}
		for _, src := range list {
			tree, err := Parse(lang, []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			compare := func(n Node) {
				fast, cursor := flatten(n.n, nil, true), flatten(n.n, nil, false)
				nodes += len(fast)
				if i := firstDifference(fast, cursor); i >= 0 {
					t.Errorf("%s: node %d differs: subtree walk %+v, cursor walk %+v (%d and %d nodes)\ntext:\n%s",
						lang, i, at(fast, i), at(cursor, i), len(fast), len(cursor), src)
				}
			}
			compare(tree.Root())
			tree.Root().Children(func(n Node) bool { compare(n); return true })
			tree.Close()
		}
	}
	t.Logf("%d nodes compared", nodes)
}

func firstDifference(a, b []flatNode) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

func at(nodes []flatNode, i int) flatNode {
	if i < len(nodes) {
		return nodes[i]
	}
	return flatNode{}
}

// TestSubtreeWalkRealCode compares the two walks on real code this machine
// has: npm's own JavaScript, Python's installed packages, and the JS/TS
// trees of STABLESTACK_JS_CODEBASES when set (scripts/real-codebases-js.sh).
// Every file is compared whole, and each of its top-level statements.
func TestSubtreeWalkRealCode(t *testing.T) {
	if testing.Short() {
		t.Skip("real code: skipped in -short mode")
	}
	checkNoLeaks(t)
	dirs := []string{"/usr/lib/node_modules/npm", "/usr/lib/python3/dist-packages"}
	if nm := os.Getenv("STABLESTACK_JS_CODEBASES"); nm != "" {
		dirs = append(dirs, nm)
	}
	files, nodes := 0, 0
	for _, dir := range dirs {
		if _, err := os.Stat(dir); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing: %v", dir, err)
			}
			t.Logf("SKIPPED LOUDLY: %s is missing", dir)
			continue
		}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			l, ok := ForPath(p)
			if err != nil || d.IsDir() || !ok {
				return nil
			}
			text, err := os.ReadFile(p)
			if err != nil || len(text) > MaxParseBytes {
				return nil
			}
			tree, err := Parse(l, text)
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			files++
			compare := func(n Node) bool {
				fast, cursor := flatten(n.n, nil, true), flatten(n.n, nil, false)
				nodes += len(fast)
				if i := firstDifference(fast, cursor); i >= 0 {
					t.Errorf("%s: node %d differs: subtree walk %+v, cursor walk %+v", p, i, at(fast, i), at(cursor, i))
					return false
				}
				return true
			}
			if compare(tree.Root()) {
				tree.Root().Children(compare)
			}
			return nil
		})
	}
	if files == 0 {
		t.Skip("SKIPPED LOUDLY: no real code found to compare the walks on")
	}
	t.Logf("%d files, %d nodes compared", files, nodes)
}
