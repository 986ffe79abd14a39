package server

import (
	"strconv"
	"unicode/utf8"
)

// Diagnostics are encoded by hand: on a 30,000-line file a publish carries
// hundreds of diagnostics after every keystroke, and reflection-based
// encoding plus jsonrpc2's re-validation of the params (twice) was the
// largest server-side cost on the edit-to-diagnostics path. The output is
// what encoding/json produces for the same values (diagnostics_json_test.go
// checks it), keys in struct order and map keys sorted.

// appendDiagnostics appends the JSON array of ds, taking the data's fix
// objects from fixes when it is not nil.
func appendDiagnostics(b []byte, ds []diagnostic, fixes *fixJSONCache) []byte {
	b = append(b, '[')
	for i := range ds {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendDiagnostic(b, &ds[i], fixes)
	}
	return append(b, ']')
}

func appendDiagnostic(b []byte, d *diagnostic, fixes *fixJSONCache) []byte {
	b = append(b, `{"range":`...)
	b = appendRange(b, d.Range.Start.Line, d.Range.Start.Character, d.Range.End.Line, d.Range.End.Character)
	if d.Severity != 0 {
		b = append(b, `,"severity":`...)
		b = strconv.AppendInt(b, int64(d.Severity), 10)
	}
	if d.Code != "" {
		b = append(b, `,"code":`...)
		b = appendString(b, d.Code)
	}
	if d.CodeDescription != nil {
		b = append(b, `,"codeDescription":{"href":`...)
		b = appendString(b, d.CodeDescription.Href)
		b = append(b, '}')
	}
	if d.Source != "" {
		b = append(b, `,"source":`...)
		b = appendString(b, d.Source)
	}
	b = append(b, `,"message":`...)
	b = appendString(b, d.Message)
	if len(d.RelatedInformation) > 0 {
		b = append(b, `,"relatedInformation":[`...)
		for i, r := range d.RelatedInformation {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"location":{"uri":`...)
			b = appendString(b, r.Location.URI)
			b = append(b, `,"range":`...)
			rg := r.Location.Range
			b = appendRange(b, rg.Start.Line, rg.Start.Character, rg.End.Line, rg.End.Character)
			b = append(b, `},"message":`...)
			b = appendString(b, r.Message)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if d.Data != nil {
		b = append(b, `,"data":{"version":`...)
		b = strconv.AppendInt(b, int64(d.Data.Version), 10)
		b = append(b, `,"start":`...)
		b = strconv.AppendInt(b, int64(d.Data.Start), 10)
		b = append(b, `,"end":`...)
		b = strconv.AppendInt(b, int64(d.Data.End), 10)
		if len(d.Data.Fix) > 0 {
			b = append(b, `,"fix":`...)
			b = fixes.appendFix(b, d.Data.Fix)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendRange(b []byte, l1, c1, l2, c2 uint32) []byte {
	b = append(b, `{"start":{"line":`...)
	b = strconv.AppendUint(b, uint64(l1), 10)
	b = append(b, `,"character":`...)
	b = strconv.AppendUint(b, uint64(c1), 10)
	b = append(b, `},"end":{"line":`...)
	b = strconv.AppendUint(b, uint64(l2), 10)
	b = append(b, `,"character":`...)
	b = strconv.AppendUint(b, uint64(c2), 10)
	return append(b, `}}`...)
}

// appendStringMap writes a map with sorted keys, as encoding/json does.
// Fix maps have a handful of keys: an insertion sort into a stack array
// avoids sort.Strings' allocation, which showed in profiles.
func appendStringMap(b []byte, m map[string]string) []byte {
	var small [16]string
	keys := small[:0]
	if len(m) > len(small) {
		keys = make([]string, 0, len(m))
	}
	for k := range m {
		i := len(keys)
		keys = append(keys, k)
		for i > 0 && keys[i-1] > k {
			keys[i] = keys[i-1]
			i--
		}
		keys[i] = k
	}
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string the way encoding/json does:
// control characters, quotes, backslashes and the HTML-sensitive <, >, &
// escaped, U+2028/U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
