package check

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The schema is OASIS's SARIF 2.1.0 (rtm.5, the published standard), as
// shipped in the npm package @microsoft/jest-sarif (lib/schemas/).
const sarifSchemaFile = "testdata/sarif-schema-2.1.0.json"

const sarifProject = `from fastapi import FastAPI

app = FastAPI()


@app.post("/login")
def login():
    return {}


@app.post("/login")
def login_again():
    return {"dup": True}
`

// runSARIF checks dir and returns the SARIF document.
func runSARIF(t *testing.T, dir string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	Run(context.Background(), Options{Dir: dir, Format: FormatSARIF, Version: "1.2.3"}, &out, &errOut)
	return out.Bytes()
}

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateSARIF(t *testing.T, s *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return s.Validate(inst)
}

// TestSARIFValidAgainstSchema validates a log with results, a related
// location and tool notifications against the OASIS JSON schema, and proves
// the validator rejects a log that breaks it.
func TestSARIFValidAgainstSchema(t *testing.T) {
	schema := compileSARIFSchema(t)
	dir := t.TempDir()
	write(t, dir, "app.py", sarifProject)
	write(t, dir, "bin.py", "x\x00y")
	write(t, dir, "broken.py", "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/x')\ndef f(:\n  pass\n")
	data := runSARIF(t, dir)
	if err := validateSARIF(t, schema, data); err != nil {
		t.Fatalf("SARIF does not validate: %v\n%s", err, data)
	}
	bad := bytes.Replace(data, []byte(`"level": "warning"`), []byte(`"level": "warn"`), 1)
	if err := validateSARIF(t, schema, bad); err == nil {
		t.Fatal("the validator accepted level \"warn\"; the schema check is not working")
	}
}

// TestSARIFForCodeScanning checks what GitHub code scanning relies on beyond
// the schema: rule metadata, ruleIndex pointing at the rule, relative URIs
// with a declared base, 1-based regions, declared column kind and unique
// partial fingerprints.
func TestSARIFForCodeScanning(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "src/app.py", sarifProject)
	var log sarifLog
	if err := json.Unmarshal(runSARIF(t, dir), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name == "" || d.Version != "1.2.3" || !isAbsURL(d.InformationURI) {
		t.Errorf("driver name %q version %q informationUri %q", d.Name, d.Version, d.InformationURI)
	}
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	for _, r := range d.Rules {
		if r.ID == "" || r.Name == "" || r.ShortDescription.Text == "" || !isAbsURL(r.HelpURI) || !levels[r.DefaultConfiguration.Level] {
			t.Errorf("incomplete rule %+v", r)
		}
	}
	if run.ColumnKind != "utf16CodeUnits" {
		t.Errorf("columnKind %q", run.ColumnKind)
	}
	base, ok := run.OriginalURIBaseIDs[srcRoot]
	if u, err := url.Parse(base.URI); !ok || err != nil || u.Scheme != "file" || !strings.HasSuffix(base.URI, "/") {
		t.Errorf("originalUriBaseIds[%s] = %q: want an absolute file URI ending in /", srcRoot, base.URI)
	}
	if len(run.Results) != 2 {
		t.Fatalf("%d results, want 2", len(run.Results))
	}
	seen := map[string]bool{}
	for _, r := range run.Results {
		if r.RuleIndex < 0 || r.RuleIndex >= len(d.Rules) || d.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d does not point at %s", r.RuleIndex, r.RuleID)
		}
		if !levels[r.Level] || r.Message.Text == "" || len(r.Locations) != 1 {
			t.Errorf("result level %q message %q, %d locations", r.Level, r.Message.Text, len(r.Locations))
		}
		al := r.Locations[0].PhysicalLocation.ArtifactLocation
		if al.URI != "src/app.py" || al.URIBaseID != srcRoot {
			t.Errorf("artifactLocation %+v, want src/app.py relative to %s", al, srcRoot)
		}
		reg := r.Locations[0].PhysicalLocation.Region
		if reg.StartLine < 1 || reg.StartColumn < 1 || reg.EndLine < reg.StartLine || (reg.EndLine == reg.StartLine && reg.EndColumn <= reg.StartColumn) {
			t.Errorf("bad region %+v", reg)
		}
		fp := r.PartialFingerprints[fingerprintKey]
		if fp == "" || seen[fp] {
			t.Errorf("fingerprint %q empty or repeated", fp)
		}
		seen[fp] = true
	}
}

// TestFingerprintsSurviveUnrelatedEdits: code scanning matches alerts across
// commits by partialFingerprints, so lines added above a finding, or a
// changed handler body, must not change them.
func TestFingerprintsSurviveUnrelatedEdits(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "app.py", sarifProject)
	before := fingerprints(t, dir)
	edited := strings.Replace(sarifProject, "app = FastAPI()", "# a comment\n\napp = FastAPI()  # moved", 1)
	edited = strings.Replace(edited, `return {"dup": True}`, `return {"dup": False, "changed": 1}`, 1)
	write(t, dir, "app.py", edited)
	after := fingerprints(t, dir)
	if strings.Join(before, ",") != strings.Join(after, ",") || len(before) != 2 {
		t.Fatalf("fingerprints changed: %v -> %v", before, after)
	}
	write(t, dir, "app.py", strings.Replace(sarifProject, `"/login"`, `"/signin"`, 1))
	if changed := fingerprints(t, dir); changed[0] == before[0] {
		t.Fatalf("a different route kept the fingerprint %s", changed[0])
	}
}

func fingerprints(t *testing.T, dir string) []string {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(runSARIF(t, dir), &log); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range log.Runs[0].Results {
		out = append(out, r.PartialFingerprints[fingerprintKey])
	}
	return out
}

func isAbsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
