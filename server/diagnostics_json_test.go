package server

import (
	stdjson "encoding/json"
	"math/rand"
	"testing"

	"go.lsp.dev/protocol"
)

func TestAppendDiagnosticsMatchesEncodingJSON(t *testing.T) {
	weird := []string{"", "plain", `q"uote\back`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "<html>&amp;", "é😀中文", "bad \xff\xfe utf8", "line\u2028sep\u2029", "\"/items/{id}\""}
	rng := rand.New(rand.NewSource(1))
	pick := func() string { return weird[rng.Intn(len(weird))] }
	var ds []diagnostic
	for i := 0; i < 200; i++ {
		d := diagnostic{
			Range:    protocol.Range{Start: protocol.Position{Line: uint32(rng.Intn(1e6)), Character: uint32(rng.Intn(300))}, End: protocol.Position{Line: uint32(rng.Intn(1e6)), Character: uint32(rng.Intn(300))}},
			Severity: rng.Intn(5),
			Code:     pick(),
			Source:   pick(),
			Message:  pick(),
		}
		if rng.Intn(2) == 0 {
			d.CodeDescription = &codeDescription{Href: "https://x/" + pick()}
		}
		if rng.Intn(2) == 0 {
			d.RelatedInformation = []relatedInformation{{Location: location{URI: "file:///" + pick(), Range: d.Range}, Message: pick()}}
		}
		if rng.Intn(3) > 0 {
			d.Data = &diagnosticData{Version: int32(rng.Intn(100)), Start: rng.Intn(1e6), End: rng.Intn(1e6)}
			if rng.Intn(2) == 0 {
				d.Data.Fix = map[string]string{pick(): pick(), "fix": pick(), "handler": pick(), "z": "1"}
			}
		}
		ds = append(ds, d)
	}
	for _, in := range [][]diagnostic{nil, {}, ds} {
		want, err := stdjson.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if in == nil {
			want = []byte("[]") // a publish always carries an array
		}
		got := appendDiagnostics(nil, in, nil)
		if string(got) != string(want) {
			t.Fatalf("hand encoding differs:\n got %s\nwant %s", got, want)
		}
		// The fix cache: first publish fills it, the next ones read it.
		var fixes fixJSONCache
		for publish := 0; publish < 3; publish++ {
			fixes.begin()
			if got := appendDiagnostics(nil, in, &fixes); string(got) != string(want) {
				t.Fatalf("publish %d with the fix cache differs:\n got %s\nwant %s", publish, got, want)
			}
		}
	}
}

// TestFixCacheFollowsNewMaps checks that a finding's new Fix map is encoded
// afresh and entries unused by a publish are dropped after the next.
func TestFixCacheFollowsNewMaps(t *testing.T) {
	var fixes fixJSONCache
	a := map[string]string{"fix": "add-rate-limit", "handler": "a"}
	b := map[string]string{"fix": "add-rate-limit", "handler": "b"}
	for i, m := range []map[string]string{a, b, a, a, b} {
		fixes.begin()
		got := string(fixes.appendFix(nil, m))
		if want := string(appendStringMap(nil, m)); got != want {
			t.Fatalf("publish %d: %s, want %s", i, got, want)
		}
	}
	fixes.begin()
	fixes.begin()
	if len(fixes.prev)+len(fixes.cur) != 0 {
		t.Fatalf("entries survive two publishes that did not use them: %v %v", fixes.prev, fixes.cur)
	}
}

func BenchmarkAppendDiagnostics(b *testing.B) {
	ds := make([]diagnostic, 500)
	for i := range ds {
		ds[i] = diagnostic{
			Range:    protocol.Range{Start: protocol.Position{Line: uint32(i * 6), Character: 0}, End: protocol.Position{Line: uint32(i * 6), Character: 18}},
			Severity: 2, Code: "RATE001", Source: "stablestack", Message: "GET /items/4290 has no rate limiting",
			CodeDescription: &codeDescription{Href: "https://github.com/stablestack/stablestack/blob/main/docs/rules/RATE001.md"},
			Data:            &diagnosticData{Version: 12, Start: 123456, End: 123474, Fix: map[string]string{"fix": "add-rate-limit", "framework": "fastapi", "handler": "item_4290", "route": "GET /items/4290"}},
		}
	}
	b.ReportAllocs()
	var buf []byte
	for i := 0; i < b.N; i++ {
		buf = appendDiagnostics(buf[:0], ds, nil)
	}
	b.SetBytes(int64(len(buf)))
}
