package syntax

import (
	sitter "github.com/smacker/go-tree-sitter"
)

// Tree is an immutable syntax tree of one text. It is NOT safe for concurrent
// use (smacker caches nodes in an unsynchronized map): give each reader its own
// Copy and Close it when done.
type Tree struct {
	t      *sitter.Tree
	lang   Language
	closed bool
}

// Parse parses text from scratch.
func Parse(l Language, text []byte) (*Tree, error) {
	t, err := parse(l, nil, text)
	if err != nil {
		return nil, err
	}
	return newTree(t, l), nil
}

func newTree(t *sitter.Tree, l Language) *Tree {
	liveObjects.Add(1)
	return &Tree{t: t, lang: l}
}

// Language is the grammar the tree was parsed with.
func (t *Tree) Language() Language { return t.lang }

// Copy returns an independent handle on the same tree (cheap: reference counted).
func (t *Tree) Copy() *Tree { return newTree(t.t.Copy(), t.lang) }

// Root is the top node of the tree.
func (t *Tree) Root() Node { return wrap(t.t.RootNode()) }

// Close frees the tree. Closing twice is harmless.
func (t *Tree) Close() {
	if t == nil || t.closed {
		return
	}
	t.closed = true
	t.t.Close()
	liveObjects.Add(-1)
}
