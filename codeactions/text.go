package codeactions

import "bytes"

// Small helpers for editing text line by line while keeping the file's own
// conventions (line endings, indentation).

// newline is the file's line ending: "\r\n" when its first line ends so,
// otherwise "\n". Mixed files follow their first line.
func newline(text []byte) string {
	if i := bytes.IndexByte(text, '\n'); i > 0 && text[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// lineStart is the offset of the first byte of the line containing off.
func lineStart(text []byte, off int) int {
	return bytes.LastIndexByte(text[:off], '\n') + 1
}

// nextLineStart is the offset just after the line ending of the line that
// contains off, or len(text) on the last line.
func nextLineStart(text []byte, off int) int {
	if i := bytes.IndexByte(text[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(text)
}

// indentAt is the whitespace (spaces and tabs, exactly as written) that starts
// the line containing off.
func indentAt(text []byte, off int) string {
	s := lineStart(text, off)
	e := s
	for e < len(text) && (text[e] == ' ' || text[e] == '\t') {
		e++
	}
	return string(text[s:e])
}

// onlySpaceBefore reports whether nothing but indentation precedes off on its
// line.
func onlySpaceBefore(text []byte, off int) bool {
	for i := lineStart(text, off); i < off; i++ {
		if text[i] != ' ' && text[i] != '\t' {
			return false
		}
	}
	return true
}

// blankLine reports whether the line starting at off holds only whitespace.
func blankLine(text []byte, off int) bool {
	end := nextLineStart(text, off)
	return len(bytes.TrimSpace(text[off:end])) == 0
}

// endsWithNewline reports whether text ends in a line ending (or is empty).
func endsWithNewline(text []byte) bool {
	return len(text) == 0 || text[len(text)-1] == '\n'
}
