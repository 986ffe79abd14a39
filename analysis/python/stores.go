package python

import (
	"bytes"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// containerCallees are the constructors of containers a hand-written limiter
// keeps its counts in.
var containerCallees = map[string]string{
	"dict": "dict", "defaultdict": "defaultdict", "Counter": "Counter", "deque": "deque",
	"list": "list", "OrderedDict": "OrderedDict", "TTLCache": "TTLCache", "LRUCache": "LRUCache",
	"TLRUCache": "TLRUCache", "LFUCache": "LFUCache", "ExpiringDict": "ExpiringDict",
}

// containerKind recognizes an initially empty container: {} or [] literals
// and the constructors above. Literals with content are tables, not counters.
func containerKind(n syntax.FlatNode, text []byte) string {
	switch n.Kind() {
	case "dictionary":
		if n.NamedChildCount() == 0 {
			return "dict"
		}
	case "list":
		if n.NamedChildCount() == 0 {
			return "list"
		}
	case "call":
		kind := containerCallees[lastPart(dotted(n.Field("function"), text))]
		if (kind == "dict" || kind == "list") && n.Field("arguments").NamedChildCount() > 0 {
			return ""
		}
		return kind
	}
	return ""
}

// rejectMarkers are the ways a limiter turns a caller away.
var rejectMarkers = []string{
	"raise", "abort(", "return False", "TooMany", "TOO_MANY", "Throttled",
	"Forbidden", "PermissionDenied", "403", "locked",
}

// identityWords name the client a count is kept for.
var identityWords = map[string]bool{
	"ip": true, "ips": true, "addr": true, "address": true, "remote": true, "client": true,
	"user": true, "users": true, "username": true, "userid": true, "uid": true, "key": true,
	"apikey": true, "token": true, "session": true, "sid": true, "email": true, "login": true,
	"ident": true, "identity": true, "identifier": true, "host": true, "account": true,
	"forwarded": true, "caller": true, "principal": true, "sender": true, "peer": true, "phone": true,
}

// hasIdentity reports whether text names a client identity.
func hasIdentity(text string) bool {
	for _, w := range words(text) {
		if identityWords[w] || strings.HasPrefix(w, "user") || strings.HasSuffix(w, "ip") && len(w) <= 8 && strings.Contains(w, "_") {
			return true
		}
	}
	return false
}

// words splits identifiers and text into lower-case words at punctuation,
// underscores and camelCase boundaries.
func words(text string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, strings.ToLower(text[start:end]))
		}
		start = -1
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		switch {
		case !alnum:
			flush(i)
		case c >= 'A' && c <= 'Z' && start >= 0 && i > 0 && text[i-1] >= 'a' && text[i-1] <= 'z':
			flush(i)
			start = i
		case start < 0:
			start = i
		}
	}
	flush(len(text))
	return out
}

// timeish reports whether text names a time or a duration: such operands
// are the window of a limiter, not its count or limit.
func timeish(text string) bool { return hasWords(text, timeWords) || hasWords(text, durationWords) }

// instant reports whether text names a point in time (now, a timestamp).
func instant(text string) bool { return hasWords(text, timeWords) }

var timeWords = map[string]bool{
	"now": true, "time": true, "ts": true, "timestamp": true, "stamp": true, "monotonic": true,
	"clock": true, "started": true, "start": true, "expires": true, "expiry": true, "reset": true,
	"last": true, "first": true, "oldest": true, "utcnow": true,
}

var durationWords = map[string]bool{
	"window": true, "seconds": true, "secs": true, "period": true, "interval": true,
	"duration": true, "ttl": true, "elapsed": true, "age": true,
}

func hasWords(text string, set map[string]bool) bool {
	for _, w := range words(text) {
		if set[w] {
			return true
		}
	}
	return false
}

// storeRef is a keyed read of a container in a function: hits[ip],
// attempts.get(user), self.buckets.setdefault(key, ...).
type storeRef struct {
	store      string
	start, end int
	key        syntax.FlatNode
}

// uses finds the containers a function reads by key and compares against a
// threshold, and records each as a Use.
func (x *extractor) uses(def, body syntax.FlatNode, raw []byte, sc scope) {
	// A limiter compares (< >), reads by key ([ or .get/.setdefault/.pop)
	// and rejects; checking the text first skips almost every function.
	if !bytes.ContainsAny(raw, "<>") || !(bytes.ContainsRune(raw, '[') || bytes.Contains(raw, []byte(".get(")) ||
		bytes.Contains(raw, []byte(".setdefault(")) || bytes.Contains(raw, []byte(".pop("))) {
		return
	}
	bodyText := string(raw)
	rejects := has429(bodyText)
	for _, m := range rejectMarkers {
		if strings.Contains(bodyText, m) {
			rejects = true
			break
		}
	}
	if !rejects {
		return
	}
	storeName := func(n syntax.FlatNode) string {
		switch n.Kind() {
		case "identifier":
			return x.src(n)
		case "attribute":
			// self.hits, or state.hits: a counter kept in another module
			if obj := n.Field("object"); obj.Kind() == "identifier" {
				return x.src(obj) + "." + x.src(n.Field("attribute"))
			}
		}
		return ""
	}
	constKey := func(k syntax.FlatNode) bool {
		switch k.Kind() {
		case "string", "integer", "float", "true", "false", "none", "unary_operator", "slice":
			return true
		}
		return false
	}
	var refs []storeRef
	locals, globals := map[string]bool{}, map[string]bool{}
	derived := map[string]string{}
	walkNamed(def.Field("parameters"), func(n syntax.FlatNode) bool {
		if n.Kind() == "identifier" {
			locals[x.src(n)] = true
		}
		return true
	})
	var comparisons, minus []syntax.FlatNode
	walkNamed(body, func(n syntax.FlatNode) bool {
		switch n.Kind() {
		case "function_definition", "class_definition", "lambda":
			return false
		case "global_statement":
			kids(n, func(c syntax.FlatNode) bool {
				globals[x.src(c)] = true
				return true
			})
		case "subscript":
			if s := storeName(n.Field("value")); s != "" && !constKey(n.Field("subscript")) {
				refs = append(refs, storeRef{s, n.Start(), n.End(), n.Field("subscript")})
			}
		case "call":
			if fn := n.Field("function"); fn.Kind() == "attribute" {
				switch x.src(fn.Field("attribute")) {
				case "get", "setdefault", "pop":
					if s := storeName(fn.Field("object")); s != "" {
						if k := n.Field("arguments").NamedChild(0); !k.IsNull() && !constKey(k) && k.Kind() != "keyword_argument" {
							refs = append(refs, storeRef{s, n.Start(), n.End(), k})
						}
					}
				}
			}
		case "assignment", "augmented_assignment":
			if n.Kind() == "assignment" {
				for _, a := range derivedAssignments(n, x.text) {
					locals[a.name] = true
				}
			}
		case "comparison_operator":
			comparisons = append(comparisons, n)
		case "binary_operator":
			if op := n.Child(1); !op.IsNull() && x.src(op) == "-" {
				minus = append(minus, n)
			}
		}
		return true
	})
	if len(refs) == 0 {
		return
	}
	// Derived names are resolved after the walk: a name assigned from a
	// keyed read may be assigned before that read was seen (nested calls).
	for _, n := range derivedAssignments(body, x.text) {
		for _, r := range refs {
			if r.start >= n.right.Start() && r.end <= n.right.End() {
				derived[n.name] = r.store
			}
		}
		if _, ok := derived[n.name]; ok {
			continue
		}
		walkNamed(n.right, func(c syntax.FlatNode) bool {
			if c.Kind() == "identifier" {
				if s, ok := derived[x.src(c)]; ok {
					derived[n.name] = s
					return false
				}
			}
			return true
		})
	}
	storeIn := func(n syntax.FlatNode) string {
		for _, r := range refs {
			if r.start >= n.Start() && r.end <= n.End() && (!locals[r.store] || globals[r.store]) {
				return r.store
			}
		}
		found := ""
		walkNamed(n, func(c syntax.FlatNode) bool {
			if c.Kind() == "identifier" && found == "" {
				found = derived[x.src(c)]
			}
			return found == ""
		})
		return found
	}
	limitish := func(n syntax.FlatNode) bool {
		switch n.Kind() {
		case "integer", "float", "identifier", "attribute":
			return !timeish(x.src(n))
		}
		return false
	}
	recorded := map[string]bool{}
	window := x.window(comparisons, minus)
	for _, c := range comparisons {
		var ops []string
		var operands []syntax.FlatNode
		c.Children(func(ch syntax.FlatNode) bool {
			if ch.IsNamed() {
				operands = append(operands, ch)
			} else {
				ops = append(ops, x.src(ch))
			}
			return true
		})
		if len(ops) != 1 || len(operands) != 2 {
			continue
		}
		op := ops[0]
		if op != "<" && op != ">" && op != "<=" && op != ">=" {
			continue
		}
		store, other := storeIn(operands[0]), operands[1]
		if store == "" {
			store, other = storeIn(operands[1]), operands[0]
			op = flip(op)
		}
		storeSide := operands[0]
		if storeSide.Start() == other.Start() {
			storeSide = operands[1]
		}
		// now - start > WINDOW compares time, not the count.
		if store == "" || recorded[store] || !limitish(other) || timeish(x.src(storeSide)) {
			continue
		}
		recorded[store] = true
		u := Use{Store: store, Func: x.src(def.Field("name")), Limit: x.src(other), LimitOp: op, Window: window, Span: x.span(c)}
		if strings.HasPrefix(store, "self.") {
			u.Class = sc.class
		}
		fnText := x.src(def)
		for _, r := range refs {
			if r.store != store {
				continue
			}
			if hasIdentity(x.src(r.key)) || (r.key.Kind() == "identifier" && hasIdentity(fnText)) {
				u.Identity = true
			}
		}
		u.Rejects = rejects
		u.Vocab = hasVocab([]byte(fnText)) || hasVocab([]byte(store))
		x.uf.Uses = append(x.uf.Uses, u)
	}
}

type namedAssign struct {
	name  string
	right syntax.FlatNode
}

func derivedAssignments(body syntax.FlatNode, text []byte) []namedAssign {
	var out []namedAssign
	walkNamed(body, func(n syntax.FlatNode) bool {
		switch n.Kind() {
		case "function_definition", "class_definition", "lambda":
			return false
		case "assignment":
			l, r := n.Field("left"), n.Field("right")
			if r.IsNull() {
				break
			}
			switch l.Kind() {
			case "identifier":
				out = append(out, namedAssign{l.Text(text), r})
			case "pattern_list", "tuple_pattern", "list_pattern":
				// start, count = hits.get(ip, (now, 0))
				kids(l, func(c syntax.FlatNode) bool {
					if c.Kind() == "identifier" {
						out = append(out, namedAssign{c.Text(text), r})
					}
					return true
				})
			}
		}
		return true
	})
	return out
}

func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case ">":
		return "<"
	case "<=":
		return ">="
	case ">=":
		return "<="
	}
	return op
}

// window finds the length of the time window: the constant subtracted from
// or compared with a timestamp (now - 60, time.time() - WINDOW, elapsed > 60).
func (x *extractor) window(comparisons, minus []syntax.FlatNode) string {
	pick := func(a, b syntax.FlatNode) string {
		if instant(x.src(a)) && !instant(x.src(b)) {
			switch b.Kind() {
			case "integer", "float", "identifier", "attribute":
				return x.src(b)
			}
		}
		return ""
	}
	for _, m := range minus {
		if w := pick(m.Field("left"), m.Field("right")); w != "" {
			return w
		}
	}
	for _, c := range comparisons {
		a, b := c.NamedChild(0), c.NamedChild(1)
		if w := pick(a, b); w != "" {
			return w
		}
		if w := pick(b, a); w != "" {
			return w
		}
	}
	return ""
}
