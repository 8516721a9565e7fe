// SPDX-License-Identifier: GPL-2.0
/*
 * Comparing two layouts of one type (typediff.h).  Members are matched by
 * their flattened path through a hash of the patched type's members.
 */
#include "typediff.h"
#include "hash.h"
#include "log.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct member_ref {
	struct hnode node;
	const struct dw_member *m;
	bool matched;
};

struct member_index {
	struct htable table;
	struct member_ref *refs;
};

static void index_members(struct member_index *ix, const struct dw_type *t)
{
	htable_init(&ix->table, t->nr_members ? t->nr_members : 1);
	ix->refs = xcalloc(t->nr_members ? t->nr_members : 1, sizeof(*ix->refs));
	for (size_t i = 0; i < t->nr_members; i++) {
		ix->refs[i].m = &t->members[i];
		htable_add(&ix->table, &ix->refs[i].node, hash_str(t->members[i].path));
	}
}

static struct member_ref *find_member(struct member_index *ix, const char *path)
{
	uint64_t h = hash_str(path);
	struct member_ref *ref;

	htable_for_each_match(&ix->table, ref, struct member_ref, node, h)
		if (!strcmp(ref->m->path, path))
			return ref;
	return NULL;
}

static void add_change(struct layout_change **changes, size_t *nr, struct layout_change c)
{
	*changes = xrealloc(*changes, (*nr + 1) * sizeof(**changes));
	(*changes)[(*nr)++] = c;
}

static enum layout_change_kind member_change(const struct dw_member *o, const struct dw_member *n,
					     bool *changed)
{
	*changed = true;
	if (o->bit_offset != n->bit_offset)
		return CHANGE_MOVED;
	if (o->bit_size != n->bit_size)
		return CHANGE_RESIZED;
	if (strcmp(o->type, n->type))
		return CHANGE_RETYPED;
	*changed = false;
	return CHANGE_MOVED;
}

/* Member changes in offset order: the old offset, or an inserted one's new. */
static uint64_t change_offset(const struct layout_change *c)
{
	return c->old ? c->old->bit_offset : c->new->bit_offset;
}

static int by_offset(const void *a, const void *b)
{
	const struct layout_change *x = a, *y = b;
	uint64_t ox = change_offset(x), oy = change_offset(y);

	if (ox != oy)
		return ox < oy ? -1 : 1;
	/* At one offset: the old member, then the one inserted there. */
	return (x->kind == CHANGE_INSERTED) - (y->kind == CHANGE_INSERTED);
}

size_t diff_layout(const struct dw_type *old, const struct dw_type *new,
		   struct layout_change **changes)
{
	struct member_index ix;
	size_t nr = 0;

	*changes = NULL;
	index_members(&ix, new);
	for (size_t i = 0; i < old->nr_members; i++) {
		const struct dw_member *o = &old->members[i];
		struct member_ref *ref = find_member(&ix, o->path);
		enum layout_change_kind kind;
		bool changed;

		if (!ref) {
			add_change(changes, &nr, (struct layout_change){ CHANGE_REMOVED, o, NULL, 0, 0 });
			continue;
		}
		ref->matched = true;
		kind = member_change(o, ref->m, &changed);
		if (changed)
			add_change(changes, &nr, (struct layout_change){ kind, o, ref->m, 0, 0 });
	}
	if (nr || old->size != new->size) {
		for (size_t i = 0; i < new->nr_members; i++)
			if (!ix.refs[i].matched)
				add_change(changes, &nr, (struct layout_change){
					CHANGE_INSERTED, NULL, ix.refs[i].m, 0, 0 });
	}
	if (nr > 1)
		qsort(*changes, nr, sizeof(**changes), by_offset);
	if (old->size != new->size)
		add_change(changes, &nr, (struct layout_change){
			CHANGE_SIZE, NULL, NULL, old->size, new->size });
	htable_free(&ix.table);
	free(ix.refs);
	return nr;
}

/* "offset 4", or "offset 4 bit 3" inside a bit-field's storage. */
static char *where(uint64_t bits)
{
	return bits % 8 ? xasprintf("offset %llu bit %llu", (unsigned long long)(bits / 8),
				    (unsigned long long)(bits % 8))
			: xasprintf("offset %llu", (unsigned long long)(bits / 8));
}

static char *how_big(const struct dw_member *m)
{
	if (m->bitfield)
		return xasprintf("%llu bits", (unsigned long long)m->bit_size);
	return xasprintf("size %llu", (unsigned long long)(m->bit_size / 8));
}

/* The second of "size 4 -> 8": without the word. */
static const char *short_size(const struct dw_member *m, const char *text)
{
	return m->bitfield ? text : text + strlen("size ");
}

char *describe_change(const struct layout_change *c)
{
	char *a = NULL, *b = NULL, *sa = NULL, *sb = NULL, *s;

	switch (c->kind) {
	case CHANGE_REMOVED:
		a = where(c->old->bit_offset), sa = how_big(c->old);
		s = xasprintf("member %s removed (was at %s, %s)", c->old->path, a, sa);
		break;
	case CHANGE_MOVED:
		a = where(c->old->bit_offset), b = where(c->new->bit_offset);
		sa = how_big(c->old), sb = how_big(c->new);
		s = strcmp(sa, sb) ? xasprintf("member %s moved from %s to %s (%s -> %s)",
					       c->old->path, a, b + strlen("offset "), sa,
					       short_size(c->new, sb))
				   : xasprintf("member %s moved from %s to %s (%s)",
					       c->old->path, a, b + strlen("offset "), sa);
		break;
	case CHANGE_RESIZED:
		a = where(c->old->bit_offset), sa = how_big(c->old), sb = how_big(c->new);
		s = strcmp(c->old->type, c->new->type)
			? xasprintf("member %s resized at %s: %s -> %s (%s -> %s)", c->old->path, a,
				    sa, short_size(c->new, sb), c->old->type, c->new->type)
			: xasprintf("member %s resized at %s: %s -> %s (%s)", c->old->path, a, sa,
				    short_size(c->new, sb), c->old->type);
		break;
	case CHANGE_RETYPED:
		a = where(c->old->bit_offset), sa = how_big(c->old);
		s = xasprintf("member %s retyped at %s (%s): %s -> %s", c->old->path, a, sa,
			      c->old->type, c->new->type);
		break;
	case CHANGE_INSERTED:
		b = where(c->new->bit_offset), sb = how_big(c->new);
		s = xasprintf("member %s inserted at %s (%s)", c->new->path, b, sb);
		break;
	case CHANGE_SIZE:
	default:
		s = xasprintf("size %llu -> %llu bytes", (unsigned long long)c->old_size,
			      (unsigned long long)c->new_size);
		break;
	}
	free(a), free(b), free(sa), free(sb);
	return s;
}
