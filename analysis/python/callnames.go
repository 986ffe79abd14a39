package python

// callNames lists the dotted names called in a function body ("check",
// "limiter.hit"), read from the text rather than the tree: it runs on every
// function, and a byte scan is cheaper than walking the body's nodes.
// Names inside strings and comments may slip in; they only ever make a
// function look more protected if they name a limiter, which is how they are
// used.
func callNames(text []byte, max int) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(text) && len(out) < max; i++ {
		if text[i] != '(' {
			continue
		}
		end := i
		start := end
		for start > 0 && (isIdentByte(text[start-1]) || text[start-1] == '.') {
			start--
		}
		if start == end || text[start] == '.' || isDigit(text[start]) {
			continue
		}
		name := string(text[start:end])
		switch name {
		case "if", "elif", "while", "for", "return", "and", "or", "not", "in", "is", "print", "len", "str", "int", "isinstance", "super":
			continue
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}
