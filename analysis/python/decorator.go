package python

import "strings"

// decoratorText is a decorator read from its source: @callee or
// @callee(args), with the top-level arguments split.
type decoratorText struct {
	callee string
	isCall bool
	pos    []string          // positional arguments, source text
	kw     map[string]string // keyword arguments, source text
}

// decoratorCall parses "@a.b(x, y=z)". A decorator that is not a dotted
// name, optionally called, gives callee "" (the caller ignores it).
func decoratorCall(text []byte) decoratorText {
	var d decoratorText
	i := 0
	for i < len(text) && (text[i] == '@' || text[i] == ' ' || text[i] == '\t') {
		i++
	}
	start := i
	for i < len(text) && (isIdentByte(text[i]) || text[i] == '.') {
		i++
	}
	d.callee = string(text[start:i])
	if d.callee == "" || strings.HasPrefix(d.callee, ".") || strings.HasSuffix(d.callee, ".") || strings.Contains(d.callee, "..") {
		return decoratorText{}
	}
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	if i >= len(text) || text[i] != '(' {
		if rest := strings.TrimSpace(string(text[i:])); rest != "" && !strings.HasPrefix(rest, "#") {
			return decoratorText{} // @a.b[0], @a + b: not a plain name
		}
		return d
	}
	end, ok := matchingParen(text, i)
	if !ok {
		return decoratorText{}
	}
	if rest := strings.TrimSpace(string(text[end+1:])); rest != "" && !strings.HasPrefix(rest, "#") {
		return decoratorText{} // @a(x)(y), @a(x).b: not a plain call
	}
	d.isCall = true
	for _, arg := range splitArgs(text[i+1 : end]) {
		if name, value, ok := keywordArg(arg); ok {
			if d.kw == nil {
				d.kw = map[string]string{}
			}
			d.kw[name] = value
		} else if arg != "" {
			d.pos = append(d.pos, arg)
		}
	}
	return d
}

// matchingParen returns the index of the ")" closing the "(" at open,
// skipping strings, comments and nested brackets.
func matchingParen(text []byte, open int) (int, bool) {
	depth := 0
	for i := open; i < len(text); {
		switch c := text[i]; {
		case c == '"' || c == '\'':
			i = skipString(text, i, false)
			continue
		case c == '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
			if depth == 0 {
				return i, c == ')'
			}
		}
		i++
	}
	return 0, false
}

// splitArgs splits an argument list at top-level commas.
func splitArgs(text []byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case c == '"' || c == '\'':
			i = skipString(text, i, false)
			continue
		case c == '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(stripComments(text[start:i])))
			start = i + 1
		}
		i++
	}
	if last := strings.TrimSpace(stripComments(text[start:])); last != "" {
		out = append(out, last)
	}
	return out
}

// stripComments removes "# ..." comments outside strings.
func stripComments(text []byte) string {
	if !strings.ContainsRune(string(text), '#') {
		return string(text)
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		switch text[i] {
		case '"', '\'':
			j := skipString(text, i, false)
			b.Write(text[i:j])
			i = j
		case '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		default:
			b.WriteByte(text[i])
			i++
		}
	}
	return b.String()
}

// keywordArg splits "name=value" (not "a == b", not "*args").
func keywordArg(arg string) (string, string, bool) {
	i := 0
	for i < len(arg) && isIdentByte(arg[i]) {
		i++
	}
	if i == 0 || isDigit(arg[0]) {
		return "", "", false
	}
	j := i
	for j < len(arg) && (arg[j] == ' ' || arg[j] == '\t') {
		j++
	}
	if j >= len(arg) || arg[j] != '=' || (j+1 < len(arg) && arg[j+1] == '=') {
		return "", "", false
	}
	return arg[:i], strings.TrimSpace(arg[j+1:]), true
}

// str is the string literal at positional i or keyword name ("" if none).
func (d decoratorText) str(i int, name string) string {
	v, ok := d.kw[name]
	if !ok {
		if i >= len(d.pos) {
			return ""
		}
		v = d.pos[i]
	}
	s, _ := literalString(v)
	return s
}

// strings lists the string literals of a list or tuple keyword argument
// (methods=["GET", "POST"]); nil when absent.
func (d decoratorText) strings(name string) []string {
	v, ok := d.kw[name]
	if !ok {
		return nil
	}
	v = strings.TrimSpace(v)
	if len(v) < 2 || !(v[0] == '[' || v[0] == '(' || v[0] == '{') {
		return nil
	}
	var out []string
	for _, e := range splitArgs([]byte(v[1 : len(v)-1])) {
		if s, ok := literalString(e); ok {
			out = append(out, s)
		}
	}
	return out
}

// literalString decodes a plain string literal as stringValue does for
// nodes: prefixes r/b/u allowed, f-strings and concatenations are not.
func literalString(v string) (string, bool) {
	v = strings.TrimSpace(v)
	for len(v) > 0 && strings.ContainsRune("rRbBuU", rune(v[0])) {
		v = v[1:]
	}
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if len(v) >= 2*len(q) && strings.HasPrefix(v, q) && strings.HasSuffix(v, q) {
			body := v[len(q) : len(v)-len(q)]
			if len(q) == 1 && strings.Contains(body, q) && !strings.Contains(body, `\`+q) {
				return "", false // "a" "b": two strings
			}
			return body, true
		}
	}
	return "", false
}
