package python

import (
	"hash/maphash"
	"slices"
	"sort"
)

// unitDeps describes what other statements of the file can observe of a
// unit, so the RATE001 result cache (route_cache.go) can tell whether an
// edit to one statement can change the findings of another. It is computed
// once, when the statement is summarized, and shared with the UnitFacts.
type unitDeps struct {
	// export hashes every fact a route elsewhere may look up, except
	// functions and routes: imports, objects, links, classes, settings,
	// containers and their uses. Spans are left out: no RATE001 decision
	// depends on where another statement's facts are.
	export uint64
	// funcs are the functions defined in the statement, each hashed whole
	// (minus its span). Functions are looked up by name only, so a changed
	// function matters to other statements only if they mention its name.
	funcs []funcSig
	// refs are the identifiers the statement's text mentions (in code,
	// strings and comments alike), hashed and deduplicated: a superset of
	// every name its facts can look up.
	refs []uint64
}

// funcSig identifies one version of a function definition.
type funcSig struct {
	name, class uint64 // hashed identifiers (class is 0 for functions)
	digest      uint64 // everything but the span
}

func newUnitDeps(uf *UnitFacts, text []byte) *unitDeps {
	d := &unitDeps{export: exportDigest(uf), refs: identifiers(text)}
	for i := range uf.Funcs {
		fn := &uf.Funcs[i]
		sig := funcSig{name: identHash(fn.Name), digest: funcDigest(fn)}
		if fn.Class != "" {
			sig.class = identHash(fn.Class)
		}
		d.funcs = append(d.funcs, sig)
	}
	return d
}

func identHash(s string) uint64 { return maphash.String(seed, s) }

// identifiers returns the hashes of the distinct identifiers in text.
func identifiers(text []byte) []uint64 {
	var out []uint64
	for i := 0; i < len(text); {
		c := text[i]
		if !identStart(c) {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && (identStart(text[j]) || '0' <= text[j] && text[j] <= '9') {
			j++
		}
		out = append(out, maphash.Bytes(seed, text[i:j]))
		i = j
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// identStart accepts ASCII letters, '_' and every non-ASCII byte (Python
// identifiers may be Unicode; over-counting only makes the cache cautious).
func identStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// factHasher writes facts into a hash with separators, so that moving text
// between fields always changes the result.
type factHasher struct{ h maphash.Hash }

func newFactHasher() *factHasher {
	f := &factHasher{}
	f.h.SetSeed(seed)
	return f
}

func (f *factHasher) str(s string) {
	f.h.WriteString(s)
	f.h.WriteByte(0)
}

func (f *factHasher) strs(ss []string) {
	f.num(len(ss))
	for _, s := range ss {
		f.str(s)
	}
}

func (f *factHasher) num(n int) {
	for i := 0; i < 8; i++ {
		f.h.WriteByte(byte(n >> (8 * i)))
	}
}

func (f *factHasher) flag(b bool) {
	if b {
		f.h.WriteByte(1)
	} else {
		f.h.WriteByte(2)
	}
}

func (f *factHasher) strMap(m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	f.num(len(keys))
	for _, k := range keys {
		f.str(k)
		f.str(m[k])
	}
}

func (f *factHasher) strsMap(m map[string][]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	f.num(len(keys))
	for _, k := range keys {
		f.str(k)
		f.strs(m[k])
	}
}

// exportDigest hashes a statement's facts other than its functions and
// routes. deps_test.go checks that every field (but spans) is covered.
func exportDigest(uf *UnitFacts) uint64 {
	f := newFactHasher()
	f.num(len(uf.Imports))
	for _, im := range uf.Imports {
		f.str(im.Module)
		f.str(im.Name)
		f.str(im.Alias)
	}
	f.num(len(uf.Objects))
	for i := range uf.Objects {
		o := &uf.Objects[i]
		f.str(o.Name)
		f.str(o.Callee)
		f.strs(o.Args)
		f.strMap(o.Kwargs)
		f.strs(o.KwNames)
		f.flag(o.TopLevel)
	}
	f.num(len(uf.Links))
	for i := range uf.Links {
		l := &uf.Links[i]
		f.num(int(l.Kind))
		f.str(l.Parent)
		f.str(l.Child)
		f.strs(l.Names)
	}
	f.num(len(uf.Classes))
	for i := range uf.Classes {
		c := &uf.Classes[i]
		f.str(c.Name)
		f.strs(c.Bases)
		f.strs(c.Decorators)
		f.strsMap(c.MethodDecorators)
		f.strMap(c.Attrs)
		f.strsMap(c.AttrNames)
		f.strs(c.Methods)
	}
	f.num(len(uf.Settings))
	for i := range uf.Settings {
		s := &uf.Settings[i]
		f.str(s.Name)
		f.str(s.Value)
		f.strs(s.Strings)
		f.strs(s.Names)
	}
	f.num(len(uf.Stores))
	for i := range uf.Stores {
		s := &uf.Stores[i]
		f.str(s.Name)
		f.str(s.Class)
		f.str(s.Kind)
	}
	f.num(len(uf.Uses))
	for i := range uf.Uses {
		u := &uf.Uses[i]
		f.str(u.Store)
		f.str(u.Class)
		f.str(u.Func)
		f.flag(u.Identity)
		f.flag(u.Rejects)
		f.flag(u.Vocab)
		f.str(u.Limit)
		f.str(u.LimitOp)
		f.str(u.Window)
	}
	return f.h.Sum64()
}

// funcDigest hashes a function definition but its span.
func funcDigest(fn *Func) uint64 {
	f := newFactHasher()
	f.str(fn.Name)
	f.str(fn.Class)
	f.strs(fn.Decorators)
	f.strs(fn.Deps)
	f.strs(fn.Calls)
	f.flag(fn.Rejects429)
	f.flag(fn.Async)
	return f.h.Sum64()
}
