/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parent object's symbol table, as the livepatch core will see it.
 *
 * A livepatch refers to a symbol it does not export as
 * ".klp.sym.<obj>.<name>,<sympos>".  The kernel resolves that in
 * kernel/livepatch/core.c (klp_find_object_symbol/klp_match_callback) by
 * walking kallsyms for <obj> and counting entries named <name>: sympos 0
 * means "the name must be unique", sympos N picks the N-th match.  This
 * module loads the parent (vmlinux or a .ko) and precomputes that number
 * for every symbol, and finds which STT_FILE block of the parent a given
 * translation unit's locals live in.
 *
 * Input is either the ELF file itself or the text of `readelf -s --wide`.
 * Every lookup is O(1) (hash) or O(log n) (sorted array).
 */
#ifndef KPB_SYMTAB_H
#define KPB_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ksym_type {
	KSYM_NOTYPE,
	KSYM_OBJECT,
	KSYM_FUNC,
	KSYM_SECTION,
	KSYM_FILE,
	KSYM_TLS,
	KSYM_TYPE_OTHER,	/* COMMON, IFUNC, processor specific */
};

enum ksym_bind {
	KSYM_LOCAL,
	KSYM_GLOBAL,
	KSYM_WEAK,
	KSYM_BIND_OTHER,	/* GNU_UNIQUE, processor specific */
};

/* Where st_shndx points. */
enum ksym_place {
	KSYM_UNDEF,
	KSYM_ABS,
	KSYM_COMMON,
	KSYM_IN_SECTION,
};

/* How kallsyms enumerates the object, which decides the sympos. */
enum ksym_order {
	KSYM_ORDER_AUTO,	/* from e_type; for text, see ksymtab_load() */
	KSYM_ORDER_ADDRESS,	/* vmlinux: scripts/kallsyms sorts by address */
	KSYM_ORDER_SYMTAB,	/* module: its ELF .symtab order */
};

/* One STT_FILE symbol and the local symbols that follow it. */
struct ksym_file {
	const char *name;	/* as in the symtab, e.g. "fork.c" */
	uint32_t id;		/* 0..ksymtab_nr_files()-1 */
	uint32_t index;		/* symtab index of the STT_FILE symbol */
	uint32_t first, end;	/* its locals are symtab indices [first, end) */
};

struct ksym {
	const char *name;
	uint64_t value;		/* address (vmlinux) or section offset (.ko) */
	uint64_t size;
	enum ksym_type type;
	enum ksym_bind bind;
	enum ksym_place place;
	uint32_t shndx;		/* meaningful for KSYM_IN_SECTION only */
	uint32_t index;		/* position in .symtab */
	const struct ksym_file *file;	/* NULL for globals, pre-FILE locals */
	unsigned long sympos;	/* 0 if unique in kallsyms, else 1-based */
};

struct ksymtab;

/*
 * Load PATH, an ELF vmlinux (ET_EXEC/ET_DYN) or module (ET_REL), or the
 * output of `readelf -s --wide` on one.  Text does not carry e_type, so
 * ksymtab_load() guesses: a module always imports something (an undefined
 * non-weak global), a fully linked vmlinux never does.  Use
 * ksymtab_load_as() to say it outright.  On failure return NULL and put a
 * message naming PATH in ERR.
 */
struct ksymtab *ksymtab_load(const char *path, char *err, size_t errlen);
struct ksymtab *ksymtab_load_as(const char *path, enum ksym_order order,
				char *err, size_t errlen);
void ksymtab_free(struct ksymtab *t);

enum ksym_order ksymtab_order(const struct ksymtab *t);
const char *ksymtab_path(const struct ksymtab *t);
size_t ksymtab_nr_syms(const struct ksymtab *t);
const struct ksym *ksymtab_sym(const struct ksymtab *t, size_t index);
size_t ksymtab_nr_files(const struct ksymtab *t);
const struct ksym_file *ksymtab_file(const struct ksymtab *t, size_t id);

/* The GLOBAL/WEAK symbol NAME, defined or undefined; NULL if none. */
const struct ksym *ksymtab_find_global(const struct ksymtab *t,
				       const char *name);

/* The local NAME of block FILE (NULL: locals before any STT_FILE). */
const struct ksym *ksymtab_find_local(const struct ksymtab *t,
				      const struct ksym_file *file,
				      const char *name);

/* How many kallsyms entries are named NAME (what sympos counts). */
size_t ksymtab_count_name(const struct ksymtab *t, const char *name);

/* The entry the kernel resolves NAME,SYMPOS to, or NULL (as it would). */
const struct ksym *ksymtab_resolve(const struct ksymtab *t, const char *name,
				   unsigned long sympos);

/*
 * Find the STT_FILE block of translation unit SOURCE (compared by
 * basename, so "kernel/fork.c" finds "fork.c") whose locals best match
 * LOCALS, the local FUNC/OBJECT names the original .o defines.  Names the
 * final link may legitimately lack (ksym_is_unstable_local()) are skipped.
 * Prefers the block missing fewest of LOCALS, then the one with fewest
 * FUNC/OBJECT locals not in LOCALS.  A tie, or no block of that name,
 * returns NULL with the candidates listed in ERR.
 */
const struct ksym_file *ksymtab_find_file(const struct ksymtab *t,
					  const char *source,
					  const char *const *locals,
					  size_t nr_locals,
					  char *err, size_t errlen);

/*
 * True for local names a .o and its final link need not share: compiler
 * generated ones (anything with a '.': ".L" labels, "foo.cold",
 * "foo.isra.0", "__func__.3", "__already_done.12") and ones the kernel's
 * linker script discards (__UNIQUE_ID_*, __ksymtab_*, __kstrtab*_, __crc_*).
 */
bool ksym_is_unstable_local(const char *name);

#endif
