package scaffold

import (
	"bytes"
	"strings"
	"testing"
)

func TestRenderPython(t *testing.T) {
	files, err := Render("python")
	if err != nil {
		t.Fatal(err)
	}
	mod, ok := files["stablestack_rate_limiter.py"]
	if !ok || len(files) != 1 {
		t.Fatalf("files = %v", keys(files))
	}
	script := strings.TrimRight(string(mustReadTemplate(t, scriptPath)), "\n")
	if !bytes.Contains(mod, []byte(script)) {
		t.Error("rendered module does not embed the canonical script")
	}
	logScript := strings.TrimRight(string(mustReadTemplate(t, "templates/sliding_log.lua")), "\n")
	if !bytes.Contains(mod, []byte(logScript)) {
		t.Error("rendered module does not embed the sliding log script")
	}
	if bytes.Contains(mod, []byte("__STABLESTACK_")) {
		t.Error("placeholder left in the rendered module")
	}
	if !strings.HasPrefix(string(mod), "# stablestack-rate-limiter "+Version+" ") || !Pristine(mod) {
		t.Errorf("bad header line: %q", strings.SplitN(string(mod), "\n", 2)[0])
	}
}

func TestRenderNodeUsesWhateverTemplatesExist(t *testing.T) {
	entries, _ := templates.ReadDir("templates/node")
	files, err := Render("node")
	if len(entries) == 0 {
		if err == nil {
			t.Fatal("Render(node) without templates should fail")
		}
		t.Skip("no node templates in this build")
	}
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if bytes.Contains(data, []byte(luaPlaceholder)) || !Pristine(data) || !strings.HasPrefix(string(data), "// ") {
			t.Errorf("%s: placeholder left or bad header", name)
		}
	}
}

func TestRenderUnknownLanguage(t *testing.T) {
	if _, err := Render("ruby"); err == nil || !strings.Contains(err.Error(), "python") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Render("../templates"); err == nil {
		t.Fatal("path-like language accepted")
	}
}

// The scripts are pasted into Python raw triple-quoted strings and JavaScript
// String.raw template literals; these sequences would end or change them.
func TestScriptIsSafeToEmbed(t *testing.T) {
	for _, sc := range scripts {
		script := string(mustReadTemplate(t, sc.path))
		for _, bad := range []string{`\`, "`", "${", `"""`, "*/", "__STABLESTACK_"} {
			if strings.Contains(script, bad) {
				t.Errorf("%s contains %q", sc.path, bad)
			}
		}
	}
}

func TestPristine(t *testing.T) {
	files, _ := Render("python")
	mod := files["stablestack_rate_limiter.py"]
	edited := append(append([]byte{}, mod...), "# my change\n"...)
	if Pristine(edited) {
		t.Error("edited copy reported pristine")
	}
	if Pristine([]byte("print('hi')\n")) || Pristine(nil) {
		t.Error("foreign file reported pristine")
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
