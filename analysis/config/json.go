package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// decodeJSON reads a JSON object into values that remember their position,
// so package.json problems point at the right line.
func decodeJSON(file string, text []byte) (map[string]value, error) {
	d := &jsonDecoder{file: file, text: text, dec: json.NewDecoder(bytes.NewReader(text))}
	d.dec.UseNumber()
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, d.errorAt(int(d.dec.InputOffset()), "unexpected data after the JSON value")
	}
	obj, ok := v.v.(map[string]value)
	if !ok {
		return nil, &Error{File: file, Line: v.line, Col: v.col, Msg: "expected a JSON object"}
	}
	return obj, nil
}

type jsonDecoder struct {
	file string
	text []byte
	dec  *json.Decoder
}

// at converts a byte offset to a 1-based line and character column,
// skipping the separators the decoder has not consumed yet.
func (d *jsonDecoder) at(off int) (int, int) {
	for off < len(d.text) && bytes.IndexByte([]byte(" \t\r\n,:"), d.text[off]) >= 0 {
		off++
	}
	line, col := 1, 1
	for _, r := range string(d.text[:min(off, len(d.text))]) {
		if r == '\n' {
			line, col = line+1, 1
		} else if r != utf8.RuneError {
			col++
		}
	}
	return line, col
}

func (d *jsonDecoder) errorAt(off int, msg string) error {
	l, c := d.at(off)
	return &Error{File: d.file, Line: l, Col: c, Msg: msg}
}

func (d *jsonDecoder) value() (value, error) {
	off := int(d.dec.InputOffset())
	tok, err := d.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return value{}, d.errorAt(int(se.Offset)-1, "invalid JSON: "+se.Error())
		}
		if err == io.EOF {
			return value{}, d.errorAt(len(d.text), "invalid JSON: unexpected end of file")
		}
		return value{}, d.errorAt(off, "invalid JSON: "+err.Error())
	}
	line, col := d.at(off)
	v := value{line: line, col: col}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]value{}
			for d.dec.More() {
				koff := int(d.dec.InputOffset())
				ktok, err := d.dec.Token()
				if err != nil {
					return v, d.errorAt(koff, "invalid JSON: "+err.Error())
				}
				key, _ := ktok.(string)
				val, err := d.value()
				if err != nil {
					return v, err
				}
				obj[key] = val
			}
			d.dec.Token() // '}'
			v.v = obj
		case '[':
			list := []value{}
			for d.dec.More() {
				e, err := d.value()
				if err != nil {
					return v, err
				}
				list = append(list, e)
			}
			d.dec.Token() // ']'
			v.v = list
		default:
			return v, d.errorAt(off, fmt.Sprintf("invalid JSON: unexpected %q", t))
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			v.v = i
		} else if f, err := t.Float64(); err == nil {
			v.v = f
		}
	default: // string, bool, nil
		v.v = t
	}
	return v, nil
}
