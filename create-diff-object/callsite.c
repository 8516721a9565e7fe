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
 */
#include "cdo.h"

#include <string.h>

struct callsite_kind {
	const char *section;
	unsigned int line_offset;	/* the 32-bit word holding the line bitfield */
	unsigned int line_bits;		/* its low bits are the line (little endian) */
};

static const struct callsite_kind callsite_kinds[] = {
	/*
	 * include/linux/dynamic_debug.h (6.1, 6.12): modname, function,
	 * filename, format; then lineno:18, class_id:6, flags:8; then, with
	 * CONFIG_JUMP_LABEL, the static key union.
	 */
	{ "__dyndbg", 32, 18 },
};

static const struct callsite_kind *callsite_kind_of(const struct section *sec)
{
	for (size_t i = 0; i < sizeof(callsite_kinds) / sizeof(*callsite_kinds); i++)
		if (!strcmp(sec->name, callsite_kinds[i].section))
			return &callsite_kinds[i];
	return NULL;
}

bool is_callsite_descriptor(const struct symbol *sym)
{
	return sym->type == STT_OBJECT && sym->sec && callsite_kind_of(sym->sec);
}

static bool same_bytes_but_line(const struct callsite_kind *k, const unsigned char *o,
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
	const struct callsite_kind *k = callsite_kind_of(p->sec);
	const struct section *os = o->sec, *ps = p->sec;
	const struct rela *orr, *prr, *oend, *pend;

	if (!k || callsite_kind_of(os) != k || o->size != p->size || !os->data || !ps->data ||
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
