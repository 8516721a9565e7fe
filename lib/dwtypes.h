/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The types of one relocatable object as its DWARF describes them, for
 * comparing the layouts an original and a patched object were compiled with.
 *
 * Only types declared at file scope are kept (a type declared inside a
 * function lives only as long as a call of it): each named struct or union
 * ("struct foo", "union bar") and each typedef of an anonymous one, under
 * the typedef's name ("Node" for `typedef struct { ... } Node;`).  A type's
 * members are flattened through members of anonymous type: the members of
 * `union { int a; long b; };` are "a" and "b", those of `struct { int x; } in;`
 * are "in" and "in.x", with offsets from the start of the outer type.
 *
 * Users are what refers to the types: the functions defined in the object
 * (their return type, parameters, local variables, and those of what was
 * inlined into them) and its file-scope variables.  A user's uses are the
 * types its declarations name directly or through pointers, arrays,
 * qualifiers and typedefs.  A type's embeds are the types it holds by value
 * (a member, or an array member, of that type).
 *
 * The reader applies the object's relocations to its DWARF (libdwfl), as
 * names and references in a relocatable object's .debug_info are relocated.
 */
#ifndef KPB_DWTYPES_H
#define KPB_DWTYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

struct dw_member {
	char *path;		/* "b", "in.x" */
	uint64_t bit_offset;	/* from the start of the outer type */
	uint64_t bit_size;	/* 0: unknown (a flexible array) */
	bool bitfield;
	char *type;		/* as C spells it: "unsigned int", "struct foo *", "char [16]" */
};

struct dw_type {
	struct hnode node;
	size_t index;		/* in dw_object.types */
	char *key;		/* "struct foo", "union bar", "Node" */
	bool anonymous;		/* a typedef'd anonymous struct or union */
	uint64_t size;		/* bytes */
	char *decl_file;	/* where it is defined (may be NULL) */
	unsigned int decl_line;
	struct dw_member *members;
	size_t nr_members;
	char **embeds;		/* keys of the types held by value */
	size_t nr_embeds;
};

/* A function defined in the object, or a file-scope variable. */
struct dw_user {
	struct hnode node;
	char *name;
	char **uses;		/* keys of the types it refers to */
	size_t nr_uses;
};

struct dw_object {
	char *path;
	struct dw_type **types;	/* in DWARF order */
	size_t nr_types;
	struct htable type_index;
	struct dw_user **funcs;	/* in DWARF order */
	size_t nr_funcs;
	struct dw_user **vars;
	size_t nr_vars;
	struct htable var_index;
};

/*
 * Read the types of @path.  NULL on error, the reason in @err (an object
 * without DWARF is an error: it says so).
 */
struct dw_object *dw_read(const char *path, char *err, size_t errlen);
void dw_free(struct dw_object *obj);

const struct dw_type *dw_find_type(const struct dw_object *obj, const char *key);
const struct dw_user *dw_find_var(const struct dw_object *obj, const char *name);

#endif
