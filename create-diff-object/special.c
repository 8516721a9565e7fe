// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 7: the special sections, rebuilt for the kept functions only.
 *
 * Each is an array of fixed-size entries that point at code (bug and
 * exception tables, alternatives, jump labels, static calls, the objtool
 * site lists, ORC, mcount locations, printk index).  An entry is kept when
 * the code it describes is in the output.  Entry sizes depend on the kernel
 * being patched, so they are taken from the environment (kpatch-build
 * probes the kernel's headers), else from sh_entsize, else from the first
 * candidate size that every relocation of the section agrees with.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

/* The layout of @sec's entries, or NULL when no entry points anywhere. */
static const struct entry_layout *layout_of(struct cdo *c, const struct section_kind *k,
					    const struct section *sec, struct entry_layout *scratch)
{
	if (!sec->rela || !sec->rela->nr_relas)
		return NULL;
	return choose_layout(sec->elf->path, sec, &k->layouts, scratch);
}

static bool is_kept_code(const struct cdo *c, const struct section *sec, const struct rela *r)
{
	int64_t add;
	struct symbol *t = resolve_reloc(sec, r, &add);

	if (!t->sec || !is_text_section(t->sec))
		return false;
	return c->clone[t->index] && (t->type == STT_FUNC || c->sec_clone[t->sec->index]);
}

static bool func_name_is_kept(const struct cdo *c, const struct section *sec,
			      const struct rela *r)
{
	int64_t add;
	struct symbol *t = resolve_reloc(sec, r, &add);
	const struct section *s = t->sec;
	uint64_t off = (uint64_t)add + (is_section_sym(t) ? 0 : t->value);
	struct symbol *fn;

	if (!s || !s->data || off >= s->size || !memchr(s->data + off, 0, s->size - off))
		return false;
	fn = find_symbol(c->elf[PATCHED], (const char *)s->data + off);
	return fn && fn->type == STT_FUNC && c->clone[fn->index];
}

/* Where a .printk_index pointer at @r points: the pi_entry's section and offset. */
static const struct section *pointee_at(const struct section *sec, const struct rela *r,
					uint64_t *off)
{
	int64_t add;
	struct symbol *t = resolve_reloc(sec, r, &add);

	*off = (uint64_t)add + (is_section_sym(t) ? 0 : t->value);
	return t->sec;
}

static bool pointee_func_is_kept(const struct cdo *c, const struct section_kind *k,
				 const struct section *sec, const struct rela *r)
{
	uint64_t off;
	const struct section *ps = pointee_at(sec, r, &off);
	struct rela *fr;

	if (!ps)
		return false;
	fr = find_rela_at(ps, off + k->pointee_func);
	return fr && func_name_is_kept(c, ps, fr);
}

/* The pi_entry object a kept entry points at, to be copied; NULL if there is none. */
static struct symbol *pointee_object(struct cdo *c, const struct section_kind *k,
				     const struct section *sec, const struct rela *r)
{
	uint64_t off;
	const struct section *ps = pointee_at(sec, r, &off);
	struct symbol *t = ps ? find_symbol_at(ps, off) : NULL;
	const char *env = getenv(k->pointee_size_env);

	if (!t || t->type != STT_OBJECT) {
		unsupported(c, "%s entry at 0x%lx points at %s+0x%lx, where no object starts",
			    sec->name, (unsigned long)r->offset, ps ? ps->name : "?",
			    (unsigned long)off);
		return NULL;
	}
	if (env && *env && strtoul(env, NULL, 0) != t->size)
		ERROR("%s: %s entry at 0x%lx points at %s, %lu bytes; %s=%s", sec->elf->path,
		      sec->name, (unsigned long)r->offset, t->name, (unsigned long)t->size,
		      k->pointee_size_env, env);
	return t;
}

static bool keep_entry(const struct cdo *c, const struct section_kind *k,
		       const struct section *sec, uint64_t start)
{
	struct rela *r = find_rela_at(sec, start);

	if (!r)
		return false;
	if (k->keep == KEEP_BY_POINTEE_FUNC)
		return pointee_func_is_kept(c, k, sec, r);
	return is_kept_code(c, sec, r);
}

static bool is_klp_name(const char *name)
{
	return !strncmp(name, ".klp.sym.", 9);
}

/* Jump labels and static calls are set up before module klp relocations apply. */
static bool check_key(struct cdo *c, const struct section_kind *k,
		      const struct entry_layout *l, const struct section *sec, uint64_t start)
{
	struct rela *r = find_rela_at(sec, start + l->key_field);
	struct symbol *sym;
	int64_t addend;

	if (k->key_check == KEY_ANY || !r || !c->parent.is_module)
		return true;
	map_relocation_target(c, sec, r, &sym, &addend);
	if (!is_klp_name(sym->name))
		return true;
	if (k->key_check == KEY_DROP_IF_KLP) {
		DEBUG(DBG_SPECIAL, "%s: dropping entry for %s: call goes through the trampoline",
		      sec->name, sym->name);
		return false;
	}
	unsupported(c, "%s entry at 0x%lx uses %s, which the module loader cannot resolve "
		    "before the livepatch core does", sec->name, (unsigned long)start, sym->name);
	return false;
}

static void clone_aux_section(struct cdo *c, const char *name)
{
	struct section *aux = find_section(c->elf[PATCHED], name);

	if (!aux || c->sec_clone[aux->index])
		return;
	c->inc.sec[aux->index] = true;
	struct section *out = section_new(c->out, aux->name, aux->sh.sh_type, aux->sh.sh_flags,
					  aux->sh.sh_entsize, aux->sh.sh_addralign);

	out->secsym = symbol_new(c->out, "", STB_LOCAL, STT_SECTION, out, 0, 0);
	section_append(out, aux->data, aux->size, 1);
	c->sec_clone[aux->index] = out;
	if (aux->secsym)
		c->clone[aux->secsym->index] = out->secsym;
	copy_relocations(c, aux, 0, aux->size, out, 0);
}

static struct section *new_output_like(struct cdo *c, const struct section *sec,
				       unsigned int size)
{
	struct section *out = section_new(c->out, sec->name, sec->sh.sh_type, sec->sh.sh_flags,
					  size, sec->sh.sh_addralign);

	out->secsym = symbol_new(c->out, "", STB_LOCAL, STT_SECTION, out, 0, 0);
	return out;
}

/* .orc_unwind holds the entries of .orc_unwind_ip's, index for index. */
static void copy_orc_entry(struct cdo *c, struct section **orc_out, size_t index)
{
	struct section *orc = find_section(c->elf[PATCHED], ".orc_unwind");
	unsigned int size = 6;
	const char *v = getenv("ORC_STRUCT_SIZE");

	if (v && *v)
		size = (unsigned int)strtoul(v, NULL, 0);
	if (!orc || (index + 1) * size > orc->size)
		ERROR("%s: .orc_unwind is shorter than .orc_unwind_ip", c->args.path[PATCHED]);
	if (!*orc_out)
		*orc_out = new_output_like(c, orc, size);
	section_append(*orc_out, orc->data + index * size, size, 1);
}

/* Append the entry at @start to @out, the short last one padded to the stride. */
static void append_entry(struct cdo *c, const struct entry_layout *l, const struct section *sec,
			 uint64_t start, struct section *out)
{
	unsigned int len = entry_len(sec, l, start);
	uint64_t off = section_append(out, sec->data + start, len, 1);

	if (len < l->size)
		section_append(out, NULL, l->size - len, 1);
	copy_relocations(c, sec, start, start + len, out, off);
}

static void rebuild_table(struct cdo *c, const struct section_kind *k, struct section *sec)
{
	struct entry_layout scratch;
	const struct entry_layout *l = layout_of(c, k, sec, &scratch);
	struct section *out = NULL, *orc_out = NULL;
	size_t kept = 0;

	if (!l)
		return;
	for (uint64_t start = 0; start < sec->size; start += l->size) {
		if (!keep_entry(c, k, sec, start) || !check_key(c, k, l, sec, start))
			continue;
		if (k->aux)
			clone_aux_section(c, k->aux);
		if (k->keep == KEEP_BY_POINTEE_FUNC)
			clone_pointee(c, pointee_object(c, k, sec, find_rela_at(sec, start)));
		if (!out)
			out = new_output_like(c, sec, l->size);
		append_entry(c, l, sec, start, out);
		if (!strcmp(sec->name, ".orc_unwind_ip"))
			copy_orc_entry(c, &orc_out, start / l->size);
		kept++;
	}
	DEBUG(DBG_SPECIAL, "%s: kept %zu of %lu entries of %u bytes (%s layout)", sec->name, kept,
	      (unsigned long)((sec->size + l->size - 1) / l->size), l->size, l->what);
}

/*
 * __patchable_function_entries: GCC may put every function's entry in one
 * section linked (SHF_LINK_ORDER) to the first function's.  Each kept entry
 * goes to an output section linked to the section of the code it points at.
 */
static struct section *linked_output(struct cdo *c, const struct section *sec,
				     struct section *text, unsigned int size)
{
	struct section *out;

	for_each_section(c->out, out)
		if (out->link == text && !strcmp(out->name, sec->name))
			return out;
	out = new_output_like(c, sec, size);
	out->link = text;
	return out;
}

static void rebuild_linked(struct cdo *c, const struct section_kind *k, struct section *sec)
{
	struct entry_layout scratch;
	const struct entry_layout *l = layout_of(c, k, sec, &scratch);

	for (uint64_t start = 0; l && start < sec->size; start += l->size) {
		struct rela *r = find_rela_at(sec, start);
		struct symbol *sym;
		int64_t addend;

		if (!r || !is_kept_code(c, sec, r))
			continue;
		map_relocation_target(c, sec, r, &sym, &addend);
		if (sym->sec)
			append_entry(c, l, sec, start, linked_output(c, sec, sym->sec, l->size));
	}
}

void rebuild_special_sections(struct cdo *c)
{
	struct section *sec;

	for_each_section(c->elf[PATCHED], sec) {
		const struct section_kind *k = section_kind(sec);

		if (!k || (k->emit != EMIT_ENTRIES && k->emit != EMIT_LINKED) || is_rela_section(sec))
			continue;
		if (k->emit == EMIT_LINKED)
			rebuild_linked(c, k, sec);
		else
			rebuild_table(c, k, sec);
	}
}

/* The function an entry describes (through its first field), or NULL. */
static struct symbol *entry_function(const struct section *sec, uint64_t start)
{
	struct rela *r = find_rela_at(sec, start);
	struct symbol *t;
	int64_t add;

	if (!r)
		return NULL;
	t = resolve_reloc(sec, r, &add);
	return t->type == STT_FUNC ? t : NULL;
}

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
static bool same_entry(const struct cdo *c, const struct section_kind *k,
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

static void compare_kind(struct cdo *c, const struct section_kind *k, struct section *ps,
			 struct section *os)
{
	struct entry_layout pscratch, oscratch;
	const struct entry_layout *l = layout_of(c, k, ps, &pscratch), *ol_layout;
	struct entry_list ol, pl;
	struct symbol *p;

	ol_layout = layout_of(c, k, os, &oscratch);
	if (!l || !ol_layout)
		return;
	if (l->size != ol_layout->size)
		ERROR("%s: section %s has %u-byte %s entries, %s's has %u-byte %s ones",
		      ps->elf->path, ps->name, l->size, l->what, os->elf->path, ol_layout->size,
		      ol_layout->what);
	group_entries(c->elf[ORIG], os, l->size, &ol);
	group_entries(c->elf[PATCHED], ps, l->size, &pl);
	for_each_symbol(c->elf[PATCHED], p) {
		struct symbol *o = c->corr.sym_twin[PATCHED][p->index];

		if (p->type != STT_FUNC || !o || c->cmp.status[p->index] != SAME)
			continue;
		if (!same_function_entries(c, k, l, os, &ol, o, ps, &pl, p)) {
			c->cmp.status[p->index] = CHANGED;
			DEBUG(DBG_COMPARE, "%s: its %s entries changed", p->name, ps->name);
		}
	}
	free_entries(&ol);
	free_entries(&pl);
}

void mark_special_changes(struct cdo *c)
{
	struct section *ps;

	for_each_section(c->elf[PATCHED], ps) {
		const struct section_kind *k = section_kind(ps);
		struct section *os = c->corr.sec_twin[PATCHED][ps->index];

		if (k && k->compare == COMPARE_ENTRIES && os && !is_rela_section(ps))
			compare_kind(c, k, ps, os);
	}
}
