package syntax

import (
	"math/rand"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestLineIndexRoundTrip(t *testing.T) {
	// é is 2 bytes / 1 UTF-16 unit, 😀 is 4 bytes / 2 UTF-16 units, 漢 is 3 bytes / 1 unit.
	text := []byte("x = 1\r\ns = \"é😀漢\"; @app.get('/a')\n\n😀😀end")
	x := NewLineIndex(text)
	if got := x.LineCount(); got != 4 {
		t.Fatalf("LineCount = %d, want 4", got)
	}
	at := func(sub string) int {
		for i := 0; i+len(sub) <= len(text); i++ {
			if string(text[i:i+len(sub)]) == sub {
				return i
			}
		}
		t.Fatalf("%q not in text", sub)
		return 0
	}
	cases := []struct {
		off          int
		line         int
		c16, c8, c32 int
		desc         string
	}{
		{at("@app"), 1, 12, 17, 11, "after é😀漢"},
		{at("end"), 3, 4, 8, 2, "after two emoji"},
		{0, 0, 0, 0, 0, "start"},
		{at("\r"), 0, 5, 5, 5, "before CR"},
	}
	for _, c := range cases {
		for _, e := range []struct {
			enc  Encoding
			want int
		}{{UTF16, c.c16}, {UTF8, c.c8}, {UTF32, c.c32}} {
			line, col := x.Position(c.off, e.enc)
			if line != c.line || col != e.want {
				t.Errorf("%s: Position(%d, %d) = %d:%d, want %d:%d", c.desc, c.off, e.enc, line, col, c.line, e.want)
			}
			back, clamped := x.Offset(line, col, e.enc)
			if back != c.off || clamped {
				t.Errorf("%s: Offset(%d:%d, %d) = %d (clamped %v), want %d", c.desc, line, col, e.enc, back, clamped, c.off)
			}
		}
	}
}

func TestLineIndexClampsPastEnd(t *testing.T) {
	text := []byte("ab😀\ncd")
	x := NewLineIndex(text)
	if off, clamped := x.Offset(0, 99, UTF16); off != 6 || !clamped {
		t.Errorf("past line end: %d %v, want 6 true", off, clamped)
	}
	if off, clamped := x.Offset(7, 0, UTF16); off != len(text) || !clamped {
		t.Errorf("past last line: %d %v, want %d true", off, clamped, len(text))
	}
	if off, clamped := x.Offset(1, 99, UTF8); off != len(text) || !clamped {
		t.Errorf("UTF-8 past end: %d %v", off, clamped)
	}
	// A column inside the surrogate pair resolves to the emoji's start.
	if off, _ := x.Offset(0, 3, UTF16); off != 2 {
		t.Errorf("inside surrogate pair: %d, want 2", off)
	}
	// A byte column inside a multi-byte character backs up to its start.
	if off, _ := x.Offset(0, 4, UTF8); off != 2 {
		t.Errorf("inside UTF-8 sequence: %d, want 2", off)
	}
	if line, col := x.Position(1000, UTF16); line != 1 || col != 2 {
		t.Errorf("Position past end = %d:%d", line, col)
	}
}

func TestLineIndexInvalidUTF8(t *testing.T) {
	text := []byte("a\xff\xfeb")
	if utf8.Valid(text) {
		t.Fatal("test text should be invalid UTF-8")
	}
	x := NewLineIndex(text)
	if _, col := x.Position(3, UTF16); col != 3 {
		t.Errorf("each invalid byte is one unit: col %d, want 3", col)
	}
	if off, _ := x.Offset(0, 3, UTF16); off != 3 {
		t.Errorf("Offset = %d, want 3", off)
	}
}

// TestLineIndexEdited applies random edits and checks the updated index
// against one built from scratch.
func TestLineIndexEdited(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{"\n", "a", "é", "😀", "\r\n", "x\ny\n", "", "\n\n", "中文"}
	text := []byte("first line\nsecond\n\nthird é\n")
	x := NewLineIndex(text)
	for i := 0; i < 5000; i++ {
		start := rng.Intn(len(text) + 1)
		end := start + rng.Intn(min(8, len(text)-start)+1)
		ins := pieces[rng.Intn(len(pieces))]
		if rng.Intn(4) == 0 {
			ins += pieces[rng.Intn(len(pieces))]
		}
		next := append(append(append([]byte(nil), text[:start]...), ins...), text[end:]...)
		got := x.Edited(next, start, end, start+len(ins))
		want := NewLineIndex(next)
		if !reflect.DeepEqual(got.starts, want.starts) {
			t.Fatalf("edit %d: [%d,%d) -> %q on %q: starts %v, want %v", i, start, end, ins, text, got.starts, want.starts)
		}
		text, x = next, got
		if len(text) > 400 {
			text, x = text[:100], NewLineIndex(text[:100])
		}
	}
}
