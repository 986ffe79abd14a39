package python

// pyKeywords are words that look like names but are not.
var pyKeywords = map[string]bool{
	"None": true, "True": true, "False": true, "and": true, "or": true, "not": true, "in": true,
	"is": true, "if": true, "else": true, "for": true, "lambda": true, "await": true, "async": true,
	"yield": true, "from": true,
}

// namesInText is namesIn over source text: dotted names (a, a.b.c) outside
// strings and comments, except keyword-argument names (name=value) and
// Python keywords, in order of appearance, without duplicates, at most
// maxNames.
func namesInText(text []byte, out []string) []string {
	add := func(s string) {
		if len(out) >= maxNames || pyKeywords[s] {
			return
		}
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	for i := 0; i < len(text) && len(out) < maxNames; {
		c := text[i]
		switch {
		case c == '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			i = skipString(text, i, false)
		case isDigit(c):
			for i < len(text) && (isIdentByte(text[i]) || text[i] == '.') {
				i++
			}
		case isIdentByte(c):
			start := i
			for i < len(text) && isIdentByte(text[i]) {
				i++
			}
			// r"...", b'...', f"...": a string prefix, not a name
			if i < len(text) && (text[i] == '"' || text[i] == '\'') && i-start <= 2 && isStringPrefix(text[start:i]) {
				i = skipString(text, i, bytesContainAny(text[start:i], "rR"))
				continue
			}
			// a.b.c: extend while ".name" follows
			for i+1 < len(text) && text[i] == '.' && isIdentByte(text[i+1]) && !isDigit(text[i+1]) {
				i++
				for i < len(text) && isIdentByte(text[i]) {
					i++
				}
			}
			// name=value (not ==): a keyword argument's name
			j := i
			for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
				j++
			}
			if j < len(text) && text[j] == '=' && (j+1 >= len(text) || text[j+1] != '=') {
				continue
			}
			add(string(text[start:i]))
		default:
			i++
		}
	}
	return out
}

// skipString returns the offset just past the string literal whose opening
// quote is at text[i] (single, double or triple quoted).
func skipString(text []byte, i int, raw bool) int {
	q := text[i]
	if i+2 < len(text) && text[i+1] == q && text[i+2] == q {
		for j := i + 3; j+2 < len(text); j++ {
			if text[j] == '\\' && !raw {
				j++
				continue
			}
			if text[j] == q && text[j+1] == q && text[j+2] == q {
				return j + 3
			}
		}
		return len(text)
	}
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case '\\':
			j++
		case q, '\n':
			return j + 1
		}
	}
	return len(text)
}

func isStringPrefix(p []byte) bool {
	for _, c := range p {
		switch c {
		case 'r', 'R', 'b', 'B', 'u', 'U', 'f', 'F':
		default:
			return false
		}
	}
	return true
}

func bytesContainAny(b []byte, chars string) bool {
	for _, c := range b {
		for i := 0; i < len(chars); i++ {
			if c == chars[i] {
				return true
			}
		}
	}
	return false
}
