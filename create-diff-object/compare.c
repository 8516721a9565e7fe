// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 3: decide what the patch changed.
 *
 * Functions and objects are compared symbol by symbol: their bytes, and
 * their relocations by what they point to (a twin, an undefined name, the
 * text of a string literal), never by symbol index or section offset, so
 * renumbering and reordering are not changes.  A difference confined to the
 * line-number immediate passed to __might_sleep() and friends, or to a
 * printer where --line-map says that line moved, is not a change either: it
 * only means code above moved (lines.c).
 */
#include "cdo.h"

#include <stdlib.h>
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

static bool same_string(const struct section *of, const struct rela *o,
			const struct section *pf, const struct rela *p)
{
	size_t ol, pl;
	const char *os = string_at(of, o, &ol);
	const char *ps = string_at(pf, p, &pl);

	if (!os || !ps)
		return o->addend == p->addend;
	return !strncmp(os, ps, ol < pl ? ol : pl) && strnlen(os, ol) == strnlen(ps, pl);
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
		return same_string(of, o, pf, p);
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
	return c->corr.sym_twin[ORIG][os->index] == ps;
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

static enum change compare_defined(struct cdo *c, const struct symbol *o,
				   const struct symbol *p)
{
	struct range ro, rp;
	bool nobits = o->sec->sh.sh_type == SHT_NOBITS || p->sec->sh.sh_type == SHT_NOBITS;

	if (o->size != p->size || (o->sec->sh.sh_type == SHT_NOBITS) != (p->sec->sh.sh_type == SHT_NOBITS))
		return CHANGED;
	if (nobits)
		return SAME;
	ro = symbol_range(o);
	rp = symbol_range(p);
	if (!same_relocations(c, ro, rp))
		return CHANGED;
	if (!memcmp(o->sec->data + o->value, p->sec->data + p->value, p->size))
		return SAME;
	if (p->type == STT_FUNC && only_line_numbers_differ(o, p, c->line_map)) {
		c->cmp.nr_line_only++;
		DEBUG(DBG_COMPARE, "%s: only line numbers differ", p->name);
		return SAME;
	}
	return CHANGED;
}

static bool is_compared(const struct symbol *sym)
{
	return sym->sec && (sym->type == STT_FUNC || sym->type == STT_OBJECT);
}

/*
 * Objects inside a special section (.printk_index's _entry_ptr.N) are its
 * entries: special.c keeps and compares them with the code they describe.
 */
static bool *find_special_sections(const struct elf_obj *elf)
{
	bool *special = xcalloc(elf->nr_sections, sizeof(bool));
	struct section *sec;

	for_each_section(elf, sec)
		special[sec->index] = is_special_section(sec);
	return special;
}

static void compare_symbols(struct cdo *c)
{
	bool *special = find_special_sections(c->elf[PATCHED]);
	struct symbol *p;

	for_each_symbol(c->elf[PATCHED], p) {
		struct symbol *o = c->corr.sym_twin[PATCHED][p->index];

		if (!is_compared(p) || special[p->sec->index])
			continue;
		if (!o || !o->sec)
			c->cmp.status[p->index] = NEW;
		else
			c->cmp.status[p->index] = compare_defined(c, o, p);
	}
	free(special);
}

static bool is_readonly_object(const struct symbol *sym)
{
	return sym->type == STT_OBJECT && !(sym->sec->sh.sh_flags & SHF_WRITE);
}

/*
 * A function using a changed constant (a table, a format string array)
 * must be replaced to see the new one, though its own bytes are the same.
 */
static void propagate_changed_constants(struct cdo *c)
{
	struct section *sec;

	for_each_section(c->elf[PATCHED], sec) {
		struct rela *r;

		if (!is_rela_section(sec) || !is_text_section(sec->base))
			continue;
		for_each_rela(sec, r) {
			int64_t add;
			struct symbol *t = resolve_reloc(sec->base, r, &add);
			struct symbol *fn;

			if (!is_compared(t) || !is_readonly_object(t) ||
			    c->cmp.status[t->index] != CHANGED)
				continue;
			fn = find_symbol_containing(sec->base, r->offset);
			if (fn && fn->type == STT_FUNC && c->cmp.status[fn->index] == SAME) {
				c->cmp.status[fn->index] = CHANGED;
				DEBUG(DBG_COMPARE, "%s: uses changed constant %s", fn->name, t->name);
			}
		}
	}
}

/*
 * A ".cold" part is code of its parent: the two are replaced together.  The
 * old cold part jumps back into the old body, so a changed parent always
 * carries its own; a change confined to the cold part replaces the parent.
 */
void bundle_cold_parts(struct cdo *c)
{
	struct symbol *p;

	for_each_symbol(c->elf[PATCHED], p) {
		struct symbol *parent = cold_parent(c->elf[PATCHED], p);

		if (!parent || !parent->sec)
			continue;
		if (c->cmp.status[p->index] != SAME && c->cmp.status[parent->index] == SAME) {
			c->cmp.status[parent->index] = CHANGED;
			DEBUG(DBG_COMPARE, "%s: changed through its cold part %s", parent->name,
			      p->name);
		}
		if (c->cmp.status[parent->index] != SAME && c->cmp.status[p->index] == SAME)
			c->cmp.status[p->index] = CHANGED;
	}
}

static void apply_ignores(struct cdo *c)
{
	struct symbol *p;

	for_each_symbol(c->elf[PATCHED], p) {
		bool ignored = is_ignored_function(c, p) ||
			       (p->sec && is_ignored_section(c, p->sec));

		if (ignored && c->cmp.status[p->index] == CHANGED) {
			DEBUG(DBG_COMPARE, "%s: change ignored as marked", p->name);
			c->cmp.status[p->index] = SAME;
		}
	}
}

static void count_changes(struct cdo *c)
{
	struct symbol *p;

	for_each_symbol(c->elf[PATCHED], p) {
		if (p->type != STT_FUNC || !p->sec || is_cold_part(p) || is_prefix_symbol(p) ||
		    primary_alias(p) != p)
			continue;
		if (c->cmp.status[p->index] == CHANGED) {
			c->cmp.nr_changed++;
			DEBUG(DBG_COMPARE, "changed function %s", p->name);
		} else if (c->cmp.status[p->index] == NEW) {
			c->cmp.nr_new++;
			DEBUG(DBG_COMPARE, "new function %s", p->name);
		}
	}
}

void compare_objects(struct cdo *c)
{
	c->cmp.status = xcalloc(c->elf[PATCHED]->nr_symbols, sizeof(enum change));
	c->pieces[ORIG] = index_pieces(c->elf[ORIG]);
	c->pieces[PATCHED] = index_pieces(c->elf[PATCHED]);
	compare_symbols(c);
	mark_special_changes(c);
	propagate_changed_constants(c);
	bundle_cold_parts(c);
	apply_ignores(c);
	count_changes(c);
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
