package txtar

import "testing"

func TestRoundTrip(t *testing.T) {
	src := "comment line\n-- a.py --\nx = 1\n-- dir/b.js --\nlet y;\n-- want --\n"
	a := Parse([]byte(src))
	if string(a.Comment) != "comment line\n" || len(a.Files) != 3 {
		t.Fatalf("parsed %q with %d files", a.Comment, len(a.Files))
	}
	if got := string(a.Get("dir/b.js")); got != "let y;\n" {
		t.Fatalf("b.js = %q", got)
	}
	if a.Get("want") == nil && len(a.Files[2].Data) != 0 {
		t.Fatal("empty file has data")
	}
	if got := string(Format(a)); got != src {
		t.Fatalf("Format = %q, want %q", got, src)
	}
}
