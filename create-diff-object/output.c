// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 6 (layer 3, emission): build the output object from what include.c chose.  Each kept
 * function or object gets a section of its own (its original one when it
 * owned it), its relocations rebased, and every relocation target mapped to
 * a copy in the output or to an external symbol (klp.c).  Call-site
 * descriptors go to one array of their section's name (EMIT_ARRAY), the
 * kept pieces of .altinstr_aux to a section of theirs (EMIT_PIECES).
 *
 * Owns the clone maps (clone_of(), section_clone_of()); adds to the
 * inclusion set only through include.c's include_on_demand().
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

/* An output section named @name with @src's type, flags and alignment, and its symbol. */
struct section *new_output_section(struct cdo *c, const struct section *src, const char *name,
				   uint64_t entsize)
{
	struct section *sec = section_new(c->out, name, src->sh.sh_type, src->sh.sh_flags,
					  entsize, src->sh.sh_addralign);
	struct symbol *ss = symbol_new(c->out, "", STB_LOCAL, STT_SECTION, sec, 0, 0);

	sec->secsym = ss;
	return sec;
}

/*
 * The livepatch module defines init_module and cleanup_module itself (its
 * livepatch-patch.c).  GCC keeps a patched module's init under its own local
 * name with init_module a global alias (primary_alias() copies the local
 * one); clang folds module_init()'s static function into the alias, so the
 * only name of livepatch-callbacks-mod.c's changed init is the global
 * init_module.  Its copy is local, or the module link finds it twice.
 */
static unsigned char output_bind(const struct symbol *p)
{
	if (p->type == STT_FUNC && p->bind != STB_LOCAL &&
	    (!strcmp(p->name, "init_module") || !strcmp(p->name, "cleanup_module")))
		return STB_LOCAL;
	return p->bind;
}

static struct symbol *clone_symbol(struct cdo *c, struct symbol *p, struct section *sec,
				   uint64_t value)
{
	struct symbol *s;
	char *name = NULL;

	/* Other objects' outputs bind to a carried global under its new name (untraced_list.c). */
	if (p->bind != STB_LOCAL && is_carried_function(c, p))
		name = carried_global_name(p->name);
	s = symbol_new(c->out, name ? name : p->name, output_bind(p), p->type, sec, value, p->size);
	free(name);
	s->other = p->other;
	c->clone[p->index] = s;
	return s;
}

static bool owns_section(const struct symbol *sym)
{
	/* Whatever precedes the symbol can only be its __pfx_ padding. */
	return section_holds_one_symbol(sym->sec) && sym->value + sym->size == sym->sec->size;
}

static void clone_whole_section(struct cdo *c, struct section *src)
{
	struct section *sec = new_output_section(c, src, src->name, src->sh.sh_entsize);

	section_append(sec, src->data, src->size, 1);
	c->sec_clone[src->index] = sec;
	if (src->secsym)
		c->clone[src->secsym->index] = sec->secsym;
	for (size_t i = 0; i < src->nr_syms; i++)
		if (primary_alias(src->syms[i]) == src->syms[i])
			clone_symbol(c, src->syms[i], sec, src->syms[i]->value);
	for (size_t i = 0; i < src->nr_syms; i++)
		if (primary_alias(src->syms[i]) != src->syms[i])
			c->clone[src->syms[i]->index] = c->clone[primary_alias(src->syms[i])->index];
}

static void clone_symbol_range(struct cdo *c, struct symbol *p);

/*
 * Special-section entries may point at strings nothing else kept (a file
 * name) or at a __func__ (.printk_index), which has no twin to refer to.
 */
static struct symbol *clone_on_demand(struct cdo *c, struct symbol *t)
{
	struct section *sec = t->sec;

	if (sec && is_function_name_constant(t) && include_on_demand(c, t)) {
		clone_symbol_range(c, t);
		return clone_of(c, t);
	}
	/*
	 * A descriptor named only by a kept __jump_table entry's key: the
	 * kernel's _dynamic_func_call_no_desc() (print_hex_dump_debug()) never
	 * passes it to the code.  Carried like the ones the code names.
	 */
	if (sec && is_callsite_descriptor(t)) {
		clone_pointee(c, t);
		return clone_of(c, t);
	}
	if (!sec || sec_clone_of(c, sec) || !is_merged_section(sec))
		return NULL;
	include_section_on_demand(c, sec);
	clone_whole_section(c, sec);
	copy_relocations(c, sec, 0, sec->size, sec_clone_of(c, sec), 0);
	return clone_of(c, t);
}

/* The output's section of @p's kind (EMIT_ARRAY), where its copy is appended. */
static struct section *callsite_output_section(struct cdo *c, const struct symbol *p)
{
	struct section *out = find_section(c->out, p->sec->name);

	if (out)
		return out;
	return new_output_section(c, p->sec, p->sec->name, p->sec->sh.sh_entsize);
}

/* Descriptors share one section, an array the kernel walks (kinds.c: EMIT_ARRAY). */
static void clone_callsite_descriptor(struct cdo *c, struct symbol *p)
{
	struct section *sec = callsite_output_section(c, p);
	uint64_t off = section_append(sec, p->sec->data + p->value, p->size,
				      p->sec->sh.sh_addralign ? p->sec->sh.sh_addralign : 1);

	clone_symbol(c, p, sec, off);
}

static void clone_symbol_range(struct cdo *c, struct symbol *p)
{
	if (primary_alias(p) != p)
		return;
	struct section *sec;
	char *name;

	if (is_callsite_descriptor(p)) {
		clone_callsite_descriptor(c, p);
		return;
	}
	if (owns_section(p)) {
		clone_whole_section(c, p->sec);
		return;
	}
	name = p->type == STT_FUNC ? xasprintf(".text.%s", p->name)
				   : xasprintf("%s.%s", p->sec->name, p->name);
	sec = new_output_section(c, p->sec, name, p->sec->sh.sh_entsize);
	free(name);
	section_append(sec, p->sec->data ? p->sec->data + p->value : NULL, p->size, 1);
	clone_symbol(c, p, sec, 0);
	/* Entries found through an alias (init_module) must find the copy too. */
	for (size_t i = 0; i < p->sec->nr_syms; i++)
		if (p->sec->syms[i] != p && primary_alias(p->sec->syms[i]) == p)
			c->clone[p->sec->syms[i]->index] = clone_of(c, p);
}

/* An object a kept special-section entry points at (a pi_entry), with its relocations. */
void clone_pointee(struct cdo *c, struct symbol *t)
{
	struct symbol *s;

	if (!t || !t->sec || clone_of(c, t))
		return;
	include_on_demand(c, t);
	clone_symbol_range(c, t);
	s = clone_of(c, t);
	if (s)
		copy_relocations(c, t->sec, t->value, t->value + t->size, s->sec, s->value);
}

/* The next kept piece after (*s, *i), in order of sections and offsets; false at the end. */
static bool next_kept_piece(const struct pieces *ps, size_t *s, size_t *i, struct piece *p)
{
	for (; *s < count_piece_sections(ps); (*s)++, *i = 0) {
		while (*i < count_pieces(ps, *s)) {
			*p = piece_at(ps, *s, (*i)++);
			if (is_piece_kept(p))
				return true;
		}
	}
	return false;
}

/* Lay the kept pieces out in output sections of the same names (EMIT_PIECES). */
static void clone_pieces(struct cdo *c)
{
	const struct section *from = NULL;
	struct section *out = NULL;
	size_t s = 0, i = 0;
	struct piece p;

	while (next_kept_piece(c->pieces[PATCHED], &s, &i, &p)) {
		if (p.sec != from)
			out = new_output_section(c, p.sec, p.sec->name, 0);
		from = p.sec;
		set_piece_output_offset(&p, section_append(out, p.sec->data + p.start,
							   p.end - p.start, 1));
	}
}

/* After every function has its copy: the pieces' jumps back land in them. */
static void copy_piece_relocations(struct cdo *c)
{
	size_t s = 0, i = 0;
	struct piece p;

	while (next_kept_piece(c->pieces[PATCHED], &s, &i, &p)) {
		struct section *out = find_section(c->out, p.sec->name);

		if (out)
			copy_relocations(c, p.sec, p.start, p.end, out, piece_output_offset(&p));
	}
}

/* The output's place for what @r (a jump into a kept piece) pointed to. */
static bool map_piece_target(struct cdo *c, const struct section *from, const struct rela *r,
			     struct symbol **sym, int64_t *addend)
{
	struct piece p;

	if (!find_piece(c->pieces[PATCHED], from, r, &p) || !is_piece_kept(&p))
		return false;
	*sym = find_section(c->out, p.sec->name)->secsym;
	*addend = r->addend - (int64_t)p.start + (int64_t)piece_output_offset(&p);
	return true;
}

/* special.c: the section a kept entry points into (.altinstr_replacement), copied whole once. */
void clone_aux_section(struct cdo *c, const char *name)
{
	struct section *aux = find_section(c->elf[PATCHED], name);

	if (!aux || sec_clone_of(c, aux))
		return;
	include_section_on_demand(c, aux);
	struct section *out = new_output_section(c, aux, aux->name, aux->sh.sh_entsize);

	section_append(out, aux->data, aux->size, 1);
	c->sec_clone[aux->index] = out;
	if (aux->secsym)
		c->clone[aux->secsym->index] = out->secsym;
	copy_relocations(c, aux, 0, aux->size, out, 0);
}

static void clone_definitions(struct cdo *c)
{
	struct symbol *p;
	struct section *sec;

	for_each_symbol(c->elf[PATCHED], p)
		if (p->type == STT_FILE) {
			symbol_new(c->out, p->name, STB_LOCAL, STT_FILE, NULL, 0, 0)->shndx = SHN_ABS;
			break;
		}
	for_each_section(c->elf[PATCHED], sec)
		if (is_section_included(c, sec))
			clone_whole_section(c, sec);
	for_each_symbol(c->elf[PATCHED], p)
		if (is_included(c, p) && !clone_of(c, p))
			clone_symbol_range(c, p);
	clone_pieces(c);
}

/* The output symbol and addend for what @r pointed to in the patched object. */
void map_relocation_target(struct cdo *c, const struct section *from, const struct rela *r,
			   struct symbol **sym, int64_t *addend)
{
	struct symbol *t;

	if (clone_of(c, r->sym)) {
		*sym = clone_of(c, r->sym);
		*addend = r->addend;
		return;
	}
	if (map_piece_target(c, from, r, sym, addend))
		return;
	t = resolve_reloc(from, r, addend);
	if (clone_of(c, t) || clone_on_demand(c, t)) {
		*sym = clone_of(c, t);
		return;
	}
	if (is_section_sym(t)) {
		unsupported(c, "reference to %s+0x%lx: no symbol there to refer to",
			    t->sec ? t->sec->name : "?", (unsigned long)r->addend);
		*sym = undefined_symbol_placeholder(c);
		return;
	}
	*sym = external_symbol(c, t);
}

void copy_relocations(struct cdo *c, const struct section *src, uint64_t start,
		      uint64_t end, struct section *dst, uint64_t dst_start)
{
	const struct section *rs = src->rela;
	struct section *out_rs;

	if (!rs)
		return;
	out_rs = dst->rela ? dst->rela : rela_section_new(c->out, dst);
	for (struct rela *r = find_rela_from(src, start);
	     r && r < rs->relas + rs->nr_relas && r->offset < end; r++) {
		struct symbol *sym;
		int64_t addend;

		map_relocation_target(c, src, r, &sym, &addend);
		rela_add(out_rs, r->offset - start + dst_start, r->type, sym, addend);
	}
}

static void copy_all_relocations(struct cdo *c)
{
	struct section *sec;
	struct symbol *p;

	for_each_section(c->elf[PATCHED], sec)
		if (sec_clone_of(c, sec))
			copy_relocations(c, sec, 0, sec->size, sec_clone_of(c, sec), 0);
	for_each_symbol(c->elf[PATCHED], p) {
		struct symbol *s = clone_of(c, p);

		if (!is_included(c, p) || sec_clone_of(c, p->sec))
			continue;
		copy_relocations(c, p->sec, p->value, p->value + p->size, s->sec, s->value);
	}
	copy_piece_relocations(c);
}

enum kpb_status create_output(struct cdo *c)
{
	c->out = elf_new(c->args.output);
	c->out->osabi = c->elf[PATCHED]->osabi;
	c->clone = xcalloc(c->elf[PATCHED]->nr_symbols, sizeof(struct symbol *));
	c->sec_clone = xcalloc(c->elf[PATCHED]->nr_sections, sizeof(struct section *));
	clone_definitions(c);
	copy_all_relocations(c);
	return c->status;
}

/* The last phase: OUTPUT.o written whole, or not at all (lib's elf_save). */
enum kpb_status write_output(struct cdo *c)
{
	char err[ELF_ERRLEN];

	if (!elf_save(c->out, c->args.output, err, sizeof(err)))
		return fail(c, KPB_ERROR, "%s", err);
	return KPB_OK;
}
