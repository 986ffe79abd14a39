package syntax

import (
	sitter "github.com/smacker/go-tree-sitter"
)

// Node is a syntax node; the zero Node is "no node" (IsNull reports true).
// Offsets are byte offsets into the parsed text.
type Node struct{ n *sitter.Node }

func wrap(n *sitter.Node) Node {
	if n == nil || n.IsNull() {
		return Node{}
	}
	return Node{n}
}

func (n Node) IsNull() bool { return n.n == nil }

// Kind is the grammar's node type, e.g. "decorated_definition".
func (n Node) Kind() string {
	if n.n == nil {
		return ""
	}
	return n.n.Type()
}

func (n Node) Start() int { return int(n.n.StartByte()) }
func (n Node) End() int   { return int(n.n.EndByte()) }

// Text is the node's source text.
func (n Node) Text(src []byte) string {
	if n.n == nil {
		return ""
	}
	return string(src[n.n.StartByte():n.n.EndByte()])
}

func (n Node) IsNamed() bool  { return n.n != nil && n.n.IsNamed() }
func (n Node) HasError() bool { return n.n != nil && n.n.HasError() }
func (n Node) IsError() bool  { return n.n != nil && (n.n.IsError() || n.n.IsMissing()) }

func (n Node) Parent() Node { return wrap(n.n.Parent()) }

// Field returns the child stored under a grammar field name ("function", "name", ...).
func (n Node) Field(name string) Node {
	if n.n == nil {
		return Node{}
	}
	return wrap(n.n.ChildByFieldName(name))
}

func (n Node) ChildCount() int      { return int(n.n.ChildCount()) }
func (n Node) NamedChildCount() int { return int(n.n.NamedChildCount()) }
func (n Node) Child(i int) Node     { return wrap(n.n.Child(i)) }
func (n Node) NamedChild(i int) Node {
	return wrap(n.n.NamedChild(i))
}

// Children calls fn for each child in order until fn returns false. It walks
// with a cursor: indexing children one by one costs O(i) per call in
// tree-sitter, which is quadratic on a module with thousands of statements.
func (n Node) Children(fn func(Node) bool) {
	if n.n == nil {
		return
	}
	c := sitter.NewTreeCursor(n.n)
	defer c.Close()
	if !c.GoToFirstChild() {
		return
	}
	for {
		if !fn(wrap(c.CurrentNode())) {
			return
		}
		if !c.GoToNextSibling() {
			return
		}
	}
}

// NamedChildren is Children restricted to named nodes (no punctuation).
func (n Node) NamedChildren(fn func(Node) bool) {
	n.Children(func(c Node) bool {
		if !c.IsNamed() {
			return true
		}
		return fn(c)
	})
}

// Walk visits n and its descendants depth-first; returning false from fn skips
// that node's children.
func (n Node) Walk(fn func(Node) bool) {
	if n.n == nil {
		return
	}
	c := sitter.NewTreeCursor(n.n)
	defer c.Close()
	for {
		if fn(wrap(c.CurrentNode())) && c.GoToFirstChild() {
			continue
		}
		for !c.GoToNextSibling() {
			if !c.GoToParent() {
				return
			}
			// Never climb above the starting node.
			if c.CurrentNode().Equal(n.n) {
				return
			}
		}
	}
}

// SExpr renders the subtree as an S-expression, for tests and debugging.
func (n Node) SExpr() string {
	if n.n == nil {
		return "()"
	}
	return n.n.String()
}
