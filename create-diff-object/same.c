// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 1: are these the same?  The one equivalence the phases share:
 * same_target() decides whether a relocation of the original object and
 * one of the patched object point to the same thing, and recurses through
 * what only its contents identify: string literals and merged constants,
 * __func__ constants, call-site descriptors (__dyndbg) and call-site data
 * (UBSAN's), the pieces of .altinstr_aux, an alternative's replacement.
 * A symbol's twin is correlate.c's answer, read through sym_twin().
 *
 * Renumbering and reordering are not changes: relocations are compared by
 * what they point to, never by symbol index or section offset.  Call-site
 * descriptors and data follow __COUNTER__ and the source line: two that
 * differ only in the line are the same (kinds.c says where the line is).
 *
 * Below the phases: compare.c, check.c and correlate.c call it; it calls
 * only layer 0 (kinds, relocs, names, pieces).
 */
#include "cdo.h"

#include <string.h>

static const char *string_at(const struct section *from, const struct rela *r,
			     size_t *maxlen)
{
	const struct symbol *sym = r->sym;
	const struct section *sec = sym->sec;
	int64_t off = r->addend + pcrel_bias(from, r->type) +
		      (sym->type == STT_SECTION ? 0 : (int64_t)sym->value);

	if (!sec || !sec->data || off < 0 || (uint64_t)off >= sec->size)
		return NULL;
	*maxlen = sec->size - (uint64_t)off;
	return (const char *)sec->data + off;
}

/* The same text, or one that differs only in a moved "file.c:LINE" (lines.c). */
static bool same_string(const struct cdo *c, const struct section *of, const struct rela *o,
			const struct section *pf, const struct rela *p)
{
	size_t ol, pl;
	const char *os = string_at(of, o, &ol);
	const char *ps = string_at(pf, p, &pl);

	if (!os || !ps)
		return o->addend == p->addend;
	if (!strncmp(os, ps, ol < pl ? ol : pl) && strnlen(os, ol) == strnlen(ps, pl))
		return true;
	return only_lines_differ_in_string(os, ol, ps, pl, source_file_name(pf->elf),
					   c->line_map);
}

/* Two __func__ constants: the same text is the same constant. */
static bool same_function_name(const struct symbol *o, const struct symbol *p)
{
	return o->size == p->size && o->sec->data && p->sec->data &&
	       !memcmp(o->sec->data + o->value, p->sec->data + p->value, p->size);
}

/* A label in ".rodata.cst16" and the like: the entry's bytes are what it is. */
static bool same_constant(const struct section *of, const struct rela *o,
			  const struct section *pf, const struct rela *p)
{
	size_t ol, pl;
	const char *os = string_at(of, o, &ol);
	const char *ps = string_at(pf, p, &pl);
	uint64_t n = p->sym->sec->sh.sh_entsize;

	if (!os || !ps || !n || o->sym->sec->sh.sh_entsize != n || ol < n || pl < n)
		return false;
	return !memcmp(os, ps, n);
}

bool same_target(const struct cdo *c, const struct section *of, const struct rela *o,
		 const struct section *pf, const struct rela *p)
{
	struct symbol *os, *ps;
	int64_t oa, pa;

	if (plain_reloc_type(o->type) != plain_reloc_type(p->type))
		return false;
	if (o->sym->sec && p->sym->sec && is_string_section(o->sym->sec) &&
	    is_string_section(p->sym->sec))
		return same_string(c, of, o, pf, p);
	if (o->sym->sec && p->sym->sec && is_merged_section(o->sym->sec) &&
	    is_merged_section(p->sym->sec))
		return same_constant(of, o, pf, p);
	if (o->sym->sec && p->sym->sec && is_callsite_data_section(o->sym->sec) &&
	    is_callsite_data_section(p->sym->sec))
		return same_callsite_data(c, o, p);
	if (o->sym->sec && p->sym->sec && is_piece_section(o->sym->sec) &&
	    is_piece_section(p->sym->sec) && is_section_sym(o->sym) && is_section_sym(p->sym))
		return same_piece(c, of, o, pf, p);
	os = resolve_reloc(of, o, &oa);
	ps = resolve_reloc(pf, p, &pa);
	if (oa != pa)
		return false;
	if (is_function_name_constant(os) || is_function_name_constant(ps))
		return is_function_name_constant(os) && is_function_name_constant(ps) &&
		       same_function_name(os, ps);
	if (is_callsite_descriptor(os) || is_callsite_descriptor(ps))
		return same_callsite_descriptor(c, os, ps);
	if (is_undefined(os) || is_undefined(ps))
		return is_undefined(os) && is_undefined(ps) && !strcmp(os->name, ps->name);
	return sym_twin(c, ORIG, os) == ps;
}

struct range {
	const struct symbol *sym;
	const struct rela *first, *end;	/* relocations within the symbol */
};

static struct range symbol_range(const struct symbol *sym)
{
	struct range r = { .sym = sym };
	const struct section *rs = sym->sec->rela;

	if (!rs)
		return r;
	r.first = find_rela_from(sym->sec, sym->value);
	r.end = rs->relas + rs->nr_relas;
	if (!r.first) {
		r.first = r.end;
		return r;
	}
	const struct rela *e = find_rela_from(sym->sec, sym->value + sym->size);

	r.end = e ? e : r.end;
	return r;
}

static bool same_relocations(const struct cdo *c, struct range o, struct range p)
{
	if (o.end - o.first != p.end - p.first)
		return false;
	for (; o.first < o.end; o.first++, p.first++) {
		if (o.first->offset - o.sym->value != p.first->offset - p.sym->value)
			return false;
		if (!same_target(c, o.sym->sec, o.first, p.sym->sec, p.first))
			return false;
	}
	return true;
}

/* Do @o and @p have relocations at the same offsets to the same targets? */
bool same_symbol_relocations(const struct cdo *c, const struct symbol *o, const struct symbol *p)
{
	return same_relocations(c, symbol_range(o), symbol_range(p));
}

/*
 * Call-site descriptors: pr_debug() with CONFIG_DYNAMIC_DEBUG makes a static
 * struct _ddebug (__UNIQUE_ID_ddebugN in __dyndbg); with jump labels the
 * __jump_table entry of the call points at the static key inside it.  It
 * belongs to the function that uses it, is never paired by name
 * (correlate.c), and two that differ only in the line are the same.
 */
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

/* Two jumps into pieces of .altinstr_aux: the same bytes and targets (pieces.c). */
bool same_piece(const struct cdo *c, const struct section *of, const struct rela *o,
		const struct section *pf, const struct rela *p)
{
	struct piece op, pp;
	const struct rela *orr, *prr, *ostop, *pstop;

	if (!find_piece(c->pieces[ORIG], of, o, &op) || !find_piece(c->pieces[PATCHED], pf, p, &pp) ||
	    op.end - op.start != pp.end - pp.start ||
	    memcmp(op.sec->data + op.start, pp.sec->data + pp.start, pp.end - pp.start))
		return false;
	orr = relas_in(op.sec, op.start, op.end, &ostop);
	prr = relas_in(pp.sec, pp.start, pp.end, &pstop);
	if (ostop - orr != pstop - prr)
		return false;
	for (; orr < ostop; orr++, prr++)
		if (orr->offset - op.start != prr->offset - pp.start ||
		    !same_target(c, op.sec, orr, pp.sec, prr))
			return false;
	return true;
}

/*
 * An alternative's replacement: @len bytes at the target of @o / @p in
 * .altinstr_replacement, with their relocations.  The length is the entry's
 * replacementlen byte (entry_layout.len_offset).
 */
static bool same_replacement(const struct cdo *c, const struct rela *o, const struct rela *p,
			     uint8_t olen, uint8_t plen)
{
	const struct section *oa = o->sym->sec, *pa = p->sym->sec;
	uint64_t ooff = (uint64_t)o->addend, poff = (uint64_t)p->addend;
	struct rela *orr, *prr;

	if (olen != plen || !oa || !pa || !oa->data || !pa->data || ooff + olen > oa->size ||
	    poff + plen > pa->size)
		return olen == plen && o->addend == p->addend;
	if (memcmp(oa->data + ooff, pa->data + poff, olen))
		return false;
	orr = find_rela_from(oa, ooff);
	prr = find_rela_from(pa, poff);
	for (; orr && orr < oa->rela->relas + oa->rela->nr_relas && orr->offset < ooff + olen;
	     orr++, prr++)
		if (!prr || prr >= pa->rela->relas + pa->rela->nr_relas ||
		    prr->offset - poff != orr->offset - ooff || !same_target(c, oa, orr, pa, prr))
			return false;
	return true;
}

/* One entry's bytes, its missing tail padding as zeroes. */
static void read_entry(const struct section *sec, const struct entry_layout *l, uint64_t st,
		       unsigned char *buf)
{
	unsigned int len = entry_len(sec, l, st);

	memcpy(buf, sec->data + st, len);
	memset(buf + len, 0, l->size - len);
}

/* Entry bytes outside relocated fields, and the targets of all but the first field. */
bool same_entry(const struct cdo *c, const struct section_kind *k,
		       const struct entry_layout *l, const struct section *os, uint64_t ost,
		       const struct section *ps, uint64_t pst)
{
	unsigned char ob[64], pb[64];
	struct rela *orr = find_rela_from(os, ost), *prr = find_rela_from(ps, pst);
	struct rela *oend = os->rela->relas + os->rela->nr_relas;
	struct rela *pend = ps->rela->relas + ps->rela->nr_relas;
	uint64_t olen = entry_len(os, l, ost);

	if (l->size > sizeof(ob) || olen != entry_len(ps, l, pst))
		return olen == entry_len(ps, l, pst) && !memcmp(os->data + ost, ps->data + pst, olen);
	read_entry(os, l, ost, ob);
	read_entry(ps, l, pst, pb);
	for (; orr && orr < oend && orr->offset < ost + olen; orr++) {
		if (!prr || prr >= pend || prr->offset - pst != orr->offset - ost)
			return false;
		memset(ob + (orr->offset - ost), 0, rela_width(orr->type));
		memset(pb + (prr->offset - pst), 0, rela_width(prr->type));
		if (k->aux && orr->sym->sec && !strcmp(orr->sym->sec->name, k->aux)) {
			if (!same_replacement(c, orr, prr, ob[l->len_offset], pb[l->len_offset]))
				return false;
		} else if (orr->offset != ost && !same_target(c, os, orr, ps, prr)) {
			return false;
		}
		prr++;
	}
	return !memcmp(ob, pb, l->size);
}

/* Whole-section comparison, for sections that hold no symbols of their own. */
bool same_section_contents(const struct cdo *c, const struct section *o,
			   const struct section *p)
{
	const struct section *orr = o->rela, *prr = p->rela;
	size_t n = orr ? orr->nr_relas : 0;

	if (o->size != p->size || (prr ? prr->nr_relas : 0) != n)
		return false;
	if (o->data && p->data && memcmp(o->data, p->data, p->size))
		return false;
	for (size_t i = 0; i < n; i++)
		if (orr->relas[i].offset != prr->relas[i].offset ||
		    !same_target(c, o, &orr->relas[i], p, &prr->relas[i]))
			return false;
	return true;
}
