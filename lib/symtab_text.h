/* SPDX-License-Identifier: GPL-2.0 */
/* Private to lib/symtab*.c: the readelf text reader behind ksymtab_load(). */
#ifndef KPB_SYMTAB_TEXT_H
#define KPB_SYMTAB_TEXT_H

#include "symtab.h"

struct ksym_list {
	const char *path;	/* for messages */
	struct ksym *syms;	/* .symtab order; caller frees, even on error */
	size_t nr_syms;
};

/*
 * Parse the '.symtab' table of `readelf -s --wide` output TEXT, which is
 * modified in place and must outlive the names.  Fills name, value, size,
 * type, bind, place, shndx and index of each entry.
 */
bool parse_readelf_symtab(struct ksym_list *out, char *text, char *err,
			  size_t errlen);

#endif
