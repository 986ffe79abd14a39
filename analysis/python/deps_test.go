package python

import (
	"reflect"
	"testing"
)

// TestDigestsCoverEveryField sets each field of each fact type in turn and
// checks the digest changes, so a field added to a fact later cannot be
// forgotten by the RATE001 result cache (spans excepted: no decision
// depends on where another statement's facts are).
func TestDigestsCoverEveryField(t *testing.T) {
	exported := map[string]func(*UnitFacts) reflect.Value{
		"Imports": func(uf *UnitFacts) reflect.Value { uf.Imports = []Import{{}}; return reflect.ValueOf(&uf.Imports[0]) },
		"Objects": func(uf *UnitFacts) reflect.Value { uf.Objects = []Object{{}}; return reflect.ValueOf(&uf.Objects[0]) },
		"Links":   func(uf *UnitFacts) reflect.Value { uf.Links = []Link{{}}; return reflect.ValueOf(&uf.Links[0]) },
		"Classes": func(uf *UnitFacts) reflect.Value { uf.Classes = []Class{{}}; return reflect.ValueOf(&uf.Classes[0]) },
		"Settings": func(uf *UnitFacts) reflect.Value {
			uf.Settings = []Setting{{}}
			return reflect.ValueOf(&uf.Settings[0])
		},
		"Stores": func(uf *UnitFacts) reflect.Value { uf.Stores = []Store{{}}; return reflect.ValueOf(&uf.Stores[0]) },
		"Uses":   func(uf *UnitFacts) reflect.Value { uf.Uses = []Use{{}}; return reflect.ValueOf(&uf.Uses[0]) },
	}
	// Every slice of UnitFacts is either hashed here or handled apart.
	ut := reflect.TypeOf(UnitFacts{})
	for i := 0; i < ut.NumField(); i++ {
		name := ut.Field(i).Name
		if _, ok := exported[name]; !ok && name != "Funcs" && name != "Routes" && name != "deps" {
			t.Errorf("UnitFacts.%s is neither in the export digest nor handled by the route cache", name)
		}
	}
	for name, mk := range exported {
		var base UnitFacts
		mk(&base)
		want := exportDigest(&base)
		typ := mk(&UnitFacts{}).Elem().Type()
		for i := 0; i < typ.NumField(); i++ {
			if typ.Field(i).Name == "Span" {
				continue
			}
			var uf UnitFacts
			setNonZero(t, mk(&uf).Elem().Field(i))
			if exportDigest(&uf) == want {
				t.Errorf("%s: changing %s.%s does not change the export digest", name, typ.Name(), typ.Field(i).Name)
			}
		}
	}
	var base Func
	want := funcDigest(&base)
	typ := reflect.TypeOf(base)
	for i := 0; i < typ.NumField(); i++ {
		if typ.Field(i).Name == "Span" {
			continue
		}
		var fn Func
		setNonZero(t, reflect.ValueOf(&fn).Elem().Field(i))
		if funcDigest(&fn) == want {
			t.Errorf("changing Func.%s does not change the function digest", typ.Field(i).Name)
		}
	}
}

func setNonZero(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int:
		v.SetInt(3)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		setNonZero(t, v.Index(0))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		val := reflect.New(v.Type().Elem()).Elem()
		setNonZero(t, val)
		m.SetMapIndex(reflect.ValueOf("k"), val)
		v.Set(m)
	default:
		t.Fatalf("no non-zero value for a %s field: extend setNonZero and the digests", v.Kind())
	}
}

func TestIdentifiers(t *testing.T) {
	got := identifiers([]byte("@app.get('/x')\ndef login(ip): return hits.get(ip, 0) > 10 # café\n"))
	for _, id := range []string{"app", "get", "x", "def", "login", "ip", "return", "hits", "café"} {
		found := false
		for _, h := range got {
			if h == identHash(id) {
				found = true
			}
		}
		if !found {
			t.Errorf("identifier %q not found", id)
		}
	}
	if len(got) != 9 {
		t.Errorf("%d distinct identifiers, want 9 (duplicates removed, numbers skipped)", len(got))
	}
}
