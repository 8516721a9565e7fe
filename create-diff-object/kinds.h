/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layer 0: what a section is (kinds.c).  One table, one row per kind of
 * section the phases treat apart from plain code and data, saying per kind
 * how correlate.c matches it, how compare.c and same.c compare it, when
 * include.c keeps it and how output.c or special.c emit it.  A new
 * compiler-generated section is one row here (and, when it needs one, a new
 * rule in the one phase file that applies it).
 *
 * Kinds told by flags rather than names (strings, merged constants) and the
 * __init/__exit sections are predicates below the table.
 */
#ifndef CDO_KINDS_H
#define CDO_KINDS_H

#include <stdbool.h>

#include "elfobj.h"
#include "layout.h"

/* correlate.c: how a section of this kind, or what it holds, finds its twin. */
enum match_rule {
	MATCH_BY_NAME,			/* the section and its symbols, by name */
	MATCH_SYMBOLS_BY_CONTENTS,	/* its objects are numbered (__UNIQUE_ID_ddebugN) */
	MATCH_SECTION_BY_CONTENTS,	/* the section is numbered (.data..Lubsan_data5) */
};

/* compare.c / same.c: what makes two of them the same. */
enum compare_rule {
	COMPARE_POSITIONS,		/* entries only locate code: the code's change shows */
	COMPARE_ENTRIES,		/* entries grouped by function, compared with it */
	COMPARE_BUT_LINE,		/* call-site descriptors: same bytes but the line */
	COMPARE_DATA_BUT_LINE,		/* call-site data: same data but the source line */
	COMPARE_PIECES,			/* cut at the offsets code jumps to (pieces.c) */
};

/* include.c / special.c: what of it the output keeps. */
enum keep_rule {
	KEEP_BY_CODE,			/* an entry whose first field points into kept code */
	KEEP_BY_POINTEE_FUNC,		/* .printk_index: the pointee's func names kept code */
	KEEP_BY_LINK,			/* KEEP_BY_CODE, grouped by SHF_LINK_ORDER target */
	KEEP_WITH_USER,			/* what a kept function refers to */
	KEEP_WITH_TABLE,		/* with a kept entry of another table (aux, ORC) */
	KEEP_NONE,			/* consumed by objtool or create-diff-object itself */
};

/* output.c / special.c: how the output gets its copy. */
enum emit_rule {
	EMIT_ENTRIES,			/* special.c: the kept entries, in a table of the name */
	EMIT_LINKED,			/* special.c: per SHF_LINK_ORDER target */
	EMIT_ARRAY,			/* output.c: appended to one section of the name */
	EMIT_SECTION,			/* output.c / special.c: copied whole */
	EMIT_PIECES,			/* output.c: the kept pieces, in a section of the name */
	EMIT_NONE,
};

/* Jump labels and static calls: may the key be a klp relocation (special.c)? */
enum key_check {
	KEY_ANY,
	KEY_LOADABLE,		/* the loader reads the key before klp relocations */
	KEY_DROP_IF_KLP,	/* without the entry the code still works (trampoline) */
};

struct section_kind {
	const char *name;	/* exact, or a prefix when it ends with '*' */
	bool special;		/* one of the kernel's special sections (arrays of entries) */
	enum match_rule match;
	enum compare_rule compare;
	enum keep_rule keep;
	enum emit_rule emit;
	struct layout_set layouts;	/* EMIT_ENTRIES, EMIT_LINKED */
	enum key_check key_check;
	const char *aux;	/* section the entries point into, copied whole */
	/* KEEP_BY_POINTEE_FUNC: where the pointee holds its function's name, its size */
	unsigned int pointee_func;
	const char *pointee_size_env;
	/* COMPARE_BUT_LINE: the 32-bit word holding the line bitfield, its low bits */
	unsigned int line_offset, line_bits;
};

/* The row of @sec's kind, or NULL for plain code and data. */
const struct section_kind *section_kind(const struct section *sec);

/*
 * The layout of @sec's entries into *@layout, NULL when no entry points
 * anywhere (layout.h); false when no layout fits, @err saying why.
 */
bool kind_layout(const struct section_kind *k, const struct section *sec,
		 struct entry_layout *scratch, const struct entry_layout **layout, char *err,
		 size_t errlen);

/* Shorthands for the rows the phases ask about. */
bool is_special_section(const struct section *sec);
bool is_piece_section(const struct section *sec);
/* UBSAN's and clang's per-call-site data sections (.data..Lubsan_data5, ...). */
bool is_callsite_data_section(const struct section *sec);
/* A per-call-site descriptor (struct _ddebug in __dyndbg). */
bool is_callsite_descriptor(const struct symbol *sym);

/* Kinds told by flags or by a family of names. */
bool is_string_section(const struct section *sec);
bool is_merged_section(const struct section *sec);
bool is_init_section(const struct section *sec);
bool section_has_symbols(const struct section *sec);
/* A cold part without a symbol (.text.unlikely.FN of GCC < 8): FN, else NULL. */
struct symbol *cold_section_parent(const struct section *sec);
bool section_holds_one_symbol(const struct section *sec);

#endif
