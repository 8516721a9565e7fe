/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The entry layouts of the special sections (layout.c), shared by special.c
 * which keeps and compares their entries.
 *
 * Kernels and compilers lay the same table out differently: absolute
 * 24-byte __jump_table entries before 5.0, relative 16-byte ones since; an
 * __ex_table handler field before 5.16; 13, 12 or 14-byte alt_instr.  A
 * layout is told by where its relocations sit and of what kind they are,
 * never by the section size alone (a 48-byte __jump_table divides by 16
 * and by 24).
 */
#ifndef CDO_LAYOUT_H
#define CDO_LAYOUT_H

#include <stdbool.h>

#include "elfobj.h"

enum reloc_class {
	RELOC_RELATIVE = 1,	/* ".long sym - .": R_X86_64_PC32, R_X86_64_PC64 */
	RELOC_ABSOLUTE,		/* ".quad sym": R_X86_64_64, R_X86_64_32S */
};

#define MAX_ENTRY_FIELDS 4

/* A field of an entry that a relocation fills. */
struct entry_field {
	unsigned char offset, width;
	enum reloc_class cls;
	bool optional;		/* otherwise every entry relocates it */
};

struct entry_layout {
	const char *what;	/* for messages: "relative (5.0+)" */
	unsigned int size;	/* the stride: sizeof the structure */
	struct entry_field fields[MAX_ENTRY_FIELDS];
	/* Trailing padding the assembler may leave out of the last entry. */
	unsigned int pad;
	unsigned int key_field;	/* the field key_check reads (jump label key) */
	unsigned int len_offset;/* .altinstructions: the replacementlen byte */
};

struct layout_set {
	const struct entry_layout *layouts;	/* most recent kernel first */
	size_t nr;
	const char *size_env;	/* probed sizeof, names the layout; may be NULL */
};

/*
 * The layout of @sec's entries: the one layout of @set that every
 * relocation agrees with (by offset, width and kind), narrowed to the size
 * in $size_env, else to sh_entsize.  NULL when none fits or when two of
 * different sizes do, @err naming the section, its size and the stride.
 * @file is for messages; @scratch receives a layout built for a $size_env
 * that no known layout has.
 */
const struct entry_layout *choose_layout(const char *file, const struct section *sec,
					 const struct layout_set *set,
					 struct entry_layout *scratch, char *err, size_t errlen);

/* Bytes of the entry at @start that the section holds (the last may be short). */
static inline unsigned int entry_len(const struct section *sec, const struct entry_layout *l,
				     uint64_t start)
{
	return sec->size - start < l->size ? (unsigned int)(sec->size - start) : l->size;
}

#endif
