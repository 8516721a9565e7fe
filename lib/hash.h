/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intrusive chained hash table.  Objects embed a struct hnode and are found
 * by walking one bucket: every lookup by name or index in the toolchain goes
 * through one of these, so nothing is linear in the number of symbols.
 */
#ifndef KPB_HASH_H
#define KPB_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;
	uint64_t hash;
};

struct htable {
	struct hnode **buckets;
	size_t nr_buckets;	/* power of two */
	size_t count;
};

void htable_init(struct htable *t, size_t expected);
void htable_free(struct htable *t);
void htable_add(struct htable *t, struct hnode *n, uint64_t hash);
void htable_del(struct htable *t, struct hnode *n);

static inline struct hnode *htable_bucket(const struct htable *t, uint64_t hash)
{
	return t->buckets[hash & (t->nr_buckets - 1)];
}

uint64_t hash_str(const char *s);
uint64_t hash_u64(uint64_t v);

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Walk the entries whose hash equals @h; the caller compares the keys. */
#define htable_for_each_match(t, pos, type, member, h)				\
	for (struct hnode *_n = htable_bucket((t), (h)); _n; _n = _n->next)	\
		if (_n->hash == (h) && ((pos) = container_of(_n, type, member), 1))

#endif
