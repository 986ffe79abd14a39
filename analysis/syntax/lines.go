package syntax

import (
	"bytes"
	"unicode/utf8"
)

// Encoding is the unit in which a column counts characters. LSP clients use
// UTF-16 code units unless they negotiate otherwise; tree-sitter counts bytes.
type Encoding int

const (
	UTF16 Encoding = iota // LSP default: VS Code, Neovim 0.7, Eglot
	UTF8                  // bytes; offered first by Neovim 0.11+
	UTF32                 // code points (Unicode scalar values)
)

// LineIndex converts between byte offsets and (line, column) positions of one
// text. Building it is one pass over the text; lookups are a binary search
// plus a scan of one line.
type LineIndex struct {
	text   []byte
	starts []int // byte offset of the first byte of each line
}

// NewLineIndex indexes text. Lines end at "\n"; a "\r" before it belongs to the
// line's content, which matches how LSP clients count columns on CRLF files up
// to the line end.
func NewLineIndex(text []byte) *LineIndex {
	starts := make([]int, 1, 1+len(text)/32)
	for off := 0; ; {
		i := bytes.IndexByte(text[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		starts = append(starts, off)
	}
	return &LineIndex{text: text, starts: starts}
}

// Edited returns the index of text, the result of replacing [start, oldEnd)
// of x's text by text[start:newEnd]. Only the replaced lines are scanned;
// the line starts after them are copied and shifted, which on a 30,000-line
// file is a fraction of re-scanning it after every keystroke.
func (x *LineIndex) Edited(text []byte, start, oldEnd, newEnd int) *LineIndex {
	delta := newEnd - oldEnd
	if start < 0 || oldEnd < start || newEnd < start || oldEnd > len(x.text) || len(text) != len(x.text)+delta {
		return NewLineIndex(text)
	}
	// Lines starting at or before start are unchanged; those starting
	// after oldEnd move by delta; those in between are rescanned.
	first := x.Line(start) + 1 // first line start that may change
	last := first
	for last < len(x.starts) && x.starts[last] <= oldEnd {
		last++
	}
	added := bytes.Count(text[start:newEnd], []byte{'\n'})
	starts := make([]int, 0, first+added+len(x.starts)-last)
	starts = append(starts, x.starts[:first]...)
	for off := start; ; {
		i := bytes.IndexByte(text[off:newEnd], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		starts = append(starts, off)
	}
	for _, s := range x.starts[last:] {
		starts = append(starts, s+delta)
	}
	return &LineIndex{text: text, starts: starts}
}

// LineCount is the number of lines (a trailing newline starts an empty last line).
func (x *LineIndex) LineCount() int { return len(x.starts) }

// LineStart is the byte offset where line (0-based) begins.
func (x *LineIndex) LineStart(line int) int { return x.starts[line] }

// lineEnd is the offset of the line's terminating "\n" (or the text's end).
func (x *LineIndex) lineEnd(line int) int {
	if line+1 < len(x.starts) {
		return x.starts[line+1] - 1
	}
	return len(x.text)
}

// Line returns the 0-based line containing byte offset off.
func (x *LineIndex) Line(off int) int {
	lo, hi := 0, len(x.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if x.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// Position converts a byte offset to a 0-based line and a column in enc units.
// Offsets past the end clamp to the end; an offset inside a multi-byte
// character counts that character as not yet reached.
func (x *LineIndex) Position(off int, enc Encoding) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(x.text) {
		off = len(x.text)
	}
	line = x.Line(off)
	return line, columnOf(x.text[x.starts[line]:off], enc)
}

// Offset converts a 0-based line and a column in enc units to a byte offset.
// Positions past the end of a line clamp to the line's end, lines past the end
// of the text clamp to the text's end (as the LSP spec asks); clamped reports
// whether that happened, so callers can log it. A column inside a UTF-16
// surrogate pair resolves to the start of that character.
func (x *LineIndex) Offset(line, col int, enc Encoding) (off int, clamped bool) {
	if line < 0 || col < 0 {
		return 0, true
	}
	if line >= len(x.starts) {
		return len(x.text), true
	}
	start, end := x.starts[line], x.lineEnd(line)
	if enc == UTF8 {
		if start+col > end {
			return end, true
		}
		// Never split a character: back up to its first byte.
		off = start + col
		for off > start && off < end && !utf8.RuneStart(x.text[off]) {
			off--
		}
		return off, false
	}
	units := 0
	for off = start; off < end; {
		if units >= col {
			return off, false
		}
		r, size := utf8.DecodeRune(x.text[off:end])
		w := 1
		if enc == UTF16 && r >= 0x10000 && r != utf8.RuneError {
			w = 2
		}
		if units+w > col {
			return off, false
		}
		units += w
		off += size
	}
	return end, units < col
}

// columnOf counts the characters of a line prefix in enc units. Invalid UTF-8
// bytes count as one unit each, as U+FFFD does in UTF-16 and UTF-32.
func columnOf(prefix []byte, enc Encoding) int {
	switch enc {
	case UTF8:
		return len(prefix)
	case UTF32:
		return utf8.RuneCount(prefix)
	}
	n := 0
	for i := 0; i < len(prefix); {
		c := prefix[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(prefix[i:])
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}
