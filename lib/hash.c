// SPDX-License-Identifier: GPL-2.0
#include "hash.h"
#include "log.h"

#include <stdlib.h>

static size_t round_pow2(size_t n)
{
	size_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

void htable_init(struct htable *t, size_t expected)
{
	t->nr_buckets = round_pow2(expected);
	t->buckets = xcalloc(t->nr_buckets, sizeof(*t->buckets));
	t->count = 0;
}

void htable_free(struct htable *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->nr_buckets = t->count = 0;
}

static void htable_grow(struct htable *t)
{
	size_t old_nr = t->nr_buckets;
	struct hnode **old = t->buckets;

	t->nr_buckets = old_nr * 2;
	t->buckets = xcalloc(t->nr_buckets, sizeof(*t->buckets));
	for (size_t i = 0; i < old_nr; i++) {
		struct hnode *n = old[i], *next;

		for (; n; n = next) {
			struct hnode **b = &t->buckets[n->hash & (t->nr_buckets - 1)];

			next = n->next;
			n->next = *b;
			*b = n;
		}
	}
	free(old);
}

void htable_add(struct htable *t, struct hnode *n, uint64_t hash)
{
	struct hnode **b;

	if (t->count >= t->nr_buckets)
		htable_grow(t);
	b = &t->buckets[hash & (t->nr_buckets - 1)];
	n->hash = hash;
	n->next = *b;
	*b = n;
	t->count++;
}

void htable_del(struct htable *t, struct hnode *n)
{
	struct hnode **p = &t->buckets[n->hash & (t->nr_buckets - 1)];

	for (; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			t->count--;
			return;
		}
	}
}

/* FNV-1a: short kernel symbol names, good spread, no tables. */
uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t hash_u64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	v *= 0xc4ceb9fe1a85ec53ULL;
	v ^= v >> 33;
	return v;
}
