// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 2 (layer 2): find each symbol's and section's twin in the other object.
 *
 * Names are the first key, but GCC renumbers what it invents when anything
 * else in the unit changes: a static local "count.12" in the original may
 * be "count.14" in the patched build while another function's "count.12"
 * is a different variable.  So numbered names are matched by their
 * canonical form when that is unique, else through the twinned functions
 * that use them, in the order they use them.  What only its contents
 * identify (kinds.c: MATCH_*_BY_CONTENTS, __func__, merged constants) is
 * never paired by name.  Owns struct correlation (read: sym_twin()).
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

static bool sym_paired(const struct cdo *c, enum side s, const struct symbol *sym)
{
	return sym_twin(c, s, sym) != NULL;
}

static bool sec_paired(const struct cdo *c, enum side s, const struct section *sec)
{
	return sec_twin(c, s, sec) != NULL;
}

static void twin_symbols(struct cdo *c, struct symbol *o, struct symbol *p)
{
	c->corr.sym_twin[ORIG][o->index] = p;
	c->corr.sym_twin[PATCHED][p->index] = o;
	DEBUG(DBG_CORRELATE, "symbol %s <-> %s", o->name, p->name);
}

static void twin_sections(struct cdo *c, struct section *o, struct section *p)
{
	c->corr.sec_twin[ORIG][o->index] = p;
	c->corr.sec_twin[PATCHED][p->index] = o;
	DEBUG(DBG_CORRELATE, "section %s <-> %s", o->name, p->name);
}

static bool compatible(const struct symbol *a, const struct symbol *b)
{
	return a->type == b->type && (a->sec == NULL) == (b->sec == NULL) &&
	       (a->bind == STB_LOCAL) == (b->bind == STB_LOCAL);
}

/* Could original @o and patched @p be twins?  Locals only within one unit (units.c). */
static bool may_twin(const struct cdo *c, const struct symbol *o, const struct symbol *p)
{
	return compatible(o, p) && same_unit(c, o, p);
}

/* may_twin() for @cand of side @s and @sym of the other side. */
static bool may_twin_across(const struct cdo *c, enum side s, const struct symbol *cand,
			    const struct symbol *sym)
{
	return s == ORIG ? may_twin(c, cand, sym) : may_twin(c, sym, cand);
}

/* The only symbol of side @s named like @sym that could be its twin, or NULL. */
static struct symbol *unique_namesake(const struct cdo *c, enum side s, const struct symbol *sym)
{
	struct symbol *cand, *found = NULL;
	uint64_t h = hash_str(sym->name);

	htable_for_each_match(&c->elf[s]->sym_names, cand, struct symbol, name_node, h) {
		if (strcmp(cand->name, sym->name) || !may_twin_across(c, s, cand, sym))
			continue;
		if (found)
			return NULL;
		found = cand;
	}
	return found;
}

/*
 * What only its contents identify is never paired by name: __func__.N (the
 * same number may name another function's name), labels in merged string
 * and constant sections (".LC5"), and call-site descriptors (__UNIQUE_ID_ddebugN, numbered
 * by __COUNTER__).  Comparison reads their contents instead.
 */
static bool is_identified_by_contents(const struct symbol *sym)
{
	return is_function_name_constant(sym) || is_callsite_descriptor(sym) ||
	       (sym->sec && is_merged_section(sym->sec));
}

static bool is_correlatable(const struct symbol *sym)
{
	return sym->index && *sym->name && !is_section_sym(sym) && !is_identified_by_contents(sym);
}

/* ".rodata.__func__.0", ".data..Lubsan_data3": named after a number, not what they hold. */
static bool section_identified_by_contents(const struct section *sec)
{
	if (is_callsite_data_section(sec))
		return true;
	return sec->nr_syms && is_function_name_constant(sec->syms[0]);
}

static void correlate_exact_names(struct cdo *c, bool numbered)
{
	struct symbol *p, *o;

	for_each_symbol(c->elf[PATCHED], p) {
		if (!is_correlatable(p) || sym_paired(c, PATCHED, p) ||
		    has_numbered_suffix(p->name) != numbered)
			continue;
		o = unique_namesake(c, ORIG, p);
		if (!o || sym_paired(c, ORIG, o) || unique_namesake(c, PATCHED, o) != p)
			continue;
		twin_symbols(c, o, p);
	}
}

/* Canonical names of one side's unpaired numbered symbols. */
struct canon_entry {
	struct hnode node;
	char *canon;
	struct symbol *sym;
};

struct canon_index {
	struct htable table;
	struct canon_entry *entries;
	size_t nr;
};

static void build_canon_index(struct cdo *c, enum side s, struct canon_index *ix)
{
	struct elf_obj *elf = c->elf[s];
	struct symbol *sym;

	htable_init(&ix->table, elf->nr_symbols);
	ix->entries = xcalloc(elf->nr_symbols, sizeof(*ix->entries));
	ix->nr = 0;
	for_each_symbol(elf, sym) {
		struct canon_entry *e;

		if (!is_correlatable(sym) || sym_paired(c, s, sym) || !has_numbered_suffix(sym->name))
			continue;
		e = &ix->entries[ix->nr++];
		e->canon = canonical_name(sym->name);
		e->sym = sym;
		htable_add(&ix->table, &e->node, hash_str(e->canon));
	}
}

static void free_canon_index(struct canon_index *ix)
{
	for (size_t i = 0; i < ix->nr; i++)
		free(ix->entries[i].canon);
	free(ix->entries);
	htable_free(&ix->table);
}

static struct symbol *unique_canon_match(const struct cdo *c, enum side s,
					 const struct canon_index *ix, const char *canon,
					 const struct symbol *like)
{
	struct canon_entry *e;
	struct symbol *found = NULL;
	uint64_t h = hash_str(canon);

	htable_for_each_match(&ix->table, e, struct canon_entry, node, h) {
		if (strcmp(e->canon, canon) || !may_twin_across(c, s, e->sym, like))
			continue;
		if (found)
			return NULL;
		found = e->sym;
	}
	return found;
}

static void correlate_canonical_names(struct cdo *c)
{
	struct canon_index ix[2];

	build_canon_index(c, ORIG, &ix[ORIG]);
	build_canon_index(c, PATCHED, &ix[PATCHED]);
	for (size_t i = 0; i < ix[PATCHED].nr; i++) {
		struct canon_entry *pe = &ix[PATCHED].entries[i];
		struct symbol *o = unique_canon_match(c, ORIG, &ix[ORIG], pe->canon, pe->sym);

		if (o && !sym_paired(c, ORIG, o) && !sym_paired(c, PATCHED, pe->sym) &&
		    unique_canon_match(c, PATCHED, &ix[PATCHED], pe->canon, o) == pe->sym)
			twin_symbols(c, o, pe->sym);
	}
	free_canon_index(&ix[ORIG]);
	free_canon_index(&ix[PATCHED]);
}

#define MAX_REFS 256

/* The unpaired numbered symbols a function refers to, in order of use. */
static size_t numbered_refs(struct cdo *c, enum side s, const struct symbol *func,
			    struct symbol **out, size_t max)
{
	const struct section *sec = func->sec;
	size_t n = 0;

	if (!sec->rela)
		return 0;
	for (struct rela *r = find_rela_from(sec, func->value);
	     r && r < sec->rela->relas + sec->rela->nr_relas &&
	     r->offset < func->value + func->size && n < max; r++) {
		int64_t add;
		struct symbol *t = resolve_reloc(sec, r, &add);

		if (is_correlatable(t) && !sym_paired(c, s, t) && has_numbered_suffix(t->name))
			out[n++] = t;
	}
	return n;
}

/* Drop repeated uses: what counts is the order of first use. */
static size_t dedupe_refs(struct symbol **refs, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		for (size_t j = 0; j < out && !seen; j++)
			seen = refs[j] == refs[i];
		if (!seen)
			refs[out++] = refs[i];
	}
	return out;
}

/* The k-th first-used "count.#" of one function pairs with the k-th of its twin. */
static void pair_refs_in_order(struct cdo *c, struct symbol **o, size_t no,
			       struct symbol **p, size_t np)
{
	char *oc[MAX_REFS], *pc[MAX_REFS];

	no = dedupe_refs(o, no);
	np = dedupe_refs(p, np);
	for (size_t j = 0; j < no; j++)
		oc[j] = canonical_name(o[j]->name);
	for (size_t i = 0; i < np; i++)
		pc[i] = canonical_name(p[i]->name);
	for (size_t i = 0; i < np; i++) {
		size_t rank = 0;

		for (size_t j = 0; j < i; j++)
			rank += !strcmp(pc[j], pc[i]);
		for (size_t j = 0; j < no; j++) {
			if (strcmp(oc[j], pc[i]) || rank--)
				continue;
			if (may_twin(c, o[j], p[i]) && !sym_paired(c, ORIG, o[j]) &&
			    !sym_paired(c, PATCHED, p[i]))
				twin_symbols(c, o[j], p[i]);
			break;
		}
	}
	for (size_t j = 0; j < no; j++)
		free(oc[j]);
	for (size_t i = 0; i < np; i++)
		free(pc[i]);
}

static void correlate_by_use(struct cdo *c)
{
	struct symbol *o[MAX_REFS], *p[MAX_REFS], *pf;

	for_each_symbol(c->elf[PATCHED], pf) {
		struct symbol *of = sym_twin(c, PATCHED, pf);
		size_t no, np;

		if (!of || pf->type != STT_FUNC || !pf->sec || !of->sec)
			continue;
		np = numbered_refs(c, PATCHED, pf, p, MAX_REFS);
		if (!np)
			continue;
		no = numbered_refs(c, ORIG, of, o, MAX_REFS);
		pair_refs_in_order(c, o, no, p, np);
	}
}

/*
 * A static local that moved into a subfunction: bump() inlined into tally()
 * in the original, so tally() names bump's "count.1"; the patched build
 * keeps bump() (or a tally.part.0 that GCC split off) as a new function
 * that tally() calls, and that function names the variable, now
 * "count.3".  The subfunction has no twin to pair by use, so what it
 * names is paired through the twinned functions that refer to it (its
 * anchors), with what the anchor's twin names.
 */
struct subfunction {
	struct symbol *anchor, *fn;
};

static bool is_unpaired_function(const struct cdo *c, const struct symbol *t)
{
	return t->type == STT_FUNC && t->sec && t->bind == STB_LOCAL && !sym_paired(c, PATCHED, t);
}

struct subfunctions {
	struct subfunction *v;
	size_t nr, cap;
};

/* Each twinned function with each untwinned local function it refers to. */
static void find_subfunctions(struct cdo *c, struct subfunctions *subs)
{
	struct symbol *a;

	for_each_symbol(c->elf[PATCHED], a) {
		const struct section *sec = a->sec;

		if (a->type != STT_FUNC || !sec || !sec->rela || !sym_paired(c, PATCHED, a))
			continue;
		for (struct rela *r = find_rela_from(sec, a->value);
		     r && r < sec->rela->relas + sec->rela->nr_relas &&
		     r->offset < a->value + a->size; r++) {
			int64_t add;
			struct symbol *t = resolve_reloc(sec, r, &add);

			if (t == a || !is_unpaired_function(c, t))
				continue;
			if (subs->nr == subs->cap) {
				subs->cap = subs->cap ? 2 * subs->cap : 16;
				subs->v = xrealloc(subs->v, subs->cap * sizeof(*subs->v));
			}
			subs->v[subs->nr++] = (struct subfunction){ a, t };
		}
	}
}

static int by_anchor(const void *x, const void *y)
{
	const struct subfunction *a = x, *b = y;

	if (a->anchor != b->anchor)
		return a->anchor->index > b->anchor->index ? 1 : -1;
	return (a->fn->index > b->fn->index) - (a->fn->index < b->fn->index);
}

/* The unpaired numbered objects @fn names, appended to @out (of @max) after @n. */
static size_t object_refs(struct cdo *c, enum side s, const struct symbol *fn,
			  struct symbol **out, size_t n, size_t max)
{
	struct symbol *refs[MAX_REFS];
	size_t nr = numbered_refs(c, s, fn, refs, MAX_REFS);

	for (size_t i = 0; i < nr && n < max; i++)
		if (refs[i]->type == STT_OBJECT)
			out[n++] = refs[i];
	return dedupe_refs(out, n);
}

/* How many of @refs have the canonical name @canon. */
static size_t count_canon(struct symbol **refs, size_t n, const char *canon)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char *cn = canonical_name(refs[i]->name);

		k += !strcmp(cn, canon);
		free(cn);
	}
	return k;
}

/*
 * Pair what the anchor's twin names with what the anchor and its
 * subfunctions name, a canonical name at a time, only where it is one on
 * each side; two "count"s that could be either are refused, not guessed.
 */
static void pair_moved_statics(struct cdo *c, const struct subfunction *group, size_t nr)
{
	struct symbol *o[MAX_REFS], *p[MAX_REFS];
	size_t no = object_refs(c, ORIG, sym_twin(c, PATCHED, group->anchor), o, 0, MAX_REFS);
	size_t np = object_refs(c, PATCHED, group->anchor, p, 0, MAX_REFS);

	for (size_t i = 0; i < nr; i++)
		np = object_refs(c, PATCHED, group[i].fn, p, np, MAX_REFS);
	for (size_t i = 0; i < np; i++) {
		char *canon = canonical_name(p[i]->name);
		size_t in_o = count_canon(o, no, canon), in_p = count_canon(p, np, canon);

		for (size_t j = 0; j < no && in_o == 1 && in_p == 1; j++) {
			char *oc = canonical_name(o[j]->name);

			if (!strcmp(oc, canon) && may_twin(c, o[j], p[i]) && !sym_paired(c, ORIG, o[j]))
				twin_symbols(c, o[j], p[i]);
			free(oc);
		}
		if (in_o && (in_o != 1 || in_p != 1))
			unsupported(c, "static local %s: %s and the subfunctions it calls (new in "
				    "the patched object) name %zu static locals \"%s\", the "
				    "original %s %zu; which of the kernel's variables each one is "
				    "cannot be told, so their state cannot be kept", p[i]->name,
				    group->anchor->name, in_p, canon,
				    sym_twin(c, PATCHED, group->anchor)->name, in_o);
		free(canon);
	}
}

/* A subfunction called by two functions is paired through the first that names a twin. */
static void correlate_moved_statics(struct cdo *c)
{
	struct subfunctions subs = { 0 };

	find_subfunctions(c, &subs);
	if (subs.nr)
		qsort(subs.v, subs.nr, sizeof(*subs.v), by_anchor);
	for (size_t i = 0, j; i < subs.nr; i = j) {
		for (j = i; j < subs.nr && subs.v[j].anchor == subs.v[i].anchor; j++)
			;
		pair_moved_statics(c, subs.v + i, j - i);
	}
	free(subs.v);
}

/* The only unpaired symbol of side @s named like @sym, of its type, with the other binding. */
static struct symbol *unique_rebound_namesake(const struct cdo *c, enum side s,
					      const struct symbol *sym)
{
	struct symbol *cand, *found = NULL;
	uint64_t h = hash_str(sym->name);

	htable_for_each_match(&c->elf[s]->sym_names, cand, struct symbol, name_node, h) {
		if (strcmp(cand->name, sym->name) || cand->type != sym->type || !cand->sec ||
		    (cand->bind == STB_LOCAL) == (sym->bind == STB_LOCAL) || sym_paired(c, s, cand))
			continue;
		if (found)
			return NULL;
		found = cand;
	}
	return found;
}

/*
 * A global the patch made static stays the kernel's global: the rest of
 * the kernel still calls or reads it, so the patch replaces its body or
 * refers to it by its name, as it would had the binding not changed.
 */
static void correlate_binding_changes(struct cdo *c)
{
	struct symbol *p, *o;

	for_each_symbol(c->elf[PATCHED], p) {
		if (!is_correlatable(p) || sym_paired(c, PATCHED, p) || !p->sec ||
		    (p->type != STT_FUNC && p->type != STT_OBJECT))
			continue;
		o = unique_rebound_namesake(c, ORIG, p);
		if (o && unique_rebound_namesake(c, PATCHED, o) == p) {
			twin_symbols(c, o, p);
			DEBUG(DBG_CORRELATE, "%s: %s in the original, %s in the patched object",
			      p->name, o->bind == STB_LOCAL ? "local" : "global",
			      p->bind == STB_LOCAL ? "local" : "global");
		}
	}
}

/* A function or object alone in its section takes its section along. */
static void correlate_owned_sections(struct cdo *c)
{
	struct symbol *p;

	for_each_symbol(c->elf[PATCHED], p) {
		struct symbol *o = sym_twin(c, PATCHED, p);

		if (!o || !p->sec || !o->sec || (p->type != STT_FUNC && p->type != STT_OBJECT))
			continue;
		if (sec_paired(c, PATCHED, p->sec) || sec_paired(c, ORIG, o->sec))
			continue;
		if (section_holds_one_symbol(p->sec) && section_holds_one_symbol(o->sec))
			twin_sections(c, o->sec, p->sec);
	}
}

static struct section *unique_section(const struct elf_obj *elf, const char *name)
{
	struct section *sec, *found = NULL;
	uint64_t h = hash_str(name);

	htable_for_each_match(&elf->sec_names, sec, struct section, name_node, h) {
		if (strcmp(sec->name, name))
			continue;
		if (found)
			return NULL;
		found = sec;
	}
	return found;
}

static void correlate_section_names(struct cdo *c)
{
	struct section *p, *o;

	for_each_section(c->elf[PATCHED], p) {
		if (is_rela_section(p) || sec_paired(c, PATCHED, p) ||
		    section_identified_by_contents(p))
			continue;
		o = unique_section(c->elf[ORIG], p->name);
		if (o && !sec_paired(c, ORIG, o) && unique_section(c->elf[PATCHED], p->name) == p)
			twin_sections(c, o, p);
	}
}

/* Same-named sections told apart by what they link to (SHF_LINK_ORDER). */
static void correlate_linked_sections(struct cdo *c)
{
	struct section *p;

	for_each_section(c->elf[PATCHED], p) {
		struct section *o, *olink;

		if (sec_paired(c, PATCHED, p) || is_rela_section(p) || !p->sh.sh_link ||
		    !(p->sh.sh_flags & SHF_LINK_ORDER) || p->sh.sh_link >= c->elf[PATCHED]->nr_sections)
			continue;
		olink = c->corr.sec_twin[PATCHED][p->sh.sh_link];
		if (!olink)
			continue;
		for_each_section(c->elf[ORIG], o)
			if (!sec_paired(c, ORIG, o) && !strcmp(o->name, p->name) &&
			    o->sh.sh_link == olink->index && (o->sh.sh_flags & SHF_LINK_ORDER)) {
				twin_sections(c, o, p);
				break;
			}
	}
}

static void correlate_rela_and_section_symbols(struct cdo *c)
{
	struct section *p;
	struct symbol *ps;

	for_each_section(c->elf[PATCHED], p) {
		struct section *o;

		if (!is_rela_section(p))
			continue;
		o = sec_twin(c, PATCHED, p->base);
		if (o && o->rela)
			twin_sections(c, o->rela, p);
	}
	for_each_symbol(c->elf[PATCHED], ps) {
		struct section *o;

		if (!is_section_sym(ps) || !ps->sec)
			continue;
		o = sec_twin(c, PATCHED, ps->sec);
		if (o && o->secsym && !sym_paired(c, ORIG, o->secsym))
			twin_symbols(c, o->secsym, ps);
	}
}

enum kpb_status correlate_objects(struct cdo *c)
{
	for (int s = 0; s < 2; s++) {
		c->corr.sym_twin[s] = xcalloc(c->elf[s]->nr_symbols, sizeof(struct symbol *));
		c->corr.sec_twin[s] = xcalloc(c->elf[s]->nr_sections, sizeof(struct section *));
	}
	correlate_exact_names(c, false);
	correlate_canonical_names(c);
	correlate_by_use(c);
	correlate_moved_statics(c);
	correlate_exact_names(c, true);
	correlate_binding_changes(c);
	correlate_owned_sections(c);
	correlate_section_names(c);
	correlate_linked_sections(c);
	correlate_rela_and_section_symbols(c);
	return c->status;
}
