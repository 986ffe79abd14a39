package syntax

import (
	"bytes"
	"fmt"

	sitter "github.com/smacker/go-tree-sitter"
)

// Document is a text plus its syntax tree, kept in step through edits:
// each Edit updates the text and tells the tree what moved (Tree.Edit), and one
// Reparse per batch reuses every unchanged subtree. That is what keeps the cost
// of a keystroke independent of the file's size.
//
// A Document is owned by one goroutine (the server's mutation path). Readers get
// immutable snapshots: Text() is never mutated in place, and Snapshot() returns
// a tree copy of their own.
type Document struct {
	lang    Language
	text    []byte
	tree    *sitter.Tree // nil when the text could not be parsed (too large)
	pending bool         // edits applied to text and tree, reparse not yet done
	err     error        // why tree is nil
}

// NewDocument parses text from scratch. A text that cannot be parsed (too
// large) still yields a Document, with Err set, so no state is lost.
func NewDocument(l Language, text []byte) *Document {
	d := &Document{lang: l, text: text}
	t, err := parse(l, nil, text)
	if err != nil {
		d.err = err
		return d
	}
	liveObjects.Add(1)
	d.tree = t
	return d
}

// NewUnparsedDocument holds text whose tree is built by the first Reparse:
// a server that can analyze a just-opened file without a whole-file tree
// (analysis.OpeningFrontend) builds it once the user is not waiting.
func NewUnparsedDocument(l Language, text []byte) *Document {
	return &Document{lang: l, text: text}
}

func (d *Document) Language() Language { return d.lang }

// Text is the current text. The slice is never modified afterwards.
func (d *Document) Text() []byte { return d.text }

// Err reports why the document has no tree, or nil.
func (d *Document) Err() error { return d.err }

// Edit replaces text[start:oldEnd] with newText. Offsets are bytes into the
// current text; out-of-range offsets are an error and change nothing.
func (d *Document) Edit(start, oldEnd int, newText []byte) error {
	if start < 0 || oldEnd < start || oldEnd > len(d.text) {
		return fmt.Errorf("syntax: edit [%d,%d) outside text of %d bytes", start, oldEnd, len(d.text))
	}
	old := d.text
	next := make([]byte, 0, len(old)-(oldEnd-start)+len(newText))
	next = append(next, old[:start]...)
	next = append(next, newText...)
	next = append(next, old[oldEnd:]...)
	d.text = next
	if d.tree == nil {
		return nil
	}
	startPt := pointAt(old, start)
	d.tree.Edit(sitter.EditInput{
		StartIndex:  uint32(start),
		OldEndIndex: uint32(oldEnd),
		NewEndIndex: uint32(start + len(newText)),
		StartPoint:  startPt,
		OldEndPoint: advance(startPt, old[start:oldEnd]),
		// smacker copies OldEndPoint into new_end_point regardless of this
		// field; positions are only read after Reparse, which recomputes them.
		NewEndPoint: advance(startPt, newText),
	})
	d.pending = true
	return nil
}

// Reparse brings the tree up to date after Edits: one incremental parse that
// reuses the old tree. A document whose text grew past the limit drops its
// tree (Err says why) and gets it back once the text shrinks.
func (d *Document) Reparse() error {
	if d.tree != nil && !d.pending {
		return nil
	}
	t, err := parse(d.lang, d.tree, d.text)
	if d.tree != nil {
		d.tree.Close()
		liveObjects.Add(-1)
		d.tree = nil
	}
	d.pending = false
	d.err = err
	if err != nil {
		return err
	}
	liveObjects.Add(1)
	d.tree = t
	return nil
}

// Snapshot returns the caller's own copy of the current tree, or nil when the
// document has none. The caller must Close it. Never call between Edit and
// Reparse: an edited tree's positions are wrong until it is reparsed.
func (d *Document) Snapshot() *Tree {
	if d.tree == nil || d.pending {
		return nil
	}
	return newTree(d.tree.Copy(), d.lang)
}

// Close frees the tree.
func (d *Document) Close() {
	if d.tree != nil {
		d.tree.Close()
		liveObjects.Add(-1)
		d.tree = nil
	}
}

// pointAt is the tree-sitter point (row, byte column) of offset off.
func pointAt(text []byte, off int) sitter.Point {
	row := bytes.Count(text[:off], []byte{'\n'})
	col := off
	if i := bytes.LastIndexByte(text[:off], '\n'); i >= 0 {
		col = off - i - 1
	}
	return sitter.Point{Row: uint32(row), Column: uint32(col)}
}

// advance moves p over inserted text.
func advance(p sitter.Point, s []byte) sitter.Point {
	n := bytes.Count(s, []byte{'\n'})
	if n == 0 {
		return sitter.Point{Row: p.Row, Column: p.Column + uint32(len(s))}
	}
	return sitter.Point{Row: p.Row + uint32(n), Column: uint32(len(s) - bytes.LastIndexByte(s, '\n') - 1)}
}
