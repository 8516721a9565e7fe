// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 5 (layer 2): decide what the output defines.  Changed and new functions, and,
 * following their relocations, everything new they need: new functions and
 * data, changed constants, string literals and symbol-less read-only
 * tables.  Everything else they use stays in the running kernel and is
 * reached through a livepatch symbol (klp.c).
 *
 * Owns struct inclusion and the kept pieces: output.c and special.c add
 * what a kept entry needs through include_on_demand() and
 * include_section_on_demand(), and read the set through is_included().
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

struct worklist {
	struct symbol **syms;
	struct section **secs;
	size_t nr_syms, nr_secs;
};

/* The kpatch API's sections (callbacks, system states), by name. */
static bool is_patch_section(const struct section *sec)
{
	return !strncmp(sec->name, ".kpatch.callbacks.", 18) || !strcmp(sec->name, ".kpatch.states");
}

/* A patch section is data the macros emit; any other type is not one (status 1). */
static bool bad_patch_section(struct cdo *c, const struct section *sec)
{
	if (sec->sh.sh_type == SHT_PROGBITS)
		return false;
	fail(c, KPB_ERROR, "%s: section %s: a patch section must be SHT_PROGBITS, not type %u",
	     c->args.path[PATCHED], sec->name, (unsigned)sec->sh.sh_type);
	return true;
}

/*
 * The inclusion set's one writer.  An alias (init_module) stands for its
 * primary (primary_alias()): only the primary is included and copied.
 * False if @sym already was.
 */
static bool add_symbol(struct cdo *c, struct symbol **sym)
{
	*sym = primary_alias(*sym);
	if (c->inc.sym[(*sym)->index])
		return false;
	c->inc.sym[(*sym)->index] = true;
	return true;
}

static bool add_section(struct cdo *c, struct section *sec)
{
	if (is_section_included(c, sec))
		return false;
	c->inc.sec[sec->index] = true;
	return true;
}

/* output.c and special.c: what a kept entry or reference needs, copied at once. */
bool include_on_demand(struct cdo *c, struct symbol *sym)
{
	return add_symbol(c, &sym);
}

bool include_section_on_demand(struct cdo *c, struct section *sec)
{
	return add_section(c, sec);
}

static void include_symbol(struct cdo *c, struct worklist *w, struct symbol *sym)
{
	if (!add_symbol(c, &sym))
		return;
	w->syms[w->nr_syms++] = sym;
	DEBUG(DBG_INCLUDE, "include %s %s", sym->type == STT_FUNC ? "function" : "object",
	      sym->name);
}

static void include_section(struct cdo *c, struct worklist *w, struct section *sec)
{
	if (!add_section(c, sec))
		return;
	w->secs[w->nr_secs++] = sec;
	DEBUG(DBG_INCLUDE, "include section %s", sec->name);
}

/* Does the output need its own copy of what @t (a defined symbol) is? */
static bool needs_copy(const struct cdo *c, const struct symbol *t)
{
	enum change st = change_of(c, t);

	if (st == NEW || is_function_name_constant(t) || is_callsite_descriptor(t))
		return true;
	if (st != CHANGED)
		return false;
	return t->type == STT_FUNC || !(t->sec->sh.sh_flags & SHF_WRITE);
}

/* A kept function enters a piece of .altinstr_aux (pieces.c): the output carries it. */
static bool keep_piece(struct cdo *c, const struct section *from, const struct rela *r,
		       struct piece *p)
{
	if (!find_piece(c->pieces[PATCHED], from, r, p))
		return false;
	if (mark_piece_kept(p))
		DEBUG(DBG_INCLUDE, "include %s+0x%lx..0x%lx", p->sec->name, (unsigned long)p->start,
		      (unsigned long)p->end);
	return true;
}

static void follow_range(struct cdo *c, struct worklist *w, const struct section *sec,
			 uint64_t start, uint64_t end);

static void follow_reference(struct cdo *c, struct worklist *w, const struct section *from,
			     const struct rela *r)
{
	int64_t add;
	struct symbol *t = resolve_reloc(from, r, &add);
	struct piece piece;

	if (keep_piece(c, from, r, &piece)) {
		follow_range(c, w, piece.sec, piece.start, piece.end);
		return;
	}
	if (!t->sec)
		return;
	if (!(t->sec->sh.sh_flags & SHF_ALLOC)) {
		unsupported(c, "%s+0x%lx refers to %s, which is not loaded into memory",
			    from->name, (unsigned long)r->offset, t->sec->name);
		return;
	}
	if (is_section_sym(t)) {
		struct symbol *cold_of = cold_section_parent(t->sec);

		/* A cold part without a symbol goes with its function, whole. */
		if ((cold_of && is_included(c, cold_of)) || is_string_section(t->sec) ||
		    is_callsite_data_section(t->sec) ||
		    (!(t->sec->sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR)) &&
		     !section_has_symbols(t->sec)))
			include_section(c, w, t->sec);
		else if (!is_section_included(c, t->sec))
			unsupported(c, "%s+0x%lx refers to %s+0x%lx, where no symbol is defined",
				    from->name, (unsigned long)r->offset, t->sec->name,
				    (unsigned long)(r->addend + pcrel_bias(from, r->type)));
		return;
	}
	/* ".LC5": GAS keeps labels in merged string sections; they get renumbered. */
	if (is_merged_section(t->sec)) {
		include_section(c, w, t->sec);
		return;
	}
	if ((t->type == STT_FUNC || t->type == STT_OBJECT) && needs_copy(c, t))
		include_symbol(c, w, t);
}

static void follow_range(struct cdo *c, struct worklist *w, const struct section *sec,
			 uint64_t start, uint64_t end)
{
	const struct section *rs = sec->rela;

	if (!rs)
		return;
	for (struct rela *r = find_rela_from(sec, start);
	     r && r < rs->relas + rs->nr_relas && r->offset < end; r++)
		follow_reference(c, w, sec, r);
}

static void seed_changed_functions(struct cdo *c, struct worklist *w)
{
	struct symbol *p;
	struct section *sec;

	for_each_symbol(c->elf[PATCHED], p) {
		if (p->type != STT_FUNC || !p->sec || is_init_section(p->sec))
			continue;
		if (change_of(c, p) == CHANGED) {
			include_symbol(c, w, p);
			if (!is_cold_part(p) && !is_prefix_symbol(p) && !is_carried_function(c, p))
				c->inc.nr_funcs++;
		}
		/* Other objects of the same patch may call a new global function. */
		if (change_of(c, p) == NEW && p->bind != STB_LOCAL)
			include_symbol(c, w, p);
	}
	for_each_section(c->elf[PATCHED], sec)
		if (is_patch_section(sec) && !bad_patch_section(c, sec))
			include_section(c, w, sec);
}

static void drain(struct cdo *c, struct worklist *w)
{
	while (w->nr_syms || w->nr_secs) {
		if (w->nr_syms) {
			struct symbol *s = w->syms[--w->nr_syms];

			follow_range(c, w, s->sec, s->value, s->value + s->size);
		} else {
			struct section *sec = w->secs[--w->nr_secs];

			follow_range(c, w, sec, 0, sec->size);
		}
	}
}

static bool is_entry_kept(const struct cdo *c, const struct section *sec, uint64_t start)
{
	struct symbol *fn = entry_function(sec, start);

	return fn && is_included(c, fn);
}

/* The pieces the entries of table @sec for included code enter; true if any was new. */
static bool keep_entered_pieces(struct cdo *c, struct worklist *w, const struct section *sec)
{
	const struct section_kind *k = section_kind(sec);
	struct entry_layout scratch;
	const struct entry_layout *l;
	char err[ELF_ERRLEN];
	struct piece piece;
	struct rela *r;
	bool more = false;

	/* A table without a layout is refused by special.c, which names it. */
	if (!k || k->compare != COMPARE_ENTRIES || !sec->rela ||
	    !kind_layout(k, sec, &scratch, &l, err, sizeof(err)) || !l)
		return false;
	for_each_rela(sec->rela, r) {
		if (!find_piece(c->pieces[PATCHED], sec, r, &piece) ||
		    !is_entry_kept(c, sec, r->offset - r->offset % l->size) ||
		    !mark_piece_kept(&piece))
			continue;
		DEBUG(DBG_INCLUDE, "include %s+0x%lx..0x%lx for %s+0x%lx", piece.sec->name,
		      (unsigned long)piece.start, (unsigned long)piece.end, sec->name,
		      (unsigned long)r->offset);
		follow_range(c, w, piece.sec, piece.start, piece.end);
		more = true;
	}
	return more;
}

/* .fixup of kernels before 5.17: entered from __ex_table, not from the function. */
static bool keep_table_pieces(struct cdo *c, struct worklist *w)
{
	struct section *sec;
	bool more = false;

	for_each_section(c->elf[PATCHED], sec)
		if (!is_rela_section(sec))
			more |= keep_entered_pieces(c, w, sec);
	return more;
}

enum kpb_status include_changed_functions(struct cdo *c)
{
	struct elf_obj *p = c->elf[PATCHED];
	struct worklist w = {
		.syms = xcalloc(p->nr_symbols, sizeof(struct symbol *)),
		.secs = xcalloc(p->nr_sections, sizeof(struct section *)),
	};

	c->inc.sym = xcalloc(p->nr_symbols, sizeof(bool));
	c->inc.sec = xcalloc(p->nr_sections, sizeof(bool));
	seed_changed_functions(c, &w);
	do
		drain(c, &w);
	while (keep_table_pieces(c, &w));
	free(w.syms);
	free(w.secs);
	return c->status;
}
