/* SPDX-License-Identifier: GPL-2.0 */
/*
 * create-diff-object: the state handed from one phase to the next.
 *
 * Each phase owns one sub-struct and fills it; later phases only read it.
 * Per-symbol data is kept in arrays indexed by symbol->index of the object
 * it describes, never in struct symbol itself.
 */
#ifndef CDO_H
#define CDO_H

#include <stdbool.h>
#include <stddef.h>

#include "elfobj.h"
#include "kinds.h"
#include "log.h"
#include "symtab.h"
#include "symvers.h"

enum side { ORIG = 0, PATCHED = 1 };

struct cdo_args {
	const char *path[2];		/* ORIG.o, PATCHED.o */
	const char *parent;		/* "vmlinux" or the module name */
	const char *symtab_path;
	const char *symvers_path;
	const char *patch_name;
	const char *output;
	const char *line_map_path;	/* --line-map, or NULL */
	const char *untraced_in_path;	/* --untraced-in, or NULL */
	const char *untraced_out_path;	/* --untraced-out, or NULL */
};

/* correlate.c: which symbol/section of the other object is this one. */
struct correlation {
	struct symbol **sym_twin[2];	/* [side][sym index] -> other side's symbol */
	struct section **sec_twin[2];	/* [side][sec index] -> other side's section */
};

enum change {
	SAME,
	CHANGED,
	NEW,
};

/* compare.c: what the patch did to each symbol of the patched object. */
struct comparison {
	enum change *status;		/* [patched sym index], FUNC and OBJECT only */
	size_t nr_changed, nr_new, nr_line_only;
};

/* callers.c: changed functions without __fentry__, patched through their callers. */
struct untraced {
	bool *carried;			/* [patched sym index]: copied as new, not replaced */
	size_t nr_carried;
	char **called;			/* xobj.c: --untraced-in, carried by other objects */
	size_t nr_called;
	char **globals;			/* xobj.c: global ones this output carries */
	size_t nr_globals;
};

/* markers.c: what the patch author asked for in .kpatch.* sections. */
struct markers {
	bool *ignore_func;		/* [patched sym index] */
	bool *force;			/* [patched sym index] */
	char **ignore_sections;
	size_t nr_ignore_sections;
};

/* include.c: what goes into the output. */
struct inclusion {
	bool *sym;			/* [patched sym index]: copied as a definition */
	bool *sec;			/* [patched sec index]: copied whole */
	size_t nr_funcs;
};

/* The parent object as the kernel knows it (klp.c). */
struct parent {
	struct ksymtab *symtab;
	struct symvers *symvers;
	const struct ksym_file *file;	/* the STT_FILE block of this object */
	const struct ksym_file **unit_file;	/* [orig sym index]: block of its unit */
	bool is_module;
	char *objname;			/* normalised: '-' -> '_' */
	const char **namespaces;	/* of the exports the output imports */
	size_t nr_namespaces;
};

struct cdo {
	struct cdo_args args;
	struct elf_obj *elf[2];
	struct correlation corr;
	struct comparison cmp;
	struct markers marks;
	struct untraced untraced;
	struct inclusion inc;
	struct parent parent;
	struct elf_obj *out;
	struct pieces *pieces[2];	/* pieces.c: .altinstr_aux cut at its entries */
	struct symbol **unit[2];	/* units.c: [side][sym index] -> its STT_FILE */
	struct symbol **clone;		/* [patched sym index] -> output symbol */
	struct section **sec_clone;	/* [patched sec index] -> output section */
	struct line_map *line_map;	/* linemap.c: how the patch moved lines, or NULL */
	size_t nr_unsupported;
};

/* Phases, in the order main() runs them. */
void read_line_map(struct cdo *c);
void read_objects(struct cdo *c);
void read_parent(struct cdo *c);
void correlate_objects(struct cdo *c);
void read_markers(struct cdo *c);
void compare_objects(struct cdo *c);
void read_untraced_list(struct cdo *c);
void patch_untraced_through_callers(struct cdo *c);
void check_unsupported_changes(struct cdo *c);
void include_changed_functions(struct cdo *c);
void create_output(struct cdo *c);
void rebuild_special_sections(struct cdo *c);
void write_func_table(struct cdo *c);
void write_untraced_list(struct cdo *c);
void free_cdo(struct cdo *c);

/* Shared helpers. */
/* "foo.isra.3" -> "foo.isra.#": what survives GCC renumbering. */
char *canonical_name(const char *name);
bool has_numbered_suffix(const char *name);
/* The function a ".cold" part belongs to, or NULL. */
struct symbol *cold_parent(const struct elf_obj *elf, const struct symbol *sym);
bool is_cold_part(const struct symbol *sym);
/* Bytes between a PC-relative field in code and the end of its instruction. */
int64_t pcrel_bias(const struct section *from, uint32_t type);
/* R_X86_64_PLT32 and R_X86_64_PC32 are the same displacement in the kernel. */
uint32_t plain_reloc_type(uint32_t type);
/*
 * What relocation @r of section @from points to: a section-symbol reference
 * resolved to the symbol it lands in (else the section symbol itself), and
 * the addend relative to that symbol.
 */
struct symbol *resolve_reloc(const struct section *from, const struct rela *r,
			     int64_t *sym_addend);
bool is_prefix_symbol(const struct symbol *sym);
/* __func__.N and friends: compared by text, copied into the output. */
bool is_function_name_constant(const struct symbol *sym);
struct symbol *primary_alias(const struct symbol *sym);
/* markers.c: what the patch author marked. */
bool is_ignored_section(const struct cdo *c, const struct section *sec);
bool is_ignored_function(const struct cdo *c, const struct symbol *p);
bool is_forced(const struct cdo *c, const struct symbol *p);
/* Report a change that cannot be livepatched; main exits 2 after the phase. */
void unsupported(struct cdo *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Name and object of the parent symbol @sym (a patched-object symbol) refers to. */
struct symbol *external_symbol(struct cdo *c, struct symbol *psym);
unsigned long parent_sympos(struct cdo *c, const struct symbol *osym);
/* Does @func call __fentry__ at its entry (is it ftrace-able)? */
bool is_fentry_traced(const struct symbol *func);
void map_relocation_target(struct cdo *c, const struct section *from, const struct rela *r,
			   struct symbol **sym, int64_t *addend);
/* output.c: copy an object a kept special-section entry points at, once. */
void clone_pointee(struct cdo *c, struct symbol *t);
void copy_relocations(struct cdo *c, const struct section *src, uint64_t start,
		      uint64_t end, struct section *dst, uint64_t dst_start);
/* Stands in for a target already reported as unsupported. */
struct symbol *undefined_symbol_placeholder(struct cdo *c);
/* Do two relocations (of sections @of and @pf) point to the same thing? */
bool same_target(const struct cdo *c, const struct section *of, const struct rela *o,
		 const struct section *pf, const struct rela *p);
/* callsite.c: per-call-site descriptors (struct _ddebug in __dyndbg). */
bool same_callsite_descriptor(const struct cdo *c, const struct symbol *o,
			      const struct symbol *p);
struct section *callsite_output_section(struct cdo *c, const struct symbol *p);
/* Two relocations into such sections: the same data, lines aside? */
bool same_callsite_data(const struct cdo *c, const struct rela *o, const struct rela *p);
/* units.c: the STT_FILE blocks of an object (several after ld -r). */
struct symbol **find_units(const struct elf_obj *elf);
size_t count_units(const struct elf_obj *elf);
bool same_unit(const struct cdo *c, const struct symbol *o, const struct symbol *p);
/* pieces.c: symbol-less code that functions jump into (.altinstr_aux). */
struct pieces;
struct pieces *index_pieces(const struct elf_obj *elf);
void free_pieces(struct pieces *ps);
bool same_piece(const struct cdo *c, const struct section *of, const struct rela *o,
		const struct section *pf, const struct rela *p);
bool keep_piece(struct cdo *c, const struct section *from, const struct rela *r,
		const struct section **sec, uint64_t *start, uint64_t *end);
void clone_pieces(struct cdo *c);
void copy_piece_relocations(struct cdo *c);
bool map_piece_target(struct cdo *c, const struct section *from, const struct rela *r,
		      struct symbol **sym, int64_t *addend);
/* linemap.c: is @new where the patch moved original source line @old? */
struct line_map;
bool line_moved(const struct line_map *m, uint32_t old, uint32_t new);
void free_line_map(struct line_map *m);
/*
 * lines.c: do @o and @p differ only in a __LINE__ passed to a helper, or to
 * a printer where @map (may be NULL) says the line moved?
 */
bool only_line_numbers_differ(const struct symbol *o, const struct symbol *p,
			      const struct line_map *map);
/* compare.c: a function and its .cold part are replaced together. */
void bundle_cold_parts(struct cdo *c);
/* callers.c: a changed function without __fentry__, copied rather than replaced. */
bool is_carried_function(const struct cdo *c, const struct symbol *p);
/* xobj.c: global untraced functions carried under a module-internal name. */
bool is_listed_untraced(const struct cdo *c, const char *name);
char *carried_global_name(const char *name);
bool may_carry_globals(const struct cdo *c);
void note_carried_global(struct cdo *c, const struct symbol *o);
void free_untraced_lists(struct cdo *c);
/* special.c: functions whose special-section entries changed become CHANGED. */
void mark_special_changes(struct cdo *c);
bool same_section_contents(const struct cdo *c, const struct section *o,
			   const struct section *p);

#endif
