// SPDX-License-Identifier: GPL-2.0
/*
 * Call-site descriptors: data a kernel macro emits once per use, in a
 * section the kernel reads as an array.  pr_debug() with
 * CONFIG_DYNAMIC_DEBUG makes a static struct _ddebug named
 * __UNIQUE_ID_ddebugN in __dyndbg; with jump labels the __jump_table entry
 * of the call points at the static key inside it.
 *
 * A descriptor belongs to the function that uses it.  Its name follows
 * __COUNTER__ and its line follows the source, so it is identified by what
 * it says (correlate.c never pairs it by name), and two descriptors that
 * differ only in the line are the same.  The output carries its own copy of
 * the descriptors of the functions it carries, in a section of the same
 * name, so that the module loader registers them (dynamic_debug_setup) and
 * their jump labels have a key in the patch module.
 *
 * Per-call-site compiler data (UBSAN's, below) is treated alike.
 */
#include "cdo.h"

#include <string.h>

static bool same_bytes_but_line(const struct section_kind *k, const unsigned char *o,
				const unsigned char *p, uint64_t size)
{
	uint32_t ow, pw, mask = ~((1u << k->line_bits) - 1);

	if (size < k->line_offset + 4)
		return !memcmp(o, p, size);
	memcpy(&ow, o + k->line_offset, 4);
	memcpy(&pw, p + k->line_offset, 4);
	return !memcmp(o, p, k->line_offset) && (ow & mask) == (pw & mask) &&
	       !memcmp(o + k->line_offset + 4, p + k->line_offset + 4,
		       size - k->line_offset - 4);
}

/* Same bytes but the line, and relocations to the same things (strings, __func__). */
bool same_callsite_descriptor(const struct cdo *c, const struct symbol *o,
			      const struct symbol *p)
{
	const struct section_kind *k = section_kind(p->sec);
	const struct section *os = o->sec, *ps = p->sec;
	const struct rela *orr, *prr, *oend, *pend;

	if (!k || section_kind(os) != k || o->size != p->size || !os->data || !ps->data ||
	    !same_bytes_but_line(k, os->data + o->value, ps->data + p->value, p->size))
		return false;
	if (!os->rela || !ps->rela)
		return !os->rela && !ps->rela;
	orr = find_rela_from(os, o->value);
	prr = find_rela_from(ps, p->value);
	oend = os->rela->relas + os->rela->nr_relas;
	pend = ps->rela->relas + ps->rela->nr_relas;
	for (; orr && orr < oend && orr->offset < o->value + o->size; orr++, prr++)
		if (!prr || prr >= pend || prr->offset - p->value != orr->offset - o->value ||
		    !same_target(c, os, orr, ps, prr))
			return false;
	return !prr || prr >= pend || prr->offset >= p->value + p->size;
}

/* The output's section of @p's kind, where its copy is appended. */
struct section *callsite_output_section(struct cdo *c, const struct symbol *p)
{
	struct section *out = find_section(c->out, p->sec->name);

	if (out)
		return out;
	out = section_new(c->out, p->sec->name, p->sec->sh.sh_type, p->sec->sh.sh_flags,
			  p->sec->sh.sh_entsize, p->sec->sh.sh_addralign);
	out->secsym = symbol_new(c->out, "", STB_LOCAL, STT_SECTION, out, 0, 0);
	return out;
}

/*
 * Per-call-site data the compiler makes and names by a counter: UBSAN's
 * source locations and type descriptors (GCC: .data..Lubsan_data5,
 * .data..Lubsan_type2; clang: .data..L__unnamed_3, .rodata..L__unnamed_4).
 * With -fdata-sections each is a section without symbols that only the
 * function using it refers to.  The counter follows everything before it
 * in the unit, so these are compared by what they hold, never paired by
 * name, and a carried function carries its own copy.
 */
/*
 * struct source_location { const char *file; u32 line; u32 column; } opens
 * every UBSAN data record (lib/ubsan.h); the record is writable (the
 * handler marks it reported).  Its line and column follow the source.
 */
#define SOURCE_LINE_OFFSET 8
#define SOURCE_LINE_BYTES 8

static bool opens_with_source_location(const struct section *sec)
{
	const struct rela *r = sec->rela ? find_rela_at(sec, 0) : NULL;

	return (sec->sh.sh_flags & SHF_WRITE) && r && r->sym->sec && rela_width(r->type) == 8 &&
	       is_string_section(r->sym->sec) && sec->size >= SOURCE_LINE_OFFSET + SOURCE_LINE_BYTES;
}

static bool same_data_bytes(const struct section *o, const struct section *p)
{
	uint64_t skip = opens_with_source_location(p) && opens_with_source_location(o) ?
			SOURCE_LINE_OFFSET : o->size;

	if (o->size != p->size || !o->data || !p->data)
		return o->size == p->size && !o->data && !p->data;
	if (skip == o->size)
		return !memcmp(o->data, p->data, o->size);
	return !memcmp(o->data, p->data, skip) &&
	       !memcmp(o->data + skip + SOURCE_LINE_BYTES, p->data + skip + SOURCE_LINE_BYTES,
		       o->size - skip - SOURCE_LINE_BYTES);
}

#define MAX_DATA_DEPTH 4	/* data -> type descriptor; deeper is not UBSAN's */

static bool same_data_at(const struct cdo *c, const struct section *o, const struct section *p,
			 unsigned int depth);

static bool same_data_reference(const struct cdo *c, const struct section *o,
				const struct rela *or, const struct section *p,
				const struct rela *pr, unsigned int depth)
{
	const struct section *ot = or->sym->sec, *pt = pr->sym->sec;

	if (or->offset != pr->offset || or->type != pr->type)
		return false;
	if (ot && pt && is_callsite_data_section(ot) && is_callsite_data_section(pt))
		return or->addend == pr->addend && same_data_at(c, ot, pt, depth + 1);
	return same_target(c, o, or, p, pr);
}

static bool same_data_at(const struct cdo *c, const struct section *o, const struct section *p,
			 unsigned int depth)
{
	size_t n = o->rela ? o->rela->nr_relas : 0;

	if (depth > MAX_DATA_DEPTH || !same_data_bytes(o, p) ||
	    n != (p->rela ? p->rela->nr_relas : 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!same_data_reference(c, o, &o->rela->relas[i], p, &p->rela->relas[i], depth))
			return false;
	return true;
}

bool same_callsite_data(const struct cdo *c, const struct rela *o, const struct rela *p)
{
	return o->addend == p->addend && same_data_at(c, o->sym->sec, p->sym->sec, 0);
}
