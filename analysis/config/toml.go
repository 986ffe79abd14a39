package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// value is a decoded TOML or JSON value with where it was written, so a
// wrong type can be reported at the value itself. v is one of string, int64,
// float64, bool, []value or map[string]value.
type value struct {
	v    any
	line int // 1-based; 0 when unknown (editor settings)
	col  int // 1-based, in characters
}

// decodeTOML reads a TOML document into nested maps. It supports what
// configuration files use: tables, dotted and quoted keys, inline tables,
// arrays, strings (basic, literal, multi-line), integers, floats, booleans;
// dates are kept as text. A syntax error comes back with its position.
func decodeTOML(file string, text []byte) (map[string]value, error) {
	tree, err := syntax.ParseTOML(text)
	if err != nil {
		return nil, &Error{File: file, Line: 1, Col: 1, Msg: err.Error()}
	}
	defer tree.Close()
	lines := syntax.NewLineIndex(text)
	d := &tomlDecoder{file: file, text: text, lines: lines}
	root := tree.Root()
	if root.HasError() {
		return nil, d.errorAt(firstError(root), "invalid TOML syntax")
	}
	doc := map[string]value{}
	var derr error
	root.NamedChildren(func(n syntax.Node) bool {
		switch n.Kind() {
		case "pair":
			derr = d.pair(doc, n)
		case "table", "table_array_element":
			derr = d.table(doc, n)
		}
		return derr == nil
	})
	if derr != nil {
		return nil, derr
	}
	return doc, nil
}

type tomlDecoder struct {
	file  string
	text  []byte
	lines *syntax.LineIndex
}

func (d *tomlDecoder) pos(n syntax.Node) (int, int) {
	l, c := d.lines.Position(n.Start(), syntax.UTF32)
	return l + 1, c + 1
}

func (d *tomlDecoder) errorAt(n syntax.Node, format string, args ...any) error {
	e := &Error{File: d.file, Line: 1, Col: 1, Msg: fmt.Sprintf(format, args...)}
	if !n.IsNull() {
		e.Line, e.Col = d.pos(n)
	}
	return e
}

// firstError finds the first ERROR or MISSING node, for the error position.
func firstError(n syntax.Node) syntax.Node {
	var found syntax.Node
	n.Walk(func(c syntax.Node) bool {
		if !found.IsNull() {
			return false
		}
		if c.IsError() {
			found = c
			return false
		}
		return c.HasError()
	})
	return found
}

// keyPath splits a bare, quoted or dotted key into its parts.
func (d *tomlDecoder) keyPath(n syntax.Node) ([]string, error) {
	switch n.Kind() {
	case "bare_key":
		return []string{n.Text(d.text)}, nil
	case "quoted_key":
		s, err := d.str(n)
		return []string{s}, err
	case "dotted_key":
		var parts []string
		var err error
		n.NamedChildren(func(c syntax.Node) bool {
			var p []string
			p, err = d.keyPath(c)
			parts = append(parts, p...)
			return err == nil
		})
		return parts, err
	}
	return nil, d.errorAt(n, "unexpected %s in key", n.Kind())
}

// table handles [a.b] and [[a.b]] headers and their pairs.
func (d *tomlDecoder) table(doc map[string]value, n syntax.Node) error {
	var target map[string]value
	var err error
	n.NamedChildren(func(c syntax.Node) bool {
		switch c.Kind() {
		case "bare_key", "quoted_key", "dotted_key":
			if target != nil {
				return true
			}
			var path []string
			if path, err = d.keyPath(c); err != nil {
				return false
			}
			target, err = d.descend(doc, path, c, n.Kind() == "table_array_element")
		case "pair":
			if target == nil {
				err = d.errorAt(c, "table without a name")
			} else {
				err = d.pair(target, c)
			}
		}
		return err == nil
	})
	return err
}

// descend returns the table at path, creating it (or, for [[x]], a new
// element of the array of tables).
func (d *tomlDecoder) descend(doc map[string]value, path []string, at syntax.Node, arrayElem bool) (map[string]value, error) {
	cur := doc
	line, col := d.pos(at)
	for i, k := range path {
		last := i == len(path)-1
		v, ok := cur[k]
		if !ok {
			if last && arrayElem {
				t := map[string]value{}
				cur[k] = value{v: []value{{v: t, line: line, col: col}}, line: line, col: col}
				return t, nil
			}
			t := map[string]value{}
			cur[k] = value{v: t, line: line, col: col}
			cur = t
			continue
		}
		switch x := v.v.(type) {
		case map[string]value:
			cur = x
		case []value:
			if last && arrayElem {
				t := map[string]value{}
				cur[k] = value{v: append(x, value{v: t, line: line, col: col}), line: v.line, col: v.col}
				return t, nil
			}
			if len(x) == 0 {
				return nil, d.errorAt(at, "%q is an empty array, not a table", k)
			}
			t, ok := x[len(x)-1].v.(map[string]value)
			if !ok {
				return nil, d.errorAt(at, "%q is not a table", k)
			}
			cur = t
		default:
			return nil, d.errorAt(at, "%q is already a value, not a table", k)
		}
	}
	return cur, nil
}

// pair stores key = value into t (a dotted key creates sub-tables).
func (d *tomlDecoder) pair(t map[string]value, n syntax.Node) error {
	// The grammar can attach a trailing comment to the pair (after an array,
	// for one), so the value is the last named child that is not a comment.
	key, val := n.NamedChild(0), syntax.Node{}
	for i := n.NamedChildCount() - 1; i > 0; i-- {
		if c := n.NamedChild(i); c.Kind() != "comment" {
			val = c
			break
		}
	}
	if val.IsNull() {
		return d.errorAt(key, "missing value")
	}
	path, err := d.keyPath(key)
	if err != nil {
		return err
	}
	target, err := d.descend(t, path[:len(path)-1], key, false)
	if err != nil {
		return err
	}
	last := path[len(path)-1]
	if _, dup := target[last]; dup {
		return d.errorAt(key, "key %q is defined twice", strings.Join(path, "."))
	}
	v, err := d.value(val)
	if err != nil {
		return err
	}
	target[last] = v
	return nil
}

func (d *tomlDecoder) value(n syntax.Node) (value, error) {
	line, col := d.pos(n)
	out := value{line: line, col: col}
	text := n.Text(d.text)
	switch n.Kind() {
	case "string":
		s, err := d.str(n)
		out.v = s
		return out, err
	case "integer":
		clean := strings.ReplaceAll(text, "_", "")
		i, err := strconv.ParseInt(clean, 0, 64)
		if err != nil {
			return out, d.errorAt(n, "invalid integer %s", text)
		}
		out.v = i
	case "float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
		if err != nil {
			return out, d.errorAt(n, "invalid number %s", text)
		}
		out.v = f
	case "boolean":
		out.v = text == "true"
	case "array":
		list := []value{}
		var err error
		n.NamedChildren(func(c syntax.Node) bool {
			if c.Kind() == "comment" {
				return true
			}
			var v value
			v, err = d.value(c)
			list = append(list, v)
			return err == nil
		})
		out.v = list
		return out, err
	case "inline_table":
		t := map[string]value{}
		var err error
		n.NamedChildren(func(c syntax.Node) bool {
			if c.Kind() == "pair" {
				err = d.pair(t, c)
			}
			return err == nil
		})
		out.v = t
		return out, err
	default: // dates and times: kept as written
		out.v = text
	}
	return out, nil
}

// str decodes a basic, literal or multi-line string (or quoted key).
func (d *tomlDecoder) str(n syntax.Node) (string, error) {
	s := n.Text(d.text)
	switch {
	case strings.HasPrefix(s, `"""`) && len(s) >= 6:
		body := strings.TrimPrefix(s[3:len(s)-3], "\n")
		u, err := strconv.Unquote(`"` + strings.ReplaceAll(strings.ReplaceAll(body, "\n", `\n`), `"`, `\"`) + `"`)
		if err != nil {
			return "", d.errorAt(n, "invalid string escape")
		}
		return u, nil
	case strings.HasPrefix(s, `'''`) && len(s) >= 6:
		return strings.TrimPrefix(s[3:len(s)-3], "\n"), nil
	case strings.HasPrefix(s, `'`) && len(s) >= 2:
		return s[1 : len(s)-1], nil
	case strings.HasPrefix(s, `"`):
		u, err := strconv.Unquote(s)
		if err != nil {
			return "", d.errorAt(n, "invalid string %s", s)
		}
		return u, nil
	}
	return "", d.errorAt(n, "invalid string %s", s)
}
