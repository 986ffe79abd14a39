package analysis

import "testing"

func TestSuppressions(t *testing.T) {
	text := []byte(`x = 1
# stablestack: ignore[RATE001]
@app.get("/a")
y = "stablestack: ignore[RATE002]"  # a string, not a comment
z = 2  # stablestack: ignore[rate001, RATE002]
// stablestack: ignore
w = 3  # stablestack: ignored-by-mistake
`)
	s := FindSuppressions(text)
	cases := []struct {
		rule string
		line int
		want bool
	}{
		{"RATE001", 1, true},  // the comment's own line
		{"RATE001", 2, true},  // the line below the comment
		{"RATE002", 2, false}, // other rule
		{"RATE002", 3, false}, // marker inside a string
		{"RATE001", 4, true},  // trailing comment, lower-case ID
		{"RATE002", 4, true},
		{"RATE002", 6, true}, // bare "ignore" on the line above covers every rule
		{"RATE001", 0, false},
	}
	for _, c := range cases {
		if got := s.Suppressed(c.rule, c.line); got != c.want {
			t.Errorf("Suppressed(%s, line %d) = %v, want %v", c.rule, c.line, got, c.want)
		}
	}
	if s.Suppressed("RATE001", 7) {
		t.Error("ignored-by-mistake must not count as a directive")
	}
}

func TestSuppressFile(t *testing.T) {
	s := FindSuppressions([]byte("import x\n# stablestack: ignore-file[RATE002]\n"))
	if !s.Suppressed("RATE002", 100) || s.Suppressed("RATE001", 100) {
		t.Error("ignore-file[RATE002] should cover RATE002 everywhere and nothing else")
	}
	all := FindSuppressions([]byte("/* stablestack: ignore-file */\n"))
	if !all.Suppressed("RATE001", 50) {
		t.Error("ignore-file without rules covers every rule")
	}
	if !FindSuppressions([]byte("x = 1\n")).Empty() {
		t.Error("a file without markers has suppressions")
	}
}
