// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 3 (layer 2): decide what the patch changed.
 *
 * Functions and objects are compared symbol by symbol: their bytes, and
 * their relocations by what they point to (same.c).  A difference confined
 * to the line-number immediate passed to __might_sleep() and friends, or to
 * a printer where --line-map says that line moved, is not a change either:
 * it only means code above moved (lines.c).  A function is changed too when
 * its special-section entries changed, when it uses a changed constant, or
 * with its .cold part.
 *
 * Owns struct comparison: the status of each patched symbol is written
 * here only, by compare_symbols() first and then by mark_changed() (also
 * untraced.c's) and apply_ignores(); the others read it through change_of().
 */
#include "cdo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What main() counts as a changed or new function: not a part of another. */
static bool is_counted_function(const struct symbol *p)
{
	return p->type == STT_FUNC && p->sec && !is_cold_part(p) && !is_prefix_symbol(p) &&
	       primary_alias(p) == p;
}

/*
 * The one way a SAME symbol becomes CHANGED, @fmt saying why (after
 * "NAME: " in the compare debug output; NULL: nothing to add).  Once
 * compare_objects() has counted, a newly changed function is counted too.
 */
void mark_changed(struct cdo *c, const struct symbol *p, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (change_of(c, p) != SAME)
		return;
	c->cmp.status[p->index] = CHANGED;
	if (c->cmp.counted && is_counted_function(p))
		c->cmp.nr_changed++;
	if (!fmt || !(log_debug & DBG_COMPARE))
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	DEBUG(DBG_COMPARE, "%s: %s", p->name, why);
}

static enum change compare_defined(struct cdo *c, const struct symbol *o,
				   const struct symbol *p)
{
	bool nobits = o->sec->sh.sh_type == SHT_NOBITS || p->sec->sh.sh_type == SHT_NOBITS;

	if (o->size != p->size || (o->sec->sh.sh_type == SHT_NOBITS) != (p->sec->sh.sh_type == SHT_NOBITS)) {
		DEBUG(DBG_COMPARE, "%s: size or type differs", p->name);
		return CHANGED;
	}
	if (nobits)
		return SAME;
	if (!same_symbol_relocations(c, o, p)) {
		DEBUG(DBG_COMPARE, "%s: relocations differ", p->name);
		return CHANGED;
	}
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
		struct symbol *o = sym_twin(c, PATCHED, p);

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
			    change_of(c, t) != CHANGED)
				continue;
			fn = find_symbol_containing(sec->base, r->offset);
			if (fn && fn->type == STT_FUNC)
				mark_changed(c, fn, "uses changed constant %s", t->name);
		}
	}
}

/*
 * A cold part without a symbol (kinds.c, cold_section_parent()) is compared
 * whole with its twin: a difference, or a new one, changes its function.
 */
static void compare_symbolless_cold_parts(struct cdo *c)
{
	struct section *ps;

	for_each_section(c->elf[PATCHED], ps) {
		struct symbol *parent = cold_section_parent(ps);
		struct section *os;

		if (!parent || change_of(c, parent) != SAME)
			continue;
		os = sec_twin(c, PATCHED, ps);
		if (!os || !same_section_contents(c, os, ps))
			mark_changed(c, parent, "changed through its cold part %s", ps->name);
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

	compare_symbolless_cold_parts(c);
	for_each_symbol(c->elf[PATCHED], p) {
		struct symbol *parent = cold_parent(c->elf[PATCHED], p);

		if (!parent || !parent->sec)
			continue;
		if (change_of(c, p) != SAME)
			mark_changed(c, parent, "changed through its cold part %s", p->name);
		if (change_of(c, parent) != SAME)
			mark_changed(c, p, NULL);
	}
}

static void apply_ignores(struct cdo *c)
{
	struct symbol *p;

	for_each_symbol(c->elf[PATCHED], p) {
		bool ignored = is_ignored_function(c, p) ||
			       (p->sec && is_ignored_section(c, p->sec));

		if (ignored && change_of(c, p) == CHANGED) {
			DEBUG(DBG_COMPARE, "%s: change ignored as marked", p->name);
			c->cmp.status[p->index] = SAME;
		}
	}
}

static void count_changes(struct cdo *c)
{
	struct symbol *p;

	for_each_symbol(c->elf[PATCHED], p) {
		if (!is_counted_function(p))
			continue;
		if (change_of(c, p) == CHANGED) {
			c->cmp.nr_changed++;
			DEBUG(DBG_COMPARE, "changed function %s", p->name);
		} else if (change_of(c, p) == NEW) {
			c->cmp.nr_new++;
			DEBUG(DBG_COMPARE, "new function %s", p->name);
		}
	}
	c->cmp.counted = true;
}

/*
 * Special-section entries (kinds.c: COMPARE_ENTRIES) are grouped by the
 * function they describe and compared with it: a function whose entries
 * changed (an exception fixup, a jump label's key) is changed.
 */

struct entry_list {
	uint64_t *starts;	/* entry offsets, grouped by function */
	size_t *first, *count;	/* [function symbol index] */
};

/* Entry offsets of @sec grouped by the function each describes. */
static void group_entries(const struct elf_obj *elf, const struct section *sec,
			  unsigned int size, struct entry_list *l)
{
	size_t n = (sec->size + size - 1) / size, *fill = xcalloc(elf->nr_symbols, sizeof(size_t));

	l->starts = xcalloc(n, sizeof(uint64_t));
	l->first = xcalloc(elf->nr_symbols, sizeof(size_t));
	l->count = xcalloc(elf->nr_symbols, sizeof(size_t));
	for (uint64_t st = 0; st < sec->size; st += size) {
		struct symbol *fn = entry_function(sec, st);

		if (fn)
			l->count[fn->index]++;
	}
	for (size_t i = 1, acc = 0; i < elf->nr_symbols; i++) {
		l->first[i] = acc;
		acc += l->count[i];
	}
	for (uint64_t st = 0; st < sec->size; st += size) {
		struct symbol *fn = entry_function(sec, st);

		if (fn)
			l->starts[l->first[fn->index] + fill[fn->index]++] = st;
	}
	free(fill);
}

static void free_entries(struct entry_list *l)
{
	free(l->starts);
	free(l->first);
	free(l->count);
}

static bool same_function_entries(const struct cdo *c, const struct section_kind *k,
				  const struct entry_layout *l, const struct section *os,
				  const struct entry_list *ol, const struct symbol *o,
				  const struct section *ps, const struct entry_list *pl,
				  const struct symbol *p)
{
	if (ol->count[o->index] != pl->count[p->index])
		return false;
	for (size_t i = 0; i < pl->count[p->index]; i++)
		if (!same_entry(c, k, l, os, ol->starts[ol->first[o->index] + i], ps,
				pl->starts[pl->first[p->index] + i]))
			return false;
	return true;
}

static enum kpb_status compare_kind(struct cdo *c, const struct section_kind *k,
				    struct section *ps, struct section *os)
{
	struct entry_layout pscratch, oscratch;
	const struct entry_layout *l, *ol_layout;
	struct entry_list ol, pl;
	struct symbol *p;
	char err[ELF_ERRLEN];

	if (!kind_layout(k, ps, &pscratch, &l, err, sizeof(err)) ||
	    !kind_layout(k, os, &oscratch, &ol_layout, err, sizeof(err)))
		return fail(c, KPB_ERROR, "%s", err);
	if (!l || !ol_layout)
		return KPB_OK;
	if (l->size != ol_layout->size)
		return fail(c, KPB_ERROR, "%s: section %s has %u-byte %s entries, %s's has %u-byte "
			    "%s ones", ps->elf->path, ps->name, l->size, l->what, os->elf->path,
			    ol_layout->size, ol_layout->what);
	group_entries(c->elf[ORIG], os, l->size, &ol);
	group_entries(c->elf[PATCHED], ps, l->size, &pl);
	for_each_symbol(c->elf[PATCHED], p) {
		struct symbol *o = sym_twin(c, PATCHED, p);

		if (p->type != STT_FUNC || !o || change_of(c, p) != SAME)
			continue;
		if (!same_function_entries(c, k, l, os, &ol, o, ps, &pl, p))
			mark_changed(c, p, "its %s entries changed", ps->name);
	}
	free_entries(&ol);
	free_entries(&pl);
	return KPB_OK;
}

static enum kpb_status compare_special_entries(struct cdo *c)
{
	struct section *ps;

	for_each_section(c->elf[PATCHED], ps) {
		const struct section_kind *k = section_kind(ps);
		struct section *os = sec_twin(c, PATCHED, ps);

		if (k && k->compare == COMPARE_ENTRIES && os && !is_rela_section(ps) &&
		    compare_kind(c, k, ps, os))
			return c->status;
	}
	return KPB_OK;
}

enum kpb_status compare_objects(struct cdo *c)
{
	c->cmp.status = xcalloc(c->elf[PATCHED]->nr_symbols, sizeof(enum change));
	c->pieces[ORIG] = index_pieces(c->elf[ORIG]);
	c->pieces[PATCHED] = index_pieces(c->elf[PATCHED]);
	compare_symbols(c);
	if (compare_special_entries(c))
		return c->status;
	propagate_changed_constants(c);
	bundle_cold_parts(c);
	apply_ignores(c);
	count_changes(c);
	return c->status;
}
