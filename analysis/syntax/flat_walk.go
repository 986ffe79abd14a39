package syntax

/*
#include <stdbool.h>
#include <stdint.h>

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
*/
import "C"

import (
	"runtime"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// flatten copies n's subtree into nodes (grown as needed) and returns it.
// A subtree larger than nodes is walked twice: once to count its nodes,
// once into a slice of exactly that size.
func flatten(n *sitter.Node, nodes []flatNode) []flatNode {
	// smacker's Node starts with the C TSNode it wraps (checked by
	// TestFlatLayout against smacker's accessors).
	tsn := *(*C.TSNode)(unsafe.Pointer(n))
	if cap(nodes) == 0 {
		nodes = make([]flatNode, 64)
	}
	for {
		nodes = nodes[:cap(nodes)]
		got := C.ss_flatten(tsn, (*C.ss_flat)(unsafe.Pointer(&nodes[0])), C.int64_t(len(nodes)))
		runtime.KeepAlive(n)
		if got >= 0 {
			return nodes[:got]
		}
		// Room for this subtree, and some to spare for the next ones
		// loaded into the same Flat.
		nodes = make([]flatNode, -got+-got/4)
	}
}

// sizeofCFlat is the C struct's size, for the layout test.
const sizeofCFlat = C.sizeof_ss_flat
