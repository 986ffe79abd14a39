package syntax

/*
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The tree-sitter runtime is compiled and linked by smacker/go-tree-sitter;
// these are the declarations of the few functions used here, copied from
// its api.h (tree-sitter ABI 14), so this package calls the runtime directly
// instead of through smacker's wrappers. flat_test.go checks the layouts
// against smacker's own results.
typedef struct TSTree TSTree;
typedef uint16_t TSSymbol;
typedef uint16_t TSFieldId;
typedef struct { uint32_t context[4]; const void *id; const TSTree *tree; } TSNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } TSTreeCursor;

TSTreeCursor ts_tree_cursor_new(TSNode node);
void ts_tree_cursor_delete(TSTreeCursor *self);
TSNode ts_tree_cursor_current_node(const TSTreeCursor *self);
TSFieldId ts_tree_cursor_current_field_id(const TSTreeCursor *self);
bool ts_tree_cursor_goto_first_child(TSTreeCursor *self);
bool ts_tree_cursor_goto_next_sibling(TSTreeCursor *self);
bool ts_tree_cursor_goto_parent(TSTreeCursor *self);
uint32_t ts_node_start_byte(TSNode self);
uint32_t ts_node_end_byte(TSNode self);
TSSymbol ts_node_symbol(TSNode self);
bool ts_node_is_named(TSNode self);
bool ts_node_is_missing(TSNode self);
bool ts_node_is_extra(TSNode self);
bool ts_node_has_error(TSNode self);
uint32_t ts_node_child_count(TSNode self);
typedef struct TSLanguage TSLanguage;
const TSLanguage *ts_tree_language(const TSTree *self);
uint32_t ts_language_symbol_count(const TSLanguage *self);
uint32_t ts_language_field_count(const TSLanguage *self);
uint32_t ts_language_version(const TSLanguage *self);
const char *ts_language_symbol_name(const TSLanguage *self, TSSymbol symbol);
const char *ts_language_field_name_for_id(const TSLanguage *self, TSFieldId id);

// ss_flat mirrors flatNode (flat.go).
typedef struct {
	uint32_t start, end;
	int32_t parent, skip;
	uint16_t sym, field;
	uint8_t flags;
} ss_flat;

enum { SS_NAMED = 1, SS_MISSING = 2, SS_EXTRA = 4, SS_HAS_ERROR = 8 };

// ss_count finishes a walk that ran out of room: it counts the nodes left
// after the cursor's current one, given its depth below the root.
static int64_t ss_count(TSTreeCursor *c, int64_t depth) {
	int64_t n = 0;
	for (;;) {
		if (ts_tree_cursor_goto_first_child(c)) {
			depth++;
			n++;
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(c)) {
			if (depth == 0 || !ts_tree_cursor_goto_parent(c)) {
				return n;
			}
			depth--;
		}
		n++;
	}
}

// ss_flatten writes root's subtree in preorder into out and returns the
// number of nodes. When more than cap are needed it returns minus the
// number needed (nothing useful is left in out then; the caller makes room
// for exactly that many and calls again). One call walks the whole
// subtree: no crossing between Go and C per node.
static int64_t ss_flatten(TSNode root, ss_flat *out, int64_t cap) {
	TSTreeCursor c = ts_tree_cursor_new(root);
	int64_t n = 0, parent = -1, depth = 0;
	for (;;) {
		if (n >= cap) {
			// The cursor is on node n, not yet written: count it and the rest.
			int64_t total = n + 1 + ss_count(&c, depth);
			ts_tree_cursor_delete(&c);
			return -total;
		}
		TSNode node = ts_tree_cursor_current_node(&c);
		bool extra = ts_node_is_extra(node);
		// This runtime's cursor gives extra nodes (comments) below the
		// cursor's root the root's alias as their kind (a comment in an
		// interface_body reads "interface_body"); extras are never aliased.
		if (extra && n > 0) node.context[3] = 0;
		ss_flat *f = &out[n];
		f->start = ts_node_start_byte(node);
		f->end = ts_node_end_byte(node);
		f->parent = (int32_t)parent;
		f->skip = (int32_t)(n + 1);
		f->sym = ts_node_symbol(node);
		f->field = n == 0 ? 0 : ts_tree_cursor_current_field_id(&c);
		f->flags = (ts_node_is_named(node) ? SS_NAMED : 0) | (ts_node_is_missing(node) ? SS_MISSING : 0) |
			(extra ? SS_EXTRA : 0) | (ts_node_has_error(node) ? SS_HAS_ERROR : 0);
		int64_t cur = n++;
		if (ts_tree_cursor_goto_first_child(&c)) {
			parent = cur;
			depth++;
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (parent < 0 || !ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				return n;
			}
			depth--;
			out[parent].skip = (int32_t)n; // every descendant is written
			parent = out[parent].parent;
		}
	}
}

// The walk above costs about 120 ns a node: every cursor step and node
// accessor is a call into the runtime that recomputes positions, aliases
// and fields from the top. ss_flatten_subtrees writes the same nodes from
// the runtime's own tree representation, in about a tenth of that.
//
// It reads two layouts. TSLanguage (ss_language) is the grammar ABI that
// every generated parser.c is compiled against (version 14 and 13 share
// these fields). The subtree layout (ss_inline, ss_heap) is the runtime's
// internal one, as in subtree.h of the go-tree-sitter version go.mod pins.
// Both are checked before use (ss_language_ok here, selfCheck in
// flat_fast.go, which compares the two walks on a sample of each grammar),
// and the tests compare them on every corpus; where a check fails, the
// cursor walk is used.
typedef struct { uint32_t bytes, row, column; } ss_length;

typedef struct {
	bool is_inline : 1;
	bool visible : 1;
	bool named : 1;
	bool extra : 1;
	bool has_changes : 1;
	bool is_missing : 1;
	bool is_keyword : 1;
	uint8_t symbol;
	uint16_t parse_state;
	uint8_t padding_columns;
	uint8_t padding_rows : 4;
	uint8_t lookahead_bytes : 4;
	uint8_t padding_bytes;
	uint8_t size_bytes;
} ss_inline;

typedef struct {
	uint32_t ref_count;
	ss_length padding;
	ss_length size;
	uint32_t lookahead_bytes;
	uint32_t error_cost;
	uint32_t child_count;
	TSSymbol symbol;
	uint16_t parse_state;
	bool visible : 1;
	bool named : 1;
	bool extra : 1;
	bool fragile_left : 1;
	bool fragile_right : 1;
	bool has_changes : 1;
	bool has_external_tokens : 1;
	bool has_external_scanner_state_change : 1;
	bool depends_on_column : 1;
	bool is_missing : 1;
	bool is_keyword : 1;
	union {
		struct {
			uint32_t visible_child_count;
			uint32_t named_child_count;
			uint32_t visible_descendant_count;
			int32_t dynamic_precedence;
			uint16_t repeat_depth;
			uint16_t production_id;
			struct { TSSymbol symbol; uint16_t parse_state; } first_leaf;
		};
		struct { union { char *long_data; char short_data[24]; }; uint32_t length; } external_scanner_state;
		int32_t lookahead_char;
	};
} ss_heap;

// A subtree is either inline (small leaves; the lowest bit is set) or a
// pointer to its heap data, which its children precede.
typedef union { ss_inline data; const ss_heap *ptr; } ss_subtree;

typedef struct { TSFieldId field_id; uint8_t child_index; bool inherited; } ss_field_entry;
typedef struct { uint16_t index, length; } ss_field_slice;
typedef struct { bool visible, named, supertype; } ss_symbol_meta;

typedef struct {
	uint32_t version, symbol_count, alias_count, token_count, external_token_count, state_count,
		large_state_count, production_id_count, field_count;
	uint16_t max_alias_sequence_length;
	const uint16_t *parse_table;
	const uint16_t *small_parse_table;
	const uint32_t *small_parse_table_map;
	const void *parse_actions;
	const char * const *symbol_names;
	const char * const *field_names;
	const ss_field_slice *field_map_slices;
	const ss_field_entry *field_map_entries;
	const ss_symbol_meta *symbol_metadata;
	const TSSymbol *public_symbol_map;
	const uint16_t *alias_map;
	const TSSymbol *alias_sequences;
} ss_language;

enum { SS_SYM_ERROR = 65535 };

// ss_language_ok checks ss_language against what the public API says of the
// same grammar: counts, version, and the very name strings.
static bool ss_language_ok(const TSLanguage *l) {
	const ss_language *s = (const ss_language *)l;
	if (s->version != ts_language_version(l) || s->version < 13 || s->version > 14 ||
		s->symbol_count + s->alias_count != ts_language_symbol_count(l) || s->field_count != ts_language_field_count(l)) {
		return false;
	}
	for (uint32_t i = 1; i < s->symbol_count + s->alias_count; i++) {
		if (s->symbol_names[i] != ts_language_symbol_name(l, (TSSymbol)i)) return false;
	}
	for (uint32_t i = 1; i <= s->field_count; i++) {
		if (s->field_names[i] != ts_language_field_name_for_id(l, (TSFieldId)i)) return false;
	}
	return true;
}

// ss_root_ok checks the subtree layout on a node's own data against the
// public accessors: symbol, size, visible children, flags.
static bool ss_root_ok(TSNode node) {
	ss_subtree s = *(const ss_subtree *)node.id;
	if (s.data.is_inline) return false; // a tree's root has children
	const ss_heap *h = s.ptr;
	return h->size.bytes == ts_node_end_byte(node) - ts_node_start_byte(node) &&
		h->child_count > 0 && h->visible_child_count == ts_node_child_count(node) &&
		h->is_missing == ts_node_is_missing(node) && h->extra == ts_node_is_extra(node) &&
		(h->error_cost > 0) == ts_node_has_error(node);
}

typedef struct {
	const ss_subtree *children;
	uint32_t count, i, pos, structural;
	const TSSymbol *aliases;                     // this node's production's alias sequence, or NULL
	const ss_field_entry *fields, *fields_end;   // this node's production's field map
	int64_t visible;                             // out index of the nearest visible node at or above
	int64_t own;                                 // out index of this node, -1 when it is hidden
	TSFieldId inherited;                         // a hidden node's own field: its children's default
} ss_frame;

static void ss_frame_init(ss_frame *f, const ss_language *lang, const ss_heap *h, uint32_t pos,
	int64_t visible, int64_t own, TSFieldId inherited) {
	f->children = (const ss_subtree *)h - h->child_count;
	f->count = h->child_count;
	f->i = 0;
	f->pos = pos;
	f->structural = 0;
	uint16_t production = h->production_id;
	f->aliases = production ? &lang->alias_sequences[production * lang->max_alias_sequence_length] : NULL;
	f->fields = f->fields_end = NULL;
	if (lang->field_count > 0) {
		ss_field_slice slice = lang->field_map_slices[production];
		f->fields = &lang->field_map_entries[slice.index];
		f->fields_end = f->fields + slice.length;
	}
	f->visible = visible;
	f->own = own;
	f->inherited = inherited;
}

// ss_grow makes room for one more frame: the stack starts in local (deep
// enough for almost every tree) and moves to the heap when it is full.
static ss_frame *ss_grow(ss_frame *stack, ss_frame *local, int64_t depth, int64_t *room) {
	if (depth < *room) return stack;
	ss_frame *grown = malloc(sizeof(ss_frame) * (size_t)*room * 2);
	if (!grown) abort();
	memcpy(grown, stack, sizeof(ss_frame) * (size_t)*room);
	if (stack != local) free(stack);
	*room *= 2;
	return grown;
}

// ss_flatten_subtrees is ss_flatten (same output, same contract) walking
// the subtrees directly. The runtime's cursor does the same steps: hidden
// nodes are descended into when they have visible descendants, a node's
// alias comes from its parent's production, and a node's field is the
// first non-inherited entry for its index in its parent's field map, or
// else the field of its hidden parent, and so on up to a visible node;
// extras have neither.
static int64_t ss_flatten_subtrees(TSNode root, ss_flat *out, int64_t cap) {
	const ss_language *lang = (const ss_language *)ts_tree_language(root.tree);
	int64_t n = 0;
	if (cap > 0) {
		ss_flat *f = &out[0];
		f->start = ts_node_start_byte(root);
		f->end = ts_node_end_byte(root);
		f->parent = -1;
		f->skip = 1;
		f->sym = ts_node_symbol(root);
		f->field = 0;
		f->flags = (ts_node_is_named(root) ? SS_NAMED : 0) | (ts_node_is_missing(root) ? SS_MISSING : 0) |
			(ts_node_is_extra(root) ? SS_EXTRA : 0) | (ts_node_has_error(root) ? SS_HAS_ERROR : 0);
	}
	n = 1;
	ss_subtree rs = *(const ss_subtree *)root.id;
	if (rs.data.is_inline || rs.ptr->child_count == 0) return n <= cap ? n : -n;

	ss_frame local[64];
	ss_frame *stack = local;
	int64_t depth = 0, room = 64;
	ss_frame_init(&stack[depth++], lang, rs.ptr, ts_node_start_byte(root), 0, 0, 0);
	while (depth > 0) {
		ss_frame *p = &stack[depth - 1];
		if (p->i == p->count) {
			if (p->own >= 0 && p->own < cap) out[p->own].skip = (int32_t)n;
			depth--;
			continue;
		}
		ss_subtree c = p->children[p->i];
		bool in = c.data.is_inline;
		if (p->i > 0) p->pos += in ? c.data.padding_bytes : c.ptr->padding.bytes;
		uint32_t start = p->pos, end = start + (in ? c.data.size_bytes : c.ptr->size.bytes);
		p->pos = end;
		p->i++;
		bool extra = in ? c.data.extra : c.ptr->extra;
		TSSymbol alias = 0;
		TSFieldId field = 0;
		if (!extra) {
			uint32_t index = p->structural++;
			if (p->aliases) alias = p->aliases[index];
			field = p->inherited;
			for (const ss_field_entry *e = p->fields; e < p->fields_end; e++) {
				if (!e->inherited && e->child_index == index) {
					field = e->field_id;
					break;
				}
			}
		}
		uint32_t kids = in ? 0 : c.ptr->child_count;
		if (in ? c.data.visible : c.ptr->visible) {
			// visible without an alias, or aliased below
		} else if (!alias) {
			if (kids > 0 && c.ptr->visible_child_count > 0) {
				int64_t visible = p->visible;
				stack = ss_grow(stack, local, depth, &room);
				ss_frame_init(&stack[depth++], lang, c.ptr, start, visible, -1, field);
			}
			continue;
		}
		if (n < cap) {
			TSSymbol sym = alias ? alias : (in ? c.data.symbol : c.ptr->symbol);
			bool missing = in ? c.data.is_missing : c.ptr->is_missing;
			bool named = alias ? lang->symbol_metadata[alias].named : (in ? c.data.named : c.ptr->named);
			bool error = missing || (!in && c.ptr->error_cost > 0);
			ss_flat *f = &out[n];
			f->start = start;
			f->end = end;
			f->parent = (int32_t)p->visible;
			f->skip = (int32_t)(n + 1);
			f->sym = sym == SS_SYM_ERROR ? sym : lang->public_symbol_map[sym];
			f->field = field;
			f->flags = (named ? SS_NAMED : 0) | (missing ? SS_MISSING : 0) | (extra ? SS_EXTRA : 0) |
				(error ? SS_HAS_ERROR : 0);
		}
		int64_t me = n++;
		if (kids > 0) {
			stack = ss_grow(stack, local, depth, &room);
			ss_frame_init(&stack[depth++], lang, c.ptr, start, me, me, 0);
		}
	}
	if (stack != local) free(stack);
	return n <= cap ? n : -n;
}
*/
import "C"

import (
	"runtime"
	"slices"
	"sync"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// flatten copies n's subtree into nodes (grown as needed) and returns it,
// walking the subtrees directly when fast (see subtreeWalkOK), else with
// the runtime's cursor. A subtree larger than nodes is walked twice: once
// to count its nodes, once into a slice of exactly that size.
func flatten(n *sitter.Node, nodes []flatNode, fast bool) []flatNode {
	// smacker's Node starts with the C TSNode it wraps (checked by
	// TestFlatLayout against smacker's accessors).
	tsn := *(*C.TSNode)(unsafe.Pointer(n))
	if cap(nodes) == 0 {
		nodes = make([]flatNode, 64)
	}
	for {
		nodes = nodes[:cap(nodes)]
		out, room := (*C.ss_flat)(unsafe.Pointer(&nodes[0])), C.int64_t(len(nodes))
		var got C.int64_t
		if fast {
			got = C.ss_flatten_subtrees(tsn, out, room)
		} else {
			got = C.ss_flatten(tsn, out, room)
		}
		runtime.KeepAlive(n)
		if got >= 0 {
			return nodes[:got]
		}
		// Room for this subtree, and some to spare for the next ones
		// loaded into the same Flat.
		nodes = make([]flatNode, -got+-got/4)
	}
}

// subtreeWalkOK reports whether the direct subtree walk may be used for a
// grammar: its TSLanguage and a tree's root read the same through the
// mirrored layouts as through the public API, and both walks give the
// same nodes on a sample with aliases, fields, comments, an error and a
// missing node, whole and statement by statement. Decided once per
// language; a failed check leaves that grammar on the cursor walk.
func subtreeWalkOK(l Language) bool {
	if v, ok := subtreeWalks.Load(l); ok {
		return v.(bool)
	}
	ok := checkSubtreeWalk(l)
	subtreeWalks.Store(l, ok)
	return ok
}

var subtreeWalks sync.Map // Language -> bool

func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

func checkSubtreeWalk(l Language) bool {
	src, ok := subtreeWalkSamples[l]
	if !ok || !littleEndian() {
		// ss_inline mirrors the little-endian layout only: on a big-endian
		// machine the inline bit sits elsewhere, and reading a subtree with
		// the wrong layout could follow a bad pointer before any check.
		return false
	}
	tree, err := Parse(l, []byte(src))
	if err != nil {
		return false
	}
	defer tree.Close()
	root := tree.Root()
	tsn := *(*C.TSNode)(unsafe.Pointer(root.n))
	if !bool(C.ss_language_ok(C.ts_tree_language(tsn.tree))) || !bool(C.ss_root_ok(tsn)) || !root.HasError() {
		return false
	}
	same := func(n Node) bool {
		return slices.Equal(flatten(n.n, nil, true), flatten(n.n, nil, false))
	}
	ok = same(root)
	root.Children(func(n Node) bool {
		ok = ok && same(n)
		return ok
	})
	return ok
}

// subtreeWalkSamples exercise what the walks must agree on: aliased nodes
// (property_identifier, type_identifier), fields through hidden nodes,
// comments (extras), and a broken last line (ERROR and MISSING nodes).
var subtreeWalkSamples = map[Language]string{
	Python: "import a.b as c\n@app.get('/x', tags=[1])\nasync def f(x: int = 1, *a, **k) -> str:\n" +
		"    # note\n    return {x: [y async for y in z if y]}[1:2]\nclass C(B, metaclass=M):\n    x: int = lambda: (yield)\nf(\n",
	JavaScript: "const { a, b: [c] } = require('x'); // note\nclass K extends B { #p = 1; static m() { return this.#p?.q } }\n" +
		"app.get('/x', async (req, res) => res.status(429).json({ a, ...b }));\nlet t = <A b={1}>x</A>;\nfoo(1,\n",
	TypeScript: "import type { A } from 'a';\ninterface I<T> extends J { /* c */ m(x?: T): void }\n" +
		"export const f = async <T,>(a: A<T>): Promise<T> => a as T;\nenum E { A = 1 }\nfoo(1,\n",
	TSX: "export default function P({ a }: { a: string }) { return <div className={a}>{/* c */}</div>; }\nfoo(1,\n",
	Go:  "package p\n// c\nfunc (r *R) M(a int, b ...string) (x int) { return r.f[a] }\ntype T struct{ A int `json:\"a\"` }\nfunc f(\n",
}

// sizeofCFlat is the C struct's size, for the layout test.
const sizeofCFlat = C.sizeof_ss_flat
