package scaffold

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDetectLang(t *testing.T) {
	for _, tc := range []struct {
		files []string
		want  string // "" = error
	}{
		{[]string{"requirements.txt"}, "python"},
		{[]string{"pyproject.toml"}, "python"},
		{[]string{"app.py"}, "python"},
		{[]string{"manage.py"}, "python"},
		{[]string{"package.json"}, "node"},
		{[]string{"package.json", "requirements.txt"}, ""},
		{[]string{"README.md"}, ""},
	} {
		dir := t.TempDir()
		for _, f := range tc.files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := DetectLang(dir)
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("%v: got %q, %v; want %q", tc.files, got, err, tc.want)
		}
	}
}
