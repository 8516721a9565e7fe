// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0: which layout a special section's entries have (layout.h).
 *
 * Every relocation must land on a field of its entry with the field's width
 * and kind, and every entry must relocate its required fields.  The last
 * entry may be short by the structure's tail padding (older kernels'
 * .parainstructions aligned before each entry, not after: 16k-4 bytes),
 * provided what it relocates lies inside it.  kinds.c lists the layouts
 * of each kind; compare.c and special.c ask kind_layout().
 */
#include "cdo.h"
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum reloc_class class_of(uint32_t type)
{
	switch (type) {
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_PC64:
		return RELOC_RELATIVE;
	case R_X86_64_64:
	case R_X86_64_32:
	case R_X86_64_32S:
		return RELOC_ABSOLUTE;
	default:
		return 0;
	}
}

static const char *class_name(enum reloc_class cls)
{
	return cls == RELOC_RELATIVE ? "relative" : cls == RELOC_ABSOLUTE ? "absolute" : "other";
}

static const struct entry_field *field_at(const struct entry_layout *l, uint64_t offset)
{
	for (size_t i = 0; i < MAX_ENTRY_FIELDS && l->fields[i].width; i++)
		if (l->fields[i].offset == offset)
			return &l->fields[i];
	return NULL;
}

static size_t nr_required(const struct entry_layout *l)
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_ENTRY_FIELDS && l->fields[i].width; i++)
		n += !l->fields[i].optional;
	return n;
}

/* Does relocation @r sit on a field of @l, inside its (maybe short) entry? */
static bool reloc_fits(const struct section *sec, const struct entry_layout *l,
		       const struct rela *r, char *why, size_t len)
{
	uint64_t start = r->offset - r->offset % l->size;
	const struct entry_field *f = field_at(l, r->offset % l->size);

	if (!f) {
		snprintf(why, len, "relocation at 0x%lx is at entry offset %lu, no field of the %s "
			 "layout", (unsigned long)r->offset, (unsigned long)(r->offset % l->size),
			 l->what);
		return false;
	}
	if (class_of(r->type) != f->cls || rela_width(r->type) != f->width) {
		snprintf(why, len, "relocation at 0x%lx is %u-byte %s, the %s layout has a "
			 "%u-byte %s field there", (unsigned long)r->offset, rela_width(r->type),
			 class_name(class_of(r->type)), l->what, f->width, class_name(f->cls));
		return false;
	}
	if (f->offset + f->width > entry_len(sec, l, start)) {
		snprintf(why, len, "the last entry (%u bytes) ends inside its relocated field at "
			 "0x%lx", entry_len(sec, l, start), (unsigned long)r->offset);
		return false;
	}
	return true;
}

/* Is @sec an array of @l's entries?  If not, @why says what disagrees. */
static bool layout_fits(const struct section *sec, const struct entry_layout *l, char *why,
			size_t len)
{
	uint64_t tail = sec->size % l->size, entries = sec->size / l->size + (tail != 0);
	size_t required = 0;

	if (tail && l->size - tail > l->pad) {
		snprintf(why, len, "size %lu is not a multiple of the %s layout's %u bytes "
			 "(short by %lu, its tail padding is %u)", (unsigned long)sec->size, l->what,
			 l->size, (unsigned long)(l->size - tail), l->pad);
		return false;
	}
	for (size_t i = 0; i < sec->rela->nr_relas; i++) {
		const struct rela *r = &sec->rela->relas[i];
		const struct entry_field *f;

		if (i && r->offset == r[-1].offset) {
			snprintf(why, len, "two relocations at 0x%lx", (unsigned long)r->offset);
			return false;
		}
		if (!reloc_fits(sec, l, r, why, len))
			return false;
		f = field_at(l, r->offset % l->size);
		required += !f->optional;
	}
	if (required != entries * nr_required(l)) {
		snprintf(why, len, "%lu entries of the %s layout would need %lu relocations of "
			 "their required fields, there are %zu", (unsigned long)entries, l->what,
			 (unsigned long)(entries * nr_required(l)), required);
		return false;
	}
	return true;
}

/* $size_env's size into *@size (0: unset); false if it is not one, said in @err. */
static bool env_size(const char *file, const struct layout_set *set, unsigned int *size,
		     char *err, size_t errlen)
{
	const char *v = set->size_env ? getenv(set->size_env) : NULL;
	char *end;
	unsigned long n;

	*size = 0;
	if (!v || !*v)
		return true;
	n = strtoul(v, &end, 0);
	if (*end || !n || n > 4096) {
		format_error(err, errlen, "%s: %s=%s: not an entry size", file, set->size_env, v);
		return false;
	}
	*size = (unsigned int)n;
	return true;
}

/* A probed size no known layout has: the newest layout's fields that fit in it. */
static const struct entry_layout *layout_for_size(const struct layout_set *set,
						  unsigned int size,
						  struct entry_layout *scratch)
{
	size_t n = 0;

	for (size_t i = 0; i < set->nr; i++)
		if (set->layouts[i].size == size)
			return NULL;
	memset(scratch, 0, sizeof(*scratch));
	scratch->what = "probed";
	scratch->size = size;
	scratch->key_field = set->layouts[0].key_field;
	scratch->len_offset = size - 1;
	for (size_t i = 0; i < MAX_ENTRY_FIELDS && set->layouts[0].fields[i].width; i++)
		if (set->layouts[0].fields[i].offset + set->layouts[0].fields[i].width <= size)
			scratch->fields[n++] = set->layouts[0].fields[i];
	return scratch;
}

struct candidates {
	const struct entry_layout *fit[8];
	size_t nr_fit;
	char why[256];		/* why the first candidate that did not fit did not */
};

static void try_layout(const struct section *sec, const struct entry_layout *l,
		       struct candidates *cs)
{
	char why[256];

	if (layout_fits(sec, l, why, sizeof(why))) {
		if (cs->nr_fit < sizeof(cs->fit) / sizeof(*cs->fit))
			cs->fit[cs->nr_fit++] = l;
	} else if (!cs->why[0]) {
		memcpy(cs->why, why, sizeof(why));
	}
}

/* Try the layouts of size @size (0: all of them). */
static void try_layouts(const struct section *sec, const struct layout_set *set,
			unsigned int size, struct candidates *cs)
{
	for (size_t i = 0; i < set->nr; i++)
		if (!size || set->layouts[i].size == size)
			try_layout(sec, &set->layouts[i], cs);
}

const struct entry_layout *choose_layout(const char *file, const struct section *sec,
					 const struct layout_set *set,
					 struct entry_layout *scratch, char *err, size_t errlen)
{
	unsigned int probed;
	struct candidates cs = { .nr_fit = 0 };

	if (!env_size(file, set, &probed, err, errlen))
		return NULL;
	if (probed) {
		const struct entry_layout *l = layout_for_size(set, probed, scratch);

		if (l)
			try_layout(sec, l, &cs);
		else
			try_layouts(sec, set, probed, &cs);
		if (!cs.nr_fit) {
			format_error(err, errlen,
				     "%s: section %s: size %lu does not hold entries of %s=%u: %s",
				     file, sec->name, (unsigned long)sec->size, set->size_env,
				     probed, cs.why);
			return NULL;
		}
	} else {
		if (sec->sh.sh_entsize)
			try_layouts(sec, set, (unsigned int)sec->sh.sh_entsize, &cs);
		if (!cs.nr_fit)
			try_layouts(sec, set, 0, &cs);
		if (!cs.nr_fit) {
			format_error(err, errlen,
				     "%s: section %s: size %lu fits no known entry layout: %s%s%s",
				     file, sec->name, (unsigned long)sec->size, cs.why,
				     set->size_env ? "; set " : "",
				     set->size_env ? set->size_env : "");
			return NULL;
		}
	}
	for (size_t i = 1; i < cs.nr_fit; i++)
		if (cs.fit[i]->size != cs.fit[0]->size) {
			format_error(err, errlen, "%s: section %s: size %lu fits both the %u-byte "
				     "%s and the %u-byte %s layout%s%s", file, sec->name,
				     (unsigned long)sec->size, cs.fit[0]->size, cs.fit[0]->what,
				     cs.fit[i]->size, cs.fit[i]->what,
				     set->size_env ? "; set " : "",
				     set->size_env ? set->size_env : "");
			return NULL;
		}
	return cs.fit[0];
}
