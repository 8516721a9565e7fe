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
	KEEP_BY_LINK,		/* SHF_LINK_ORDER: one section per function */
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
};


static const struct special_kind kinds[] = {
	{ "__bug_table", "BUG_STRUCT_SIZE", { 12, 8, 16 }, 0x11, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ "__ex_table", "EX_STRUCT_SIZE", { 12, 8 }, 0x11, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ ".altinstructions", "ALT_STRUCT_SIZE", { 12, 14, 13 }, 0x11, 0, KEEP_BY_CODE, KEY_ANY, 0,
	  ".altinstr_replacement" },
	{ "__jump_table", "JUMP_STRUCT_SIZE", { 16 }, 0x111, 0, KEEP_BY_CODE, KEY_LOADABLE, 8, NULL },
	{ ".static_call_sites", "STATIC_CALL_STRUCT_SIZE", { 8 }, 0x11, 0, KEEP_BY_CODE,
	  KEY_DROP_IF_KLP, 4, NULL },
	{ ".parainstructions", "PARA_STRUCT_SIZE", { 16 }, 0x1, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ ".retpoline_sites", NULL, { 4 }, 0x1, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ ".return_sites", NULL, { 4 }, 0x1, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ ".call_sites", NULL, { 4 }, 0x1, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ ".ibt_endbr_seal", NULL, { 4 }, 0x1, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ ".smp_locks", NULL, { 4 }, 0x1, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ "__mcount_loc", NULL, { 8 }, 0x1, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ ".orc_unwind_ip", "ORC_STRUCT_SIZE", { 4 }, 0x1, 0, KEEP_BY_CODE, KEY_ANY, 0, NULL },
	{ ".printk_index", "PRINTK_INDEX_STRUCT_SIZE", { 48 }, 0x10101010101ULL, 8,
	  KEEP_BY_FUNC_NAME, KEY_ANY, 0, NULL },
	{ "__patchable_function_entries", NULL, { 8 }, 0x1, 0, KEEP_BY_LINK, KEY_ANY, 0, NULL },
	{ ".discard.*", NULL, { 0 }, 0, 0, KEEP_NONE, KEY_ANY, 0, NULL },
	{ ".kpatch.ignore.*", NULL, { 0 }, 0, 0, KEEP_NONE, KEY_ANY, 0, NULL },
	{ ".kpatch.force", NULL, { 0 }, 0, 0, KEEP_NONE, KEY_ANY, 0, NULL },
	{ ".altinstr_replacement", NULL, { 0 }, 0, 0, KEEP_NONE, KEY_ANY, 0, NULL },
	{ ".altinstr_aux", NULL, { 0 }, 0, 0, KEEP_NONE, KEY_ANY, 0, NULL },
	{ ".orc_unwind", NULL, { 0 }, 0, 0, KEEP_NONE, KEY_ANY, 0, NULL },
	{ "__tracepoints_ptrs", NULL, { 0 }, 0, 0, KEEP_NONE, KEY_ANY, 0, NULL },
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

static void rebuild_linked(struct cdo *c, struct section *sec)
{
	struct section *text = sec->sh.sh_link < c->elf[PATCHED]->nr_sections ?
			       c->elf[PATCHED]->sections[sec->sh.sh_link] : NULL;
	struct section *out;

	if (!text || !c->sec_clone[text->index])
		return;
	out = new_output_like(c, sec, (unsigned int)sec->sh.sh_entsize);
	out->link = c->sec_clone[text->index];
	section_append(out, sec->data, sec->size, 1);
	copy_relocations(c, sec, 0, sec->size, out, 0);
}

void rebuild_special_sections(struct cdo *c)
{
	struct section *sec;

	for_each_section(c->elf[PATCHED], sec) {
		const struct special_kind *k = find_kind(sec->name);

		if (!k || k->keep == KEEP_NONE || is_rela_section(sec))
			continue;
		if (k->keep == KEEP_BY_LINK)
			rebuild_linked(c, sec);
		else
			rebuild_table(c, k, sec);
	}
}
