/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The object model: sections, symbols and relocations of one ELF64 x86_64
 * relocatable object, read whole into memory (elf_read) or built up for
 * output (elf_new) and written back (elf_write); or, only to look at, a
 * linked image (elf_read_image: vmlinux, its contents left mapped).
 *
 * Lookups are hashed (by name) or binary searched (symbol by offset within a
 * section, relocation by offset).  Tool-specific state does not live here:
 * phases keep their own arrays indexed by section->index / symbol->index.
 */
#ifndef KPB_ELFOBJ_H
#define KPB_ELFOBJ_H

#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

#include "hash.h"
#include "x86.h"

#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH	0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH		0xff20
#endif

struct elf_obj;
struct symbol;

struct rela {
	uint64_t offset;
	uint32_t type;
	int64_t addend;
	struct symbol *sym;
};

struct section {
	struct hnode name_node;
	struct elf_obj *elf;
	char *name;
	GElf_Shdr sh;		/* sh_name/sh_link/sh_info/sh_offset recomputed on write */
	size_t index;
	unsigned char *data;	/* owned; NULL for SHT_NOBITS */
	size_t size;
	struct section *link;	/* what sh_link names (not for RELA/SYMTAB) */
	struct section *base;	/* SHT_RELA: the section it relocates */
	struct section *rela;	/* the SHT_RELA section relocating this one */
	struct symbol *secsym;	/* its STT_SECTION symbol, if any */
	struct symbol **syms;	/* symbols defined here, sorted by value */
	size_t nr_syms;
	struct rela *relas;	/* SHT_RELA: sorted by offset once read */
	size_t nr_relas, cap_relas;
};

struct symbol {
	struct hnode name_node;
	char *name;
	size_t index;
	struct section *sec;	/* NULL: undefined, absolute, common, livepatch */
	uint16_t shndx;		/* raw index when sec == NULL */
	unsigned char type, bind, other;
	uint64_t value, size;
};

struct elf_obj {
	char *path;
	uint8_t osabi;
	/*
	 * A linked image (ET_EXEC/ET_DYN): symbol values are addresses, section
	 * contents and names point into the mapped file (not owned), the
	 * symbols are one block, no relocations are read.
	 */
	bool linked;
	Elf *map;
	int map_fd;
	struct symbol *sym_block;
	struct section **sections;	/* by index; [0] is the null section */
	size_t nr_sections, cap_sections;
	struct symbol **symbols;	/* by index; [0] is the null symbol */
	size_t nr_symbols, cap_symbols;
	struct section *symtab;
	struct htable sec_names, sym_names;
};

/*
 * Reading: validates everything it keeps.  elf_load() returns NULL on bad
 * input, the message (naming the file, section or symbol) in @err;
 * @allow_linked: a linked image too, as elf_read_image().  elf_read() and
 * elf_read_image() die with that message, status 1.
 */
#define ELF_ERRLEN 4096
struct elf_obj *elf_load(const char *path, bool allow_linked, char *err, size_t errlen);
struct elf_obj *elf_read(const char *path);
/* A relocatable object as elf_read() reads it, or a linked image (elf->linked). */
struct elf_obj *elf_read_image(const char *path);
void elf_free(struct elf_obj *elf);

/* Building and writing. */
struct elf_obj *elf_new(const char *path);
struct section *section_new(struct elf_obj *elf, const char *name, uint32_t type,
			    uint64_t flags, uint64_t entsize, uint64_t align);
/* Append @size bytes (zeroes if @data is NULL); returns their offset. */
uint64_t section_append(struct section *sec, const void *data, uint64_t size,
			uint64_t align);
struct section *rela_section_new(struct elf_obj *elf, struct section *base);
struct symbol *symbol_new(struct elf_obj *elf, const char *name, unsigned char bind,
			  unsigned char type, struct section *sec, uint64_t value,
			  uint64_t size);
void rela_add(struct section *relasec, uint64_t offset, uint32_t type,
	      struct symbol *sym, int64_t addend);
/*
 * Written to a temporary and renamed to @path; false on failure, the
 * message in @err and no file left.  elf_write() dies with it, status 1.
 */
bool elf_save(struct elf_obj *elf, const char *path, char *err, size_t errlen);
void elf_write(struct elf_obj *elf, const char *path);
/* Drop sections whose pointer in elf->sections was set to NULL; reindex. */
void elf_compact_sections(struct elf_obj *elf);

/* Lookups. */
struct section *find_section(const struct elf_obj *elf, const char *name);
struct symbol *find_symbol(const struct elf_obj *elf, const char *name);
/* The FUNC/OBJECT symbol of @sec whose [value, value+size) holds @offset. */
struct symbol *find_symbol_containing(const struct section *sec, uint64_t offset);
/* The FUNC/OBJECT symbol of @sec that ends exactly at @offset, holding none of it. */
struct symbol *find_symbol_ending_at(const struct section *sec, uint64_t offset);
/* The first FUNC/OBJECT symbol of @sec that starts at or after @offset. */
struct symbol *find_symbol_after(const struct section *sec, uint64_t offset);
/* The function or object symbol that starts at @offset (not a section symbol). */
struct symbol *find_symbol_at(const struct section *sec, uint64_t offset);
/* A symbol NAME of @sec (function, object or label) at @offset, or NULL. */
struct symbol *find_symbol_named_at(const struct section *sec, const char *name,
				    uint64_t offset);
/* First relocation of @sec (a relocated section) at or after @offset. */
struct rela *find_rela_from(const struct section *sec, uint64_t offset);
struct rela *find_rela_at(const struct section *sec, uint64_t offset);
void section_sort_relas(struct section *relasec);
void section_index_symbols(struct elf_obj *elf);

/* rela_width(), rela_is_pcrel(): the relocation types' facts are lib/x86.h's. */

static inline bool is_rela_section(const struct section *sec)
{
	return sec->sh.sh_type == SHT_RELA;
}

static inline bool is_text_section(const struct section *sec)
{
	return sec->sh.sh_type == SHT_PROGBITS && (sec->sh.sh_flags & SHF_EXECINSTR);
}

static inline bool is_func(const struct symbol *sym)
{
	return sym->type == STT_FUNC;
}

static inline bool is_section_sym(const struct symbol *sym)
{
	return sym->type == STT_SECTION;
}

static inline bool is_undefined(const struct symbol *sym)
{
	return !sym->sec && sym->shndx == SHN_UNDEF;
}

#define ELFOBJ_CAT2(a, b) a##b
#define ELFOBJ_CAT(a, b) ELFOBJ_CAT2(a, b)
#define ELFOBJ_IT ELFOBJ_CAT(_it_, __LINE__)

/* Iterators skip the null entry [0] and slots set to NULL. */
#define for_each_section(elf, sec)						\
	for (size_t ELFOBJ_IT = 1; ELFOBJ_IT < (elf)->nr_sections; ELFOBJ_IT++)	\
		if (((sec) = (elf)->sections[ELFOBJ_IT]) != NULL)

#define for_each_symbol(elf, sym)						\
	for (size_t ELFOBJ_IT = 1; ELFOBJ_IT < (elf)->nr_symbols; ELFOBJ_IT++)	\
		if (((sym) = (elf)->symbols[ELFOBJ_IT]) != NULL)

#define for_each_rela(relasec, r)						\
	for ((r) = (relasec)->relas; (r) < (relasec)->relas + (relasec)->nr_relas; (r)++)

#endif
