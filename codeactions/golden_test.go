package codeactions

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
	"github.com/stablestack/stablestack/codeactions/scaffold"
	"github.com/stablestack/stablestack/internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want/ sections of golden files from the current output")

// Golden files live in testdata/golden/<language>/*.txtar. Each is a small project
// plus:
//
//	-- action --
//	app.py:7 Add rate limit (100 requests / 60 s)
//
// (the file and 1-based line the client asks about, and the title of the
// action to apply; "app.py fixall" applies source.fixAll.stablestack), and an
// optional "config" section of key=value lines: requests, window, create
// (client can create files: true/false), module (present/missing: whether the
// limiter module is already in the project).
//
// The expected results are the want/actions section (every action offered at
// that line) and want/<file> (the file after the action). After applying, the
// test also requires that the file parses without errors, that the findings
// the action lists are gone and that every other finding is still there.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files found")
	}
	for _, path := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "testdata/golden/"), ".txtar")
		t.Run(name, func(t *testing.T) { runGoldenFile(t, path) })
	}
}

type goldenCase struct {
	file   string // relative path of the file acted on
	line   int    // 1-based; 0 with fixAll
	title  string
	fixAll bool
	create bool
	module bool
	cfg    *analysis.Config
}

func parseCase(t *testing.T, ar *txtar.Archive) goldenCase {
	t.Helper()
	c := goldenCase{cfg: analysis.DefaultConfig(), create: true}
	spec := strings.TrimSpace(string(ar.Get("action")))
	target, title, _ := strings.Cut(spec, " ")
	c.title = strings.TrimSpace(title)
	if c.title == "fixall" {
		c.fixAll, c.file = true, target
	} else {
		file, line, ok := strings.Cut(target, ":")
		n, err := strconv.Atoi(line)
		if !ok || err != nil {
			t.Fatalf("bad action line %q (want file:line title)", spec)
		}
		c.file, c.line = file, n
	}
	for _, l := range strings.Split(string(ar.Get("config")), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
		if !ok {
			continue
		}
		switch k {
		case "requests":
			c.cfg.Requests, _ = strconv.Atoi(v)
		case "window":
			c.cfg.Window, _ = strconv.Atoi(v)
		case "create":
			c.create = v == "true"
		case "module":
			c.module = v == "present"
		default:
			t.Fatalf("unknown config key %q", k)
		}
	}
	return c
}

func runGoldenFile(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ar := txtar.Parse(data)
	c := parseCase(t, ar)
	sources := map[string][]byte{}
	for _, f := range ar.Files {
		if f.Name != "action" && f.Name != "config" && !strings.HasPrefix(f.Name, "want/") {
			sources[f.Name] = f.Data
		}
	}
	if c.module {
		lang := Family(mustLang(t, c.file))
		mod, err := scaffold.Render(lang)
		if err != nil {
			t.Fatal(err)
		}
		rel := filepath.ToSlash(filepath.Dir(c.file))
		for name, body := range mod {
			sources[pathJoin(rel, name)] = body
		}
	}
	p := newProject(t, sources, c.cfg)
	file, findings := p.check(t, c.file)
	req := Request{File: file, Findings: findings, Config: c.cfg, CanCreateFiles: c.create,
		ModuleExists: func(lang string) bool { return ModuleFileExists(file.Path, lang) }}

	var offered []Action
	var chosen *Action
	if c.fixAll {
		if a, ok := FixAll(req); ok {
			offered = []Action{a}
			chosen = &offered[0]
		}
	} else {
		lines := syntax.NewLineIndex(file.Text)
		if c.line < 1 || c.line > lines.LineCount() {
			t.Fatalf("line %d outside %s", c.line, c.file)
		}
		start := lines.LineStart(c.line - 1)
		req.Span = analysis.Span{Start: start, End: nextLineStart(file.Text, start)}
		offered = Actions(req)
		for i := range offered {
			if offered[i].Title == c.title {
				chosen = &offered[i]
				break
			}
		}
	}
	got := map[string][]byte{"want/actions": []byte(describeActions(p, findings, offered))}
	if chosen != nil {
		fixed, err := Apply(file.Text, chosen.Edits)
		if err != nil {
			t.Fatalf("%s: %v", c.title, err)
		}
		got["want/"+c.file] = fixed
		checkFixed(t, p, c.file, findings, *chosen, fixed)
		if additive(chosen.Title) && !subsequence(file.Text, fixed) {
			t.Errorf("%q removed or changed existing text; it may only add", chosen.Title)
		}
	} else {
		t.Errorf("action %q not offered", spec(c))
	}

	if *update {
		var kept []txtar.File
		for _, f := range ar.Files {
			if !strings.HasPrefix(f.Name, "want/") {
				kept = append(kept, f)
			}
		}
		for _, name := range sortedKeys(got) {
			kept = append(kept, txtar.File{Name: name, Data: got[name]})
		}
		ar.Files = kept
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, name := range sortedKeys(got) {
		want := ar.Get(name)
		g := got[name]
		if len(g) > 0 && g[len(g)-1] != '\n' {
			g = append(g, '\n') // txtar always ends a file with a newline
		}
		if string(g) != string(want) {
			t.Errorf("%s differs\n--- got\n%s--- want\n%s", name, g, want)
		}
	}
}

func spec(c goldenCase) string {
	if c.fixAll {
		return c.file + " fixall"
	}
	return fmt.Sprintf("%s:%d %s", c.file, c.line, c.title)
}

func mustLang(t *testing.T, path string) syntax.Language {
	l, ok := syntax.ForPath(path)
	if !ok {
		t.Fatalf("%s: unknown language", path)
	}
	return l
}

func pathJoin(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}

// describeActions renders the offered actions, one per line.
func describeActions(p *project, findings []analysis.Finding, actions []Action) string {
	var b strings.Builder
	for _, a := range actions {
		star := ""
		if a.Preferred {
			star = "*"
		}
		fmt.Fprintf(&b, "%s%s %q", a.Kind, star, a.Title)
		var fixes []string
		for _, i := range a.Fixes {
			fixes = append(fixes, findings[i].Rule.ID)
		}
		fmt.Fprintf(&b, " fixes=%s edits=%d", strings.Join(fixes, ","), len(a.Edits))
		for _, nf := range a.Create {
			rel, _ := filepath.Rel(p.dir, nf.Path)
			fmt.Fprintf(&b, " create=%s", filepath.ToSlash(rel))
		}
		if a.Command != nil {
			fmt.Fprintf(&b, " command=%s", a.Command.Name)
			for _, arg := range a.Command.Arguments {
				if x, ok := arg.(AddRateLimiterArgs); ok {
					rel, _ := filepath.Rel(p.dir, x.Dir)
					fmt.Fprintf(&b, "(%s %s)", x.Lang, filepath.ToSlash(rel))
				}
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// checkFixed re-analyzes the fixed file: it must parse, the findings the
// action fixes must be gone and the others must remain.
func checkFixed(t *testing.T, p *project, rel string, before []analysis.Finding, a Action, fixed []byte) {
	t.Helper()
	file, _ := p.check(t, rel)
	if parseErrors(t, file.Lang, fixed) {
		t.Errorf("%s: the fixed file has syntax errors", rel)
	}
	_, after := p.checkText(t, rel, fixed)
	fixedSet := map[int]bool{}
	for _, i := range a.Fixes {
		fixedSet[i] = true
	}
	var want []string
	for i, f := range before {
		if !fixedSet[i] {
			want = append(want, f.Rule.ID+" "+f.Message)
		}
	}
	var got []string
	for _, f := range after {
		got = append(got, f.Rule.ID+" "+f.Message)
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: findings after the fix\n%s\nwant\n%s", rel, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// additive reports whether an action may only insert text: adding the
// limiter to a route and the ignore comment never touch what is there.
func additive(title string) bool {
	return strings.HasPrefix(title, "Add rate limit") || strings.HasPrefix(title, "Ignore ")
}

// subsequence reports whether every byte of old appears in new, in order:
// new is old with insertions only.
func subsequence(old, new []byte) bool {
	i := 0
	for j := 0; j < len(new) && i < len(old); j++ {
		if new[j] == old[i] {
			i++
		}
	}
	return i == len(old)
}
