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

enum keep_rule {
	KEEP_BY_CODE,		/* the relocation at key_offset points into kept code */
	KEEP_BY_FUNC_NAME,	/* .printk_index: the entry's __func__ names kept code */
	KEEP_BY_LINK,		/* KEEP_BY_CODE, output grouped by SHF_LINK_ORDER target */
	KEEP_NONE,		/* consumed by objtool or create-diff-object itself */
};

enum key_check {
	KEY_ANY,
	KEY_LOADABLE,		/* the loader reads the key before klp relocations */
	KEY_DROP_IF_KLP,	/* without the entry the code still works (trampoline) */
};

struct special_kind {
	const char *name;	/* exact, or a prefix when it ends with '*' */
	const char *size_env;
	unsigned int sizes[3];	/* candidate entry sizes, most recent layout first */
	uint64_t reloc_offsets;	/* bit N: a relocation may sit at entry offset N */
	unsigned int key_offset;
	enum keep_rule keep;
	enum key_check key_check;
	unsigned int key_field;	/* the field holding the key, for key_check */
	const char *aux;	/* section the entries point into, copied whole */
	bool compare;		/* entries carry more than code positions: compare them */
};


/* One row per special section; unset fields are 0: KEEP_BY_CODE, KEY_ANY. */
static const struct special_kind kinds[] = {
	{ .name = "__bug_table", .size_env = "BUG_STRUCT_SIZE", .sizes = { 12, 8, 16 },
	  .reloc_offsets = 0x11 },
	{ .name = "__ex_table", .size_env = "EX_STRUCT_SIZE", .sizes = { 12, 8 },
	  .reloc_offsets = 0x11, .compare = true },
	{ .name = ".altinstructions", .size_env = "ALT_STRUCT_SIZE", .sizes = { 12, 14, 13 },
	  .reloc_offsets = 0x11, .aux = ".altinstr_replacement", .compare = true },
	{ .name = "__jump_table", .size_env = "JUMP_STRUCT_SIZE", .sizes = { 16 },
	  .reloc_offsets = 0x111, .key_check = KEY_LOADABLE, .key_field = 8, .compare = true },
	{ .name = ".static_call_sites", .size_env = "STATIC_CALL_STRUCT_SIZE", .sizes = { 8 },
	  .reloc_offsets = 0x11, .key_check = KEY_DROP_IF_KLP, .key_field = 4, .compare = true },
	{ .name = ".parainstructions", .size_env = "PARA_STRUCT_SIZE", .sizes = { 16 },
	  .reloc_offsets = 0x1, .compare = true },
	{ .name = ".retpoline_sites", .sizes = { 4 }, .reloc_offsets = 0x1 },
	{ .name = ".return_sites", .sizes = { 4 }, .reloc_offsets = 0x1 },
	{ .name = ".call_sites", .sizes = { 4 }, .reloc_offsets = 0x1 },
	{ .name = ".ibt_endbr_seal", .sizes = { 4 }, .reloc_offsets = 0x1 },
	{ .name = ".smp_locks", .sizes = { 4 }, .reloc_offsets = 0x1 },
	{ .name = "__mcount_loc", .sizes = { 8 }, .reloc_offsets = 0x1 },
	/* ORC_STRUCT_SIZE is .orc_unwind's entry (copy_orc_entry); these are s32. */
	{ .name = ".orc_unwind_ip", .sizes = { 4 }, .reloc_offsets = 0x1 },
	{ .name = ".printk_index", .size_env = "PRINTK_INDEX_STRUCT_SIZE", .sizes = { 48 },
	  .reloc_offsets = 0x10101010101ULL, .key_offset = 8, .keep = KEEP_BY_FUNC_NAME },
	{ .name = "__patchable_function_entries", .sizes = { 8 }, .reloc_offsets = 0x1,
	  .keep = KEEP_BY_LINK },
	{ .name = ".discard.*", .keep = KEEP_NONE },
	{ .name = ".kpatch.ignore.*", .keep = KEEP_NONE },
	{ .name = ".kpatch.force", .keep = KEEP_NONE },
	{ .name = ".altinstr_replacement", .keep = KEEP_NONE },
	{ .name = ".altinstr_aux", .keep = KEEP_NONE },
	{ .name = ".orc_unwind", .keep = KEEP_NONE },
	{ .name = "__tracepoints_ptrs", .keep = KEEP_NONE },
	/* Unwind tables of user-space style builds; the kernel unwinds with ORC. */
	{ .name = ".eh_frame", .keep = KEEP_NONE },
};

static bool kind_matches(const struct special_kind *k, const char *name)
{
	size_t len = strlen(k->name);

	if (k->name[len - 1] == '*')
		return !strncmp(k->name, name, len - 1);
	return !strcmp(k->name, name);
}

static const struct special_kind *find_kind(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (kind_matches(&kinds[i], name))
			return &kinds[i];
	return NULL;
}

bool is_special_section(const struct section *sec)
{
	return find_kind(sec->name) != NULL;
}

static bool relocs_fit(const struct section *sec, unsigned int size, uint64_t offsets)
{
	if (!size || sec->size % size)
		return false;
	if (!sec->rela)
		return true;
	for (size_t i = 0; i < sec->rela->nr_relas; i++) {
		uint64_t in_entry = sec->rela->relas[i].offset % size;

		if (in_entry >= 64 || !(offsets & (1ULL << in_entry)))
			return false;
	}
	return true;
}

static unsigned int env_size(struct cdo *c, const struct special_kind *k)
{
	const char *v = k->size_env ? getenv(k->size_env) : NULL;
	char *end;
	unsigned long n;

	if (!v || !*v)
		return 0;
	n = strtoul(v, &end, 0);
	if (*end || !n || n > 4096)
		ERROR("%s=%s: not an entry size", k->size_env, v);
	return (unsigned int)n;
}

static unsigned int entry_size(struct cdo *c, const struct special_kind *k,
			       const struct section *sec)
{
	unsigned int n = env_size(c, k);

	if (n) {
		if (sec->size % n)
			ERROR("%s: section %s: size %lu is not a multiple of %s=%u",
			      c->args.path[PATCHED], sec->name, (unsigned long)sec->size,
			      k->size_env, n);
		return n;
	}
	if (sec->sh.sh_entsize && relocs_fit(sec, (unsigned int)sec->sh.sh_entsize, k->reloc_offsets))
		return (unsigned int)sec->sh.sh_entsize;
	for (size_t i = 0; i < 3 && k->sizes[i]; i++)
		if (relocs_fit(sec, k->sizes[i], k->reloc_offsets))
			return k->sizes[i];
	ERROR("%s: section %s: cannot tell its entry size (section size %lu)%s%s",
	      c->args.path[PATCHED], sec->name, (unsigned long)sec->size,
	      k->size_env ? "; set " : "", k->size_env ? k->size_env : "");
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

static bool keep_entry(const struct cdo *c, const struct special_kind *k,
		       const struct section *sec, uint64_t start)
{
	struct rela *r = find_rela_at(sec, start + k->key_offset);

	if (!r)
		return false;
	return k->keep == KEEP_BY_FUNC_NAME ? func_name_is_kept(c, sec, r) : is_kept_code(c, sec, r);
}

static bool is_klp_name(const char *name)
{
	return !strncmp(name, ".klp.sym.", 9);
}

/* Jump labels and static calls are set up before module klp relocations apply. */
static bool check_key(struct cdo *c, const struct special_kind *k, const struct section *sec,
		      uint64_t start)
{
	struct rela *r = find_rela_at(sec, start + k->key_field);
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

static void rebuild_table(struct cdo *c, const struct special_kind *k, struct section *sec)
{
	unsigned int size = entry_size(c, k, sec);
	struct section *out = NULL, *orc_out = NULL;
	size_t kept = 0;

	for (uint64_t start = 0; start + size <= sec->size; start += size) {
		uint64_t off;

		if (!keep_entry(c, k, sec, start) || !check_key(c, k, sec, start))
			continue;
		if (k->aux)
			clone_aux_section(c, k->aux);
		if (!out)
			out = new_output_like(c, sec, size);
		off = section_append(out, sec->data + start, size, 1);
		copy_relocations(c, sec, start, start + size, out, off);
		if (!strcmp(sec->name, ".orc_unwind_ip"))
			copy_orc_entry(c, &orc_out, start / size);
		kept++;
	}
	DEBUG(DBG_SPECIAL, "%s: kept %zu of %lu entries of %u bytes", sec->name, kept,
	      (unsigned long)(sec->size / size), size);
}

/*
 * __patchable_function_entries: GCC may put every function's entry in one
 * section linked (SHF_LINK_ORDER) to the first function's.  Each kept entry
 * goes to an output section linked to the section of the code it points at.
 */
static struct section *linked_output(struct cdo *c, const struct section *sec,
				     struct section *text)
{
	struct section *out;

	for_each_section(c->out, out)
		if (out->link == text && !strcmp(out->name, sec->name))
			return out;
	out = new_output_like(c, sec, (unsigned int)sec->sh.sh_entsize);
	out->link = text;
	return out;
}

static void rebuild_linked(struct cdo *c, const struct special_kind *k, struct section *sec)
{
	unsigned int size = entry_size(c, k, sec);

	for (uint64_t start = 0; start + size <= sec->size; start += size) {
		struct rela *r = find_rela_at(sec, start);
		struct symbol *sym;
		struct section *out;
		int64_t addend;
		uint64_t off;

		if (!r || !is_kept_code(c, sec, r))
			continue;
		map_relocation_target(c, sec, r, &sym, &addend);
		if (!sym->sec)
			continue;
		out = linked_output(c, sec, sym->sec);
		off = section_append(out, sec->data + start, size, 1);
		copy_relocations(c, sec, start, start + size, out, off);
	}
}

void rebuild_special_sections(struct cdo *c)
{
	struct section *sec;

	for_each_section(c->elf[PATCHED], sec) {
		const struct special_kind *k = find_kind(sec->name);

		if (!k || k->keep == KEEP_NONE || is_rela_section(sec))
			continue;
		if (k->keep == KEEP_BY_LINK)
			rebuild_linked(c, k, sec);
		else
			rebuild_table(c, k, sec);
	}
}

/* The function an entry describes (through its key relocation), or NULL. */
static struct symbol *entry_function(const struct special_kind *k, const struct section *sec,
				     uint64_t start)
{
	struct rela *r = find_rela_at(sec, start + k->key_offset);
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
static void group_entries(const struct elf_obj *elf, const struct special_kind *k,
			  const struct section *sec, unsigned int size, struct entry_list *l)
{
	size_t n = sec->size / size, *fill = xcalloc(elf->nr_symbols, sizeof(size_t));

	l->starts = xcalloc(n, sizeof(uint64_t));
	l->first = xcalloc(elf->nr_symbols, sizeof(size_t));
	l->count = xcalloc(elf->nr_symbols, sizeof(size_t));
	for (uint64_t st = 0; st + size <= sec->size; st += size) {
		struct symbol *fn = entry_function(k, sec, st);

		if (fn)
			l->count[fn->index]++;
	}
	for (size_t i = 1, acc = 0; i < elf->nr_symbols; i++) {
		l->first[i] = acc;
		acc += l->count[i];
	}
	for (uint64_t st = 0; st + size <= sec->size; st += size) {
		struct symbol *fn = entry_function(k, sec, st);

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
 * last byte (replacementlen, in every alt_instr layout since 4.x).
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

/* Entry bytes outside relocated fields, and non-key relocation targets. */
static bool same_entry(const struct cdo *c, const struct special_kind *k, unsigned int size,
		       const struct section *os, uint64_t ost, const struct section *ps,
		       uint64_t pst)
{
	unsigned char ob[64], pb[64];
	struct rela *orr = find_rela_from(os, ost), *prr = find_rela_from(ps, pst);
	struct rela *oend = os->rela->relas + os->rela->nr_relas;
	struct rela *pend = ps->rela->relas + ps->rela->nr_relas;

	if (size > sizeof(ob))
		return !memcmp(os->data + ost, ps->data + pst, size);
	memcpy(ob, os->data + ost, size);
	memcpy(pb, ps->data + pst, size);
	for (; orr && orr < oend && orr->offset < ost + size; orr++) {
		if (!prr || prr >= pend || prr->offset - pst != orr->offset - ost)
			return false;
		memset(ob + (orr->offset - ost), 0, rela_width(orr->type));
		memset(pb + (prr->offset - pst), 0, rela_width(prr->type));
		if (k->aux && orr->sym->sec && !strcmp(orr->sym->sec->name, k->aux)) {
			if (!same_replacement(c, orr, prr, ob[size - 1], pb[size - 1]))
				return false;
		} else if (orr->offset - ost != k->key_offset &&
			   !same_target(c, os, orr, ps, prr)) {
			return false;
		}
		prr++;
	}
	return !memcmp(ob, pb, size);
}

static void compare_kind(struct cdo *c, const struct special_kind *k, struct section *ps,
			 struct section *os)
{
	unsigned int size = entry_size(c, k, ps);
	struct entry_list ol, pl;
	struct symbol *p;

	if (!ps->rela || !os->rela || entry_size(c, k, os) != size)
		return;
	group_entries(c->elf[ORIG], k, os, size, &ol);
	group_entries(c->elf[PATCHED], k, ps, size, &pl);
	for_each_symbol(c->elf[PATCHED], p) {
		struct symbol *o = c->corr.sym_twin[PATCHED][p->index];
		bool same;

		if (p->type != STT_FUNC || !o || c->cmp.status[p->index] != SAME)
			continue;
		same = ol.count[o->index] == pl.count[p->index];
		for (size_t i = 0; same && i < pl.count[p->index]; i++)
			same = same_entry(c, k, size, os, ol.starts[ol.first[o->index] + i], ps,
					  pl.starts[pl.first[p->index] + i]);
		if (!same) {
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
		const struct special_kind *k = find_kind(ps->name);
		struct section *os = c->corr.sec_twin[PATCHED][ps->index];

		if (k && k->compare && os && !is_rela_section(ps))
			compare_kind(c, k, ps, os);
	}
}
