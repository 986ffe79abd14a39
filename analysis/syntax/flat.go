package syntax

import (
	"math"
	"sync"

	sitter "github.com/smacker/go-tree-sitter"
)

// Flat is a copy of one subtree's nodes in a Go slice, made by a single walk
// in C. Reading a FlatNode is plain Go: no cgo call, no allocation. Node,
// by contrast, crosses into C for every accessor, and smacker keeps a Go
// wrapper for every node ever touched in a map that lives as long as the
// tree; an analysis visiting every node of a 6 MB bundle spends most of its
// time (and hundreds of MB) there.
//
// A Flat holds no reference to the tree: it stays valid after the tree is
// closed. Load reuses its memory, so one Flat serves a loop over statements.
// A Flat is not safe for concurrent use while being loaded.
type Flat struct {
	nodes  []flatNode
	tables *langTables
}

// flatNode is one node; its children follow it in preorder and skip is the
// index just past its subtree. Mirrored by ss_flat in flat_walk.go.
type flatNode struct {
	start, end   uint32
	parent, skip int32
	sym, field   uint16
	flags        uint8
}

const (
	flagNamed    = 1
	flagMissing  = 2
	flagExtra    = 4
	flagHasError = 8
)

// errorSymbol is tree-sitter's ts_builtin_sym_error.
const errorSymbol = math.MaxUint16

// Load replaces f's contents with n's subtree and returns its root. l must
// be the language n was parsed with (Tree.Language). Several goroutines may
// Load nodes of one tree at once, each into its own Flat, once they hold
// the Nodes: Load reads the tree through the C runtime (safe for
// concurrent readers), never through smacker's node cache, which is not.
func (f *Flat) Load(l Language, n Node) FlatNode {
	if n.n == nil {
		f.nodes = f.nodes[:0]
		return FlatNode{}
	}
	f.tables = tablesFor(l)
	f.nodes = flatten(n.n, f.nodes, subtreeWalkOK(l))
	return FlatNode{f: f, i: 0}
}

// GetFlat takes a Flat from a pool shared by the frontends, which copy one
// statement or piece after another: a Flat keeps the memory of the largest
// subtree it held. PutFlat returns it; one grown past maxPooledFlatNodes
// (a huge statement of a bundle) is left to the collector rather than kept.
func GetFlat() *Flat { return flatPool.Get().(*Flat) }

// PutFlat returns a Flat taken with GetFlat; its nodes are invalid after.
func PutFlat(f *Flat) {
	if f.Len() <= maxPooledFlatNodes {
		flatPool.Put(f)
	}
}

var flatPool = sync.Pool{New: func() any { return new(Flat) }}

const maxPooledFlatNodes = 1 << 18 // 6 MB

// Len is the number of nodes loaded.
func (f *Flat) Len() int { return len(f.nodes) }

// langTables name a grammar's symbols and fields.
type langTables struct {
	kinds  []string          // by symbol
	fields map[string]uint16 // field name -> id
}

var tables sync.Map // Language -> *langTables

func tablesFor(l Language) *langTables {
	if t, ok := tables.Load(l); ok {
		return t.(*langTables)
	}
	g := l.grammar()
	t := &langTables{fields: map[string]uint16{}}
	if g != nil {
		t.kinds = make([]string, g.SymbolCount())
		for i := range t.kinds {
			t.kinds[i] = g.SymbolName(sitter.Symbol(i))
		}
		for id := 1; id < math.MaxUint16; id++ {
			name := g.FieldName(id)
			if name == "" {
				break
			}
			t.fields[name] = uint16(id)
		}
	}
	actual, _ := tables.LoadOrStore(l, t)
	return actual.(*langTables)
}

// FieldID is the id of a grammar field name (0 when the grammar has none):
// for hot loops, FieldByID skips the name lookup that Field does.
func FieldID(l Language, name string) uint16 { return tablesFor(l).fields[name] }

// FlatNode is a node of a Flat, with the read-only methods of Node. The
// zero FlatNode is "no node" (IsNull). It is valid until the Flat is
// loaded again.
type FlatNode struct {
	f *Flat
	i int32
}

func (n FlatNode) IsNull() bool { return n.f == nil }

func (n FlatNode) node() *flatNode { return &n.f.nodes[n.i] }

// Kind is the grammar's node type, as Node.Kind.
func (n FlatNode) Kind() string {
	if n.f == nil {
		return ""
	}
	s := n.node().sym
	if s == errorSymbol {
		return "ERROR"
	}
	if int(s) < len(n.f.tables.kinds) {
		return n.f.tables.kinds[s]
	}
	return ""
}

// Symbol is the grammar's numeric node type.
func (n FlatNode) Symbol() uint16 {
	if n.f == nil {
		return 0
	}
	return n.node().sym
}

func (n FlatNode) Start() int { return int(n.node().start) }
func (n FlatNode) End() int   { return int(n.node().end) }

// Text is the node's source text.
func (n FlatNode) Text(src []byte) string {
	if n.f == nil {
		return ""
	}
	d := n.node()
	return string(src[d.start:d.end])
}

// Bytes is the node's source text without copying it.
func (n FlatNode) Bytes(src []byte) []byte {
	if n.f == nil {
		return nil
	}
	d := n.node()
	return src[d.start:d.end]
}

func (n FlatNode) IsNamed() bool  { return n.f != nil && n.node().flags&flagNamed != 0 }
func (n FlatNode) HasError() bool { return n.f != nil && n.node().flags&flagHasError != 0 }
func (n FlatNode) IsError() bool {
	return n.f != nil && (n.node().sym == errorSymbol || n.node().flags&flagMissing != 0)
}
func (n FlatNode) IsExtra() bool { return n.f != nil && n.node().flags&flagExtra != 0 }

// Index is the node's position in the Flat (preorder; the loaded root is
// 0), -1 for the null node.
func (n FlatNode) Index() int {
	if n.f == nil {
		return -1
	}
	return int(n.i)
}

// FieldID is the id of the field the node is stored under in its parent
// (0 for none; see FieldID for names).
func (n FlatNode) FieldID() uint16 {
	if n.f == nil {
		return 0
	}
	return n.node().field
}

// Parent is the node's parent within the Flat (null at its root).
func (n FlatNode) Parent() FlatNode {
	if n.f == nil {
		return FlatNode{}
	}
	p := n.node().parent
	if p < 0 {
		return FlatNode{}
	}
	return FlatNode{n.f, p}
}

// Field returns the first child stored under a grammar field name.
func (n FlatNode) Field(name string) FlatNode {
	if n.f == nil {
		return FlatNode{}
	}
	id, ok := n.f.tables.fields[name]
	if !ok {
		return FlatNode{}
	}
	return n.FieldByID(id)
}

// FieldByID is Field with the id from FieldID. An ERROR node has no
// fields (as ts_node_child_by_field_name answers; the cursor would still
// name some of its children after a production they failed to complete).
func (n FlatNode) FieldByID(id uint16) FlatNode {
	if n.f == nil || id == 0 || n.f.nodes[n.i].sym == errorSymbol {
		return FlatNode{}
	}
	nodes := n.f.nodes
	for c, end := n.i+1, nodes[n.i].skip; c < end; c = nodes[c].skip {
		if nodes[c].field == id {
			return FlatNode{n.f, c}
		}
	}
	return FlatNode{}
}

// ChildCount counts every child, punctuation included.
func (n FlatNode) ChildCount() int {
	k := 0
	n.Children(func(FlatNode) bool { k++; return true })
	return k
}

// NamedChildCount counts the named children.
func (n FlatNode) NamedChildCount() int {
	k := 0
	n.NamedChildren(func(FlatNode) bool { k++; return true })
	return k
}

// Child is the i-th child (null when out of range).
func (n FlatNode) Child(i int) FlatNode {
	var out FlatNode
	n.Children(func(c FlatNode) bool {
		if i == 0 {
			out = c
			return false
		}
		i--
		return true
	})
	return out
}

// NamedChild is the i-th named child (null when out of range).
func (n FlatNode) NamedChild(i int) FlatNode {
	var out FlatNode
	n.NamedChildren(func(c FlatNode) bool {
		if i == 0 {
			out = c
			return false
		}
		i--
		return true
	})
	return out
}

// Children calls fn for each child in order until fn returns false.
func (n FlatNode) Children(fn func(FlatNode) bool) {
	if n.f == nil {
		return
	}
	nodes := n.f.nodes
	for c, end := n.i+1, nodes[n.i].skip; c < end; c = nodes[c].skip {
		if !fn(FlatNode{n.f, c}) {
			return
		}
	}
}

// NamedChildren is Children restricted to named nodes (no punctuation).
func (n FlatNode) NamedChildren(fn func(FlatNode) bool) {
	if n.f == nil {
		return
	}
	nodes := n.f.nodes
	for c, end := n.i+1, nodes[n.i].skip; c < end; c = nodes[c].skip {
		if nodes[c].flags&flagNamed != 0 && !fn(FlatNode{n.f, c}) {
			return
		}
	}
}

// Walk visits n and its descendants depth-first; returning false from fn
// skips that node's children.
func (n FlatNode) Walk(fn func(FlatNode) bool) {
	if n.f == nil {
		return
	}
	nodes := n.f.nodes
	for c, end := n.i, nodes[n.i].skip; c < end; {
		if fn(FlatNode{n.f, c}) {
			c++
		} else {
			c = nodes[c].skip
		}
	}
}
