// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 7 (layer 3, emission): the special sections, rebuilt for the kept
 * functions only (kinds.c: EMIT_ENTRIES, EMIT_LINKED).
 *
 * Each is an array of fixed-size entries that point at code (bug and
 * exception tables, alternatives, jump labels, static calls, the objtool
 * site lists, ORC, mcount locations, printk index).  An entry is kept when
 * the code it describes is in the output.  Entry sizes depend on the kernel
 * being patched, so they are taken from the environment (kpatch-build
 * probes the kernel's headers), else from sh_entsize, else from the first
 * candidate size that every relocation of the section agrees with
 * (layout.c).  Their entries are compared in compare.c; here they are kept
 * or dropped and written, through output.c's copy_relocations().
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

static bool is_kept_code(const struct cdo *c, const struct section *sec, const struct rela *r)
{
	int64_t add;
	struct symbol *t = resolve_reloc(sec, r, &add);

	if (!t->sec || !is_text_section(t->sec))
		return false;
	return clone_of(c, t) && (t->type == STT_FUNC || sec_clone_of(c, t->sec));
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
	return fn && fn->type == STT_FUNC && clone_of(c, fn);
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
	if (env && *env && strtoul(env, NULL, 0) != t->size) {
		fail(c, KPB_ERROR, "%s: %s entry at 0x%lx points at %s, %lu bytes; %s=%s",
		     sec->elf->path, sec->name, (unsigned long)r->offset, t->name,
		     (unsigned long)t->size, k->pointee_size_env, env);
		return NULL;
	}
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

/* Why the output keeps @fn (which includes it): changed, new, or carried. */
static const char *kept_because(const struct cdo *c, const struct symbol *fn)
{
	if (is_carried_function(c, fn))
		return "carried";
	return change_of(c, fn) == NEW ? "new" : "changed";
}

/*
 * "nfsd4_setclientid+0x51a, a changed function": where the entry at @start
 * points in the kept code (its function, or the section when none holds it).
 */
static char *describe_site(const struct cdo *c, const struct section *sec, uint64_t start)
{
	struct rela *r = find_rela_at(sec, start);
	struct symbol *fn, *parent;
	uint64_t off;

	if (!r)
		return xasprintf("no code");
	fn = function_containing(sec, r, &off);
	if (!fn)
		return xasprintf("%s+0x%lx, in no function", r->sym->sec ? r->sym->sec->name : "?",
				 (unsigned long)off);
	parent = cold_parent(c->elf[PATCHED], fn);
	if (parent)
		return xasprintf("%s+0x%lx, the cold part of %s, a %s function", fn->name,
				 (unsigned long)off, parent->name, kept_because(c, parent));
	return xasprintf("%s+0x%lx, a %s function", fn->name, (unsigned long)off,
			 kept_because(c, fn));
}

/* "the key of tracepoint nfsd_cb_args" or "the key mod_key": what the entry's @r names. */
static char *describe_key(const struct section *sec, const struct rela *r)
{
	int64_t add;
	const struct symbol *t = resolve_reloc(sec, r, &add);
	static const char tp[] = "__tracepoint_";

	if (!strncmp(t->name, tp, sizeof(tp) - 1))
		return xasprintf("the key of tracepoint %s", t->name + sizeof(tp) - 1);
	return xasprintf("the key %s", t->name);
}

/* Jump labels and static calls are set up before module klp relocations apply. */
static bool check_key(struct cdo *c, const struct section_kind *k,
		      const struct entry_layout *l, const struct section *sec, uint64_t start)
{
	struct rela *r = find_rela_at(sec, start + l->key_field);
	struct symbol *sym;
	int64_t addend;
	char *site, *key;

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
	site = describe_site(c, sec, start);
	key = describe_key(sec, r);
	unsupported(c, "%s entry at 0x%lx (the site at %s) uses %s of module %s (%s), which the "
		    "module loader cannot resolve before the livepatch core does: it sets up the "
		    "livepatch module's jump labels as it loads, and the core writes the "
		    "relocations to %s's symbols only later (when %s is loaded), so the entry "
		    "would name an unrelocated key; test the key with static_key_enabled() "
		    "instead, or leave the tracepoint out of the patched function", sec->name,
		    (unsigned long)start, site, key, c->parent.objname, sym->name,
		    c->parent.objname, c->parent.objname);
	free(site);
	free(key);
	return false;
}

/*
 * An optional field without a relocation (kinds.c: OPT_REL32) is sound only
 * where the kernel never reads it: an alternative whose replacementlen is 0.
 */
static bool check_unrelocated_fields(struct cdo *c, const struct entry_layout *l,
				     const struct section *sec, uint64_t start)
{
	char *site;

	for (size_t i = 0; i < MAX_ENTRY_FIELDS && l->fields[i].width; i++) {
		const struct entry_field *f = &l->fields[i];

		if (!f->optional || find_rela_at(sec, start + f->offset) ||
		    !l->len_offset || !sec->data[start + l->len_offset])
			continue;
		site = describe_site(c, sec, start);
		unsupported(c, "%s entry at 0x%lx (the site at %s) has a %u-byte replacement but no "
			    "relocation for its offset at +%u: where the replacement is cannot be "
			    "told", sec->name, (unsigned long)start, site,
			    sec->data[start + l->len_offset], f->offset);
		free(site);
		return false;
	}
	return true;
}

/* .orc_unwind holds the entries of .orc_unwind_ip's, index for index. */
static enum kpb_status copy_orc_entry(struct cdo *c, struct section **orc_out, size_t index)
{
	struct section *orc = find_section(c->elf[PATCHED], ".orc_unwind");
	unsigned int size = 6;
	const char *v = getenv("ORC_STRUCT_SIZE");

	if (v && *v)
		size = (unsigned int)strtoul(v, NULL, 0);
	if (!orc || (index + 1) * size > orc->size)
		return fail(c, KPB_ERROR, "%s: .orc_unwind is shorter than .orc_unwind_ip",
			    c->args.path[PATCHED]);
	if (!*orc_out)
		*orc_out = new_output_section(c, orc, orc->name, size);
	section_append(*orc_out, orc->data + index * size, size, 1);
	return KPB_OK;
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

static enum kpb_status rebuild_table(struct cdo *c, const struct section_kind *k,
				     struct section *sec)
{
	struct entry_layout scratch;
	const struct entry_layout *l;
	struct section *out = NULL, *orc_out = NULL;
	size_t kept = 0;
	char err[ELF_ERRLEN];

	if (!kind_layout(k, sec, &scratch, &l, err, sizeof(err)))
		return fail(c, KPB_ERROR, "%s", err);
	if (!l)
		return KPB_OK;
	for (uint64_t start = 0; start < sec->size; start += l->size) {
		if (!keep_entry(c, k, sec, start) || !check_key(c, k, l, sec, start) ||
		    !check_unrelocated_fields(c, l, sec, start))
			continue;
		if (k->aux)
			clone_aux_section(c, k->aux);
		if (k->keep == KEEP_BY_POINTEE_FUNC)
			clone_pointee(c, pointee_object(c, k, sec, find_rela_at(sec, start)));
		if (c->status)
			return c->status;
		if (!out)
			out = new_output_section(c, sec, sec->name, l->size);
		append_entry(c, l, sec, start, out);
		if (!strcmp(sec->name, ".orc_unwind_ip") &&
		    copy_orc_entry(c, &orc_out, start / l->size))
			return c->status;
		kept++;
	}
	DEBUG(DBG_SPECIAL, "%s: kept %zu of %lu entries of %u bytes (%s layout)", sec->name, kept,
	      (unsigned long)((sec->size + l->size - 1) / l->size), l->size, l->what);
	return KPB_OK;
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
	out = new_output_section(c, sec, sec->name, size);
	out->link = text;
	return out;
}

static enum kpb_status rebuild_linked(struct cdo *c, const struct section_kind *k,
				      struct section *sec)
{
	struct entry_layout scratch;
	const struct entry_layout *l;
	char err[ELF_ERRLEN];

	if (!kind_layout(k, sec, &scratch, &l, err, sizeof(err)))
		return fail(c, KPB_ERROR, "%s", err);
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
	return c->status;
}

enum kpb_status rebuild_special_sections(struct cdo *c)
{
	struct section *sec;

	for_each_section(c->elf[PATCHED], sec) {
		const struct section_kind *k = section_kind(sec);
		enum kpb_status st;

		if (!k || (k->emit != EMIT_ENTRIES && k->emit != EMIT_LINKED) || is_rela_section(sec))
			continue;
		st = k->emit == EMIT_LINKED ? rebuild_linked(c, k, sec) : rebuild_table(c, k, sec);
		if (st)
			return st;
	}
	return c->status;
}
