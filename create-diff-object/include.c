// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 5: decide what the output defines.  Changed and new functions, and,
 * following their relocations, everything new they need: new functions and
 * data, changed constants, string literals and symbol-less read-only
 * tables.  Everything else they use stays in the running kernel and is
 * reached through a livepatch symbol (klp.c).
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

struct worklist {
	struct symbol **syms;
	struct section **secs;
	size_t nr_syms, nr_secs;
};

static bool is_patch_section(const struct section *sec)
{
	return !strncmp(sec->name, ".kpatch.callbacks.", 18) || !strcmp(sec->name, ".kpatch.states");
}

static void include_symbol(struct cdo *c, struct worklist *w, struct symbol *sym)
{
	sym = primary_alias(sym);
	if (c->inc.sym[sym->index])
		return;
	c->inc.sym[sym->index] = true;
	w->syms[w->nr_syms++] = sym;
	DEBUG(DBG_INCLUDE, "include %s %s", sym->type == STT_FUNC ? "function" : "object",
	      sym->name);
}

static void include_section(struct cdo *c, struct worklist *w, struct section *sec)
{
	if (c->inc.sec[sec->index])
		return;
	c->inc.sec[sec->index] = true;
	w->secs[w->nr_secs++] = sec;
	DEBUG(DBG_INCLUDE, "include section %s", sec->name);
}

/* Does the output need its own copy of what @t (a defined symbol) is? */
static bool needs_copy(const struct cdo *c, const struct symbol *t)
{
	enum change st = c->cmp.status[t->index];

	if (st == NEW || is_function_name_constant(t) || is_callsite_descriptor(t))
		return true;
	if (st != CHANGED)
		return false;
	return t->type == STT_FUNC || !(t->sec->sh.sh_flags & SHF_WRITE);
}

static void follow_range(struct cdo *c, struct worklist *w, const struct section *sec,
			 uint64_t start, uint64_t end);

static void follow_reference(struct cdo *c, struct worklist *w, const struct section *from,
			     const struct rela *r)
{
	int64_t add;
	struct symbol *t = resolve_reloc(from, r, &add);
	const struct section *piece;
	uint64_t start, end;

	if (keep_piece(c, from, r, &piece, &start, &end)) {
		follow_range(c, w, piece, start, end);
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
		if (is_string_section(t->sec) || is_callsite_data_section(t->sec) ||
		    (!(t->sec->sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR)) &&
		     !section_has_symbols(t->sec)))
			include_section(c, w, t->sec);
		else if (!c->inc.sec[t->sec->index])
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
		if (c->cmp.status[p->index] == CHANGED) {
			include_symbol(c, w, p);
			if (!is_cold_part(p) && !is_prefix_symbol(p) && !is_carried_function(c, p))
				c->inc.nr_funcs++;
		}
		/* Other objects of the same patch may call a new global function. */
		if (c->cmp.status[p->index] == NEW && p->bind != STB_LOCAL)
			include_symbol(c, w, p);
	}
	for_each_section(c->elf[PATCHED], sec)
		if (is_patch_section(sec))
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

void include_changed_functions(struct cdo *c)
{
	struct elf_obj *p = c->elf[PATCHED];
	struct worklist w = {
		.syms = xcalloc(p->nr_symbols, sizeof(struct symbol *)),
		.secs = xcalloc(p->nr_sections, sizeof(struct section *)),
	};

	c->inc.sym = xcalloc(p->nr_symbols, sizeof(bool));
	c->inc.sec = xcalloc(p->nr_sections, sizeof(bool));
	seed_changed_functions(c, &w);
	drain(c, &w);
	free(w.syms);
	free(w.secs);
}
