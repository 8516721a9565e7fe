// SPDX-License-Identifier: GPL-2.0
/* Building the model and looking things up in it. */
#include "elfobj.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct elf_obj *elf_new(const char *path)
{
	struct elf_obj *elf = xcalloc(1, sizeof(*elf));

	elf->path = xstrdup(path);
	elf->osabi = ELFOSABI_NONE;
	htable_init(&elf->sec_names, 64);
	htable_init(&elf->sym_names, 256);
	elf->cap_sections = 64;
	elf->sections = xcalloc(elf->cap_sections, sizeof(*elf->sections));
	elf->nr_sections = 1;
	elf->cap_symbols = 256;
	elf->symbols = xcalloc(elf->cap_symbols, sizeof(*elf->symbols));
	elf->symbols[0] = xcalloc(1, sizeof(struct symbol));
	elf->symbols[0]->name = xstrdup("");
	elf->nr_symbols = 1;
	return elf;
}

struct section *section_new(struct elf_obj *elf, const char *name, uint32_t type,
			    uint64_t flags, uint64_t entsize, uint64_t align)
{
	struct section *sec = xcalloc(1, sizeof(*sec));

	sec->elf = elf;
	sec->name = xstrdup(name);
	sec->sh.sh_type = type;
	sec->sh.sh_flags = flags;
	sec->sh.sh_entsize = entsize;
	sec->sh.sh_addralign = align ? align : 1;
	if (elf->nr_sections == elf->cap_sections) {
		elf->cap_sections *= 2;
		elf->sections = xrealloc(elf->sections, elf->cap_sections * sizeof(*elf->sections));
	}
	sec->index = elf->nr_sections;
	elf->sections[elf->nr_sections++] = sec;
	htable_add(&elf->sec_names, &sec->name_node, hash_str(sec->name));
	return sec;
}

uint64_t section_append(struct section *sec, const void *data, uint64_t size,
			uint64_t align)
{
	uint64_t off = sec->size;

	if (align > 1)
		off = (off + align - 1) & ~(align - 1);
	if (align > sec->sh.sh_addralign)
		sec->sh.sh_addralign = align;
	if (sec->sh.sh_type != SHT_NOBITS) {
		sec->data = xrealloc(sec->data, off + size);
		memset(sec->data + sec->size, 0, off - sec->size);
		if (data)
			memcpy(sec->data + off, data, size);
		else
			memset(sec->data + off, 0, size);
	}
	sec->size = off + size;
	return off;
}

struct section *rela_section_new(struct elf_obj *elf, struct section *base)
{
	char *name = xasprintf(".rela%s", base->name);
	struct section *sec = section_new(elf, name, SHT_RELA, SHF_INFO_LINK,
					  sizeof(Elf64_Rela), 8);

	free(name);
	sec->base = base;
	base->rela = sec;
	return sec;
}

struct symbol *symbol_new(struct elf_obj *elf, const char *name, unsigned char bind,
			  unsigned char type, struct section *sec, uint64_t value,
			  uint64_t size)
{
	struct symbol *sym = xcalloc(1, sizeof(*sym));

	sym->name = xstrdup(name);
	sym->bind = bind;
	sym->type = type;
	sym->sec = sec;
	sym->value = value;
	sym->size = size;
	if (type == STT_SECTION && sec && !sec->secsym)
		sec->secsym = sym;
	if (elf->nr_symbols == elf->cap_symbols) {
		elf->cap_symbols *= 2;
		elf->symbols = xrealloc(elf->symbols, elf->cap_symbols * sizeof(*elf->symbols));
	}
	sym->index = elf->nr_symbols;
	elf->symbols[elf->nr_symbols++] = sym;
	htable_add(&elf->sym_names, &sym->name_node, hash_str(sym->name));
	return sym;
}

void rela_add(struct section *relasec, uint64_t offset, uint32_t type,
	      struct symbol *sym, int64_t addend)
{
	if (relasec->nr_relas == relasec->cap_relas) {
		relasec->cap_relas = relasec->cap_relas ? relasec->cap_relas * 2 : 16;
		relasec->relas = xrealloc(relasec->relas,
					  relasec->cap_relas * sizeof(*relasec->relas));
	}
	relasec->relas[relasec->nr_relas++] = (struct rela){
		.offset = offset, .type = type, .addend = addend, .sym = sym,
	};
}

void elf_compact_sections(struct elf_obj *elf)
{
	size_t n = 1;

	for (size_t i = 1; i < elf->nr_sections; i++) {
		struct section *sec = elf->sections[i];

		if (!sec)
			continue;
		sec->index = n;
		elf->sections[n++] = sec;
	}
	elf->nr_sections = n;
}

struct section *find_section(const struct elf_obj *elf, const char *name)
{
	uint64_t h = hash_str(name);
	struct section *sec;

	htable_for_each_match(&elf->sec_names, sec, struct section, name_node, h)
		if (!strcmp(sec->name, name))
			return sec;
	return NULL;
}

struct symbol *find_symbol(const struct elf_obj *elf, const char *name)
{
	uint64_t h = hash_str(name);
	struct symbol *sym;

	htable_for_each_match(&elf->sym_names, sym, struct symbol, name_node, h)
		if (!strcmp(sym->name, name))
			return sym;
	return NULL;
}

static int cmp_sym_value(const void *a, const void *b)
{
	const struct symbol *x = *(struct symbol *const *)a;
	const struct symbol *y = *(struct symbol *const *)b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	/* Sized symbols before zero-sized aliases at the same address. */
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->index < y->index ? -1 : (x->index > y->index);
}

static bool is_indexed_symbol(const struct symbol *sym)
{
	return sym->sec && (sym->type == STT_FUNC || sym->type == STT_OBJECT ||
			    sym->type == STT_NOTYPE);
}

/* Fill each section's by-offset symbol array: one pass to count, one to fill. */
void section_index_symbols(struct elf_obj *elf)
{
	struct section *sec;
	struct symbol *sym;
	size_t *fill = xcalloc(elf->nr_sections, sizeof(*fill));

	for_each_section(elf, sec) {
		free(sec->syms);
		sec->syms = NULL;
		sec->nr_syms = 0;
	}
	for_each_symbol(elf, sym)
		if (is_indexed_symbol(sym))
			sym->sec->nr_syms++;
	for_each_section(elf, sec)
		sec->syms = xcalloc(sec->nr_syms, sizeof(*sec->syms));
	for_each_symbol(elf, sym)
		if (is_indexed_symbol(sym))
			sym->sec->syms[fill[sym->sec->index]++] = sym;
	for_each_section(elf, sec)
		qsort(sec->syms, sec->nr_syms, sizeof(*sec->syms), cmp_sym_value);
	free(fill);
}

/* Index of the last symbol whose value is <= @offset, or -1. */
static long last_sym_at_or_before(const struct section *sec, uint64_t offset)
{
	long lo = 0, hi = (long)sec->nr_syms - 1, best = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (sec->syms[mid]->value <= offset) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return best;
}

struct symbol *find_symbol_containing(const struct section *sec, uint64_t offset)
{
	/* Skip labels (NOTYPE) back to the nearest function or object. */
	for (long i = last_sym_at_or_before(sec, offset); i >= 0; i--) {
		struct symbol *sym = sec->syms[i];

		if (sym->type != STT_FUNC && sym->type != STT_OBJECT)
			continue;
		if (offset < sym->value + (sym->size ? sym->size : 1))
			return sym;
		return NULL;
	}
	return NULL;
}

static bool is_func_or_object(const struct symbol *sym)
{
	return sym->type == STT_FUNC || sym->type == STT_OBJECT;
}

struct symbol *find_symbol_ending_at(const struct section *sec, uint64_t offset)
{
	long i = last_sym_at_or_before(sec, offset);

	/* Symbols starting at @offset hold it (a zero size counts as one byte). */
	for (; i >= 0 && sec->syms[i]->value == offset; i--)
		if (is_func_or_object(sec->syms[i]))
			return NULL;
	for (; i >= 0; i--) {
		struct symbol *sym = sec->syms[i];

		if (!is_func_or_object(sym))
			continue;
		return sym->size && sym->value + sym->size == offset ? sym : NULL;
	}
	return NULL;
}

struct symbol *find_symbol_after(const struct section *sec, uint64_t offset)
{
	size_t i = offset ? (size_t)(last_sym_at_or_before(sec, offset - 1) + 1) : 0;

	for (; i < sec->nr_syms; i++)
		if (is_func_or_object(sec->syms[i]))
			return sec->syms[i];
	return NULL;
}

struct symbol *find_symbol_at(const struct section *sec, uint64_t offset)
{
	long i = last_sym_at_or_before(sec, offset);

	for (; i >= 0 && sec->syms[i]->value == offset; i--) {
		struct symbol *sym = sec->syms[i];

		if (sym->type == STT_FUNC || sym->type == STT_OBJECT)
			return sym;
	}
	return NULL;
}

struct symbol *find_symbol_named_at(const struct section *sec, const char *name,
				    uint64_t offset)
{
	for (long i = last_sym_at_or_before(sec, offset);
	     i >= 0 && sec->syms[i]->value == offset; i--)
		if (!strcmp(sec->syms[i]->name, name))
			return sec->syms[i];
	return NULL;
}

static int cmp_rela_offset(const void *a, const void *b)
{
	const struct rela *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x < y ? -1 : (x > y);
}

void section_sort_relas(struct section *relasec)
{
	/* Stable enough: equal offsets are rare and keep no meaning in x86_64 objects. */
	qsort(relasec->relas, relasec->nr_relas, sizeof(struct rela), cmp_rela_offset);
}

struct rela *find_rela_from(const struct section *sec, uint64_t offset)
{
	const struct section *rs = sec->rela;
	size_t lo = 0, hi;

	if (!rs)
		return NULL;
	hi = rs->nr_relas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rs->relas[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rs->nr_relas ? &rs->relas[lo] : NULL;
}

struct rela *find_rela_at(const struct section *sec, uint64_t offset)
{
	struct rela *r = find_rela_from(sec, offset);

	return r && r->offset == offset ? r : NULL;
}
