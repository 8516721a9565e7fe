/* SPDX-License-Identifier: GPL-2.0 */
/*
 * create-diff-object: the state handed from one phase to the next, and the
 * functions each layer offers the ones above it.
 *
 * Glossary (one name per concept, in code and comments):
 *   twin      the symbol or section of the other object that is this one
 *             (correlate.c); never where it goes in the output.
 *   clone     a symbol's or section's copy in the output (output.c).
 *   unit      one translation unit of an object: the symbols that follow
 *             its STT_FILE symbol (several after "ld -r"; units.c), and the
 *             same run of symbols in the parent's symbol table.
 *   kind      what a section is: its row of kinds.c's table.
 *   entry     one fixed-size element of a special section (__jump_table).
 *   piece     a part of a symbol-less code section (.altinstr_aux) that
 *             functions jump into, cut at those jumps (pieces.c).
 *   untraced  a function without a __fentry__ call, which ftrace cannot
 *             redirect: a changed one is patched through its callers
 *             (untraced.c), across objects through the --untraced-in and
 *             --untraced-out lists (untraced_list.c).
 *   carried   an untraced function the output copies as a new function
 *             instead of replacing it.
 *   changed   a symbol compare.c (or untraced.c, through mark_changed())
 *             found different; included: one the output defines.
 *
 * Layers, each calling only the ones below it (no two files need each
 * other; README "Layout"):
 *   0  facts    names.c relocs.c kinds.c layout.c pieces.c units.c lines.c
 *               linemap.c report.c, and the accessors below
 *   1  same.c   are these the same (same_target() and its recursion)
 *   2  phases   read.c correlate.c markers.c compare.c untraced.c
 *               untraced_list.c check.c include.c klp.c
 *   3  emission output.c special.c funcs.c, then phases.c lists the phases
 *               (each returns a status) and main.c runs them
 *
 * Each phase owns one sub-struct and writes it through its own functions
 * (mark_changed(), include_on_demand(), ...); the others read it through
 * the accessors below.  Per-symbol data is kept in arrays indexed by
 * symbol->index of the object it describes, never in struct symbol.
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
	bool counted;			/* nr_changed is kept current from now on */
};

/* untraced.c: changed functions without __fentry__, patched through their callers. */
struct untraced {
	bool *carried;			/* [patched sym index]: copied as new, not replaced */
	size_t nr_carried;
	char **called;			/* untraced_list.c: --untraced-in, carried by other outputs */
	size_t nr_called;
	char **globals;			/* untraced_list.c: global ones this output carries */
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
	const struct ksym_file *unit;	/* this object's unit in the parent */
	const struct ksym_file **unit_of;	/* [orig sym index]: its unit's, after ld -r */
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
	size_t nr_unsupported;		/* report.c: refusals so far */
	enum kpb_status status;		/* report.c: the first failure's, else KPB_OK */
};

/*
 * Phases, in the order run_phases() runs them.  Each returns KPB_OK, or
 * the status of the error that stops the run, already reported by fail()
 * (KPB_ERROR: a bad input; KPB_UNSUPPORTED, write_func_table's refusals).
 * A change that cannot be livepatched is counted by unsupported() and the
 * phase goes on; run_phases() stops after it (stop_if_unsupported).
 * Whatever a phase returns, its state is NULL or complete: free_cdo()
 * frees it.
 */
enum kpb_status read_line_map(struct cdo *c);
enum kpb_status read_objects(struct cdo *c);
enum kpb_status read_parent(struct cdo *c);
enum kpb_status correlate_objects(struct cdo *c);
enum kpb_status read_markers(struct cdo *c);
enum kpb_status compare_objects(struct cdo *c);
enum kpb_status read_untraced_list(struct cdo *c);
enum kpb_status patch_untraced_through_callers(struct cdo *c);
enum kpb_status check_unsupported_changes(struct cdo *c);
enum kpb_status include_changed_functions(struct cdo *c);
enum kpb_status create_output(struct cdo *c);
enum kpb_status rebuild_special_sections(struct cdo *c);
enum kpb_status write_func_table(struct cdo *c);
enum kpb_status write_untraced_list(struct cdo *c);
enum kpb_status write_output(struct cdo *c);
/*
 * phases.c: every phase in order on c->args, up to the first that fails:
 * KPB_OK with OUTPUT.o written, KPB_NO_CHANGE, or the failure's status.
 */
enum kpb_status run_phases(struct cdo *c);
void free_cdo(struct cdo *c);

/*
 * Accessors: the phases' results as the later phases read them.
 */
/* correlate.c's: @sym's twin in the other object (@s is @sym's side), or NULL. */
static inline struct symbol *sym_twin(const struct cdo *c, enum side s, const struct symbol *sym)
{
	return c->corr.sym_twin[s][sym->index];
}

static inline struct section *sec_twin(const struct cdo *c, enum side s,
				       const struct section *sec)
{
	return c->corr.sec_twin[s][sec->index];
}

/* compare.c's: what the patch did to @p (a patched-object FUNC or OBJECT). */
static inline enum change change_of(const struct cdo *c, const struct symbol *p)
{
	return c->cmp.status[p->index];
}

/* include.c's: does the output define @p, copy @sec whole? */
static inline bool is_included(const struct cdo *c, const struct symbol *p)
{
	return c->inc.sym[p->index];
}

static inline bool is_section_included(const struct cdo *c, const struct section *sec)
{
	return c->inc.sec[sec->index];
}

/* output.c's: the output's copy of patched-object @p or @sec, or NULL. */
static inline struct symbol *clone_of(const struct cdo *c, const struct symbol *p)
{
	return c->clone[p->index];
}

static inline struct section *sec_clone_of(const struct cdo *c, const struct section *sec)
{
	return c->sec_clone[sec->index];
}

/* Layer 0: names.c, what GCC does to names. */
/* "foo.isra.3" -> "foo.isra.#": what survives GCC renumbering. */
char *canonical_name(const char *name);
bool has_numbered_suffix(const char *name);
/* The function a ".cold" part belongs to, or NULL. */
struct symbol *cold_parent(const struct elf_obj *elf, const struct symbol *sym);
bool is_cold_part(const struct symbol *sym);
bool is_prefix_symbol(const struct symbol *sym);
/* __func__.N and friends: compared by text, copied into the output. */
bool is_function_name_constant(const struct symbol *sym);
struct symbol *primary_alias(const struct symbol *sym);

/* Layer 0: relocs.c, relocation facts. */
/* Bytes between a PC-relative field in code and the end of its instruction. */
int64_t pcrel_bias(const struct section *from, uint32_t type);
/* R_X86_64_PLT32 and R_X86_64_PC32 are the same displacement in the kernel. */
uint32_t plain_reloc_type(uint32_t type);
/*
 * What relocation @r of section @from points to: a section-symbol reference
 * resolved to the symbol it lands in (else the section symbol itself), and
 * the addend relative to that symbol.
 */
/* The function a special-section entry at @start describes (its first field), or NULL. */
struct symbol *entry_function(const struct section *sec, uint64_t start);
struct symbol *resolve_reloc(const struct section *from, const struct rela *r,
			     int64_t *sym_addend);
/* The function whose code @r points into, *@off bytes in; NULL if none holds it. */
struct symbol *function_containing(const struct section *from, const struct rela *r,
				   uint64_t *off);
/* The relocations of [start, end) of @sec, to *@stop; NULL/NULL if none. */
const struct rela *relas_in(const struct section *sec, uint64_t start, uint64_t end,
			    const struct rela **stop);
/* Does @func call __fentry__ at its entry (is it ftrace-able)? */
bool is_fentry_traced(const struct symbol *func);

/* Layer 0: pieces.c, symbol-less code that functions jump into (.altinstr_aux). */
struct pieces;
struct piece_section;
struct piece {
	struct piece_section *in;
	const struct section *sec;
	size_t index;
	uint64_t start, end;		/* [start, end) of sec */
};
struct pieces *index_pieces(const struct elf_obj *elf);
void free_pieces(struct pieces *ps);
bool find_piece(const struct pieces *ps, const struct section *from, const struct rela *r,
		struct piece *out);
size_t count_piece_sections(const struct pieces *ps);
size_t count_pieces(const struct pieces *ps, size_t s);
struct piece piece_at(const struct pieces *ps, size_t s, size_t i);
bool is_piece_kept(const struct piece *p);
bool mark_piece_kept(struct piece *p);		/* include.c's */
uint64_t piece_output_offset(const struct piece *p);
void set_piece_output_offset(struct piece *p, uint64_t off);	/* output.c's */

/* Layer 0: units.c, the units of an object (several after ld -r). */
struct symbol **find_units(const struct elf_obj *elf);
size_t count_units(const struct elf_obj *elf);
const char *source_file_name(const struct elf_obj *elf);
bool same_unit(const struct cdo *c, const struct symbol *o, const struct symbol *p);

/* Layer 0: linemap.c, is @new where the patch moved original source line @old? */
struct line_map;
bool line_moved(const struct line_map *m, uint32_t old, uint32_t new);
void free_line_map(struct line_map *m);
/*
 * Layer 0: lines.c, do @o and @p differ only in a __LINE__ passed to a
 * helper, or to a printer where @map (may be NULL) says the line moved?
 */
bool only_line_numbers_differ(const struct symbol *o, const struct symbol *p,
			      const struct line_map *map);
/*
 * Do the strings @o and @p differ only in "<source>:LINE" (__FILE__ ":"
 * __stringify(__LINE__)) where @map says the line moved?  @source is the
 * object's STT_FILE name.
 */
bool only_lines_differ_in_string(const char *o, size_t olen, const char *p, size_t plen,
				 const char *source, const struct line_map *map);

/*
 * Layer 0: report.c, the one place that prints refusals and errors and
 * records the status.  unsupported(): a change that cannot be livepatched,
 * counted; the phase goes on.  fail(): an error that stops the run, printed
 * as "PROG: error: ..." (KPB_UNSUPPORTED: "PROG: unsupported: ..."); returns
 * @status for the phase to return.  stop_if_unsupported(): KPB_UNSUPPORTED
 * (and its summary line) once anything was refused, else c->status.
 */
void unsupported(struct cdo *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum kpb_status fail(struct cdo *c, enum kpb_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum kpb_status stop_if_unsupported(struct cdo *c);

/* Layer 1: same.c, are these the same? */
/* Do two relocations (of sections @of and @pf) point to the same thing? */
bool same_target(const struct cdo *c, const struct section *of, const struct rela *o,
		 const struct section *pf, const struct rela *p);
bool same_symbol_relocations(const struct cdo *c, const struct symbol *o, const struct symbol *p);
bool same_callsite_descriptor(const struct cdo *c, const struct symbol *o,
			      const struct symbol *p);
/* Two relocations into call-site data sections: the same data, lines aside? */
bool same_callsite_data(const struct cdo *c, const struct rela *o, const struct rela *p);
bool same_piece(const struct cdo *c, const struct section *of, const struct rela *o,
		const struct section *pf, const struct rela *p);
/* Special-section entries at @ost and @pst: the same but their first field's target? */
bool same_entry(const struct cdo *c, const struct section_kind *k,
		const struct entry_layout *l, const struct section *os, uint64_t ost,
		const struct section *ps, uint64_t pst);
/* Whole-section comparison, for sections that hold no symbols of their own. */
bool same_section_contents(const struct cdo *c, const struct section *o,
			   const struct section *p);

/* Layer 2: what the phases offer the later ones. */
/* markers.c: what the patch author marked. */
bool is_ignored_section(const struct cdo *c, const struct section *sec);
bool is_ignored_function(const struct cdo *c, const struct symbol *p);
bool is_forced(const struct cdo *c, const struct symbol *p);
/* compare.c: a function and its .cold part are replaced together. */
void bundle_cold_parts(struct cdo *c);
/* compare.c: SAME -> CHANGED, the only way (fmt: why, for --debug=compare; may be NULL). */
void mark_changed(struct cdo *c, const struct symbol *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* untraced.c: a changed untraced function, carried rather than replaced. */
bool is_carried_function(const struct cdo *c, const struct symbol *p);
/* untraced_list.c: global untraced functions carried under a module-internal name. */
bool is_listed_untraced(const struct cdo *c, const char *name);
char *carried_global_name(const char *name);
bool may_carry_globals(const struct cdo *c);
void note_carried_global(struct cdo *c, const struct symbol *o);
void free_untraced_lists(struct cdo *c);
/* include.c: add what a kept entry or reference needs (an alias: its primary). */
bool include_on_demand(struct cdo *c, struct symbol *sym);
bool include_section_on_demand(struct cdo *c, struct section *sec);
/* klp.c: name and object of the parent symbol @psym (a patched-object symbol) refers to. */
struct symbol *external_symbol(struct cdo *c, struct symbol *psym);
unsigned long parent_sympos(struct cdo *c, const struct symbol *osym);
/* Stands in for a target already reported as unsupported. */
struct symbol *undefined_symbol_placeholder(struct cdo *c);

/* Layer 3: output.c, the emission helpers special.c builds on. */
struct section *new_output_section(struct cdo *c, const struct section *src, const char *name,
				   uint64_t entsize);
void map_relocation_target(struct cdo *c, const struct section *from, const struct rela *r,
			   struct symbol **sym, int64_t *addend);
/* The section a kept entry points into (.altinstr_replacement), copied whole once. */
void clone_aux_section(struct cdo *c, const char *name);
/* Copy an object a kept special-section entry points at, once. */
void clone_pointee(struct cdo *c, struct symbol *t);
void copy_relocations(struct cdo *c, const struct section *src, uint64_t start,
		      uint64_t end, struct section *dst, uint64_t dst_start);

#endif
