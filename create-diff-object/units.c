// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0: the units of an object.  A multi-object module is linked with
 * "ld -r": each input's STT_FILE symbol is followed by that input's locals,
 * so two "static int count" of two files are told apart by the unit they
 * sit in.  Correlation pairs a local only with a namesake of the same
 * unit, and the parent's kallsyms position of a local is looked up in the
 * parent's run of symbols of its own unit (read.c).
 */
#include "cdo.h"

#include <string.h>

/* [sym index] -> the STT_FILE symbol of the local's unit; NULL otherwise. */
struct symbol **find_units(const struct elf_obj *elf)
{
	struct symbol **unit = xcalloc(elf->nr_symbols, sizeof(*unit));
	struct symbol *sym, *file = NULL;

	for_each_symbol(elf, sym) {
		if (sym->type == STT_FILE)
			file = sym;
		else if (sym->bind == STB_LOCAL)
			unit[sym->index] = file;
	}
	return unit;
}

/* The name of @elf's first STT_FILE symbol (its source file, "x86.c"), or NULL. */
const char *source_file_name(const struct elf_obj *elf)
{
	struct symbol *sym;

	for_each_symbol(elf, sym)
		if (sym->type == STT_FILE)
			return sym->name;
	return NULL;
}

size_t count_units(const struct elf_obj *elf)
{
	struct symbol *sym;
	size_t n = 0;

	for_each_symbol(elf, sym)
		n += sym->type == STT_FILE;
	return n;
}

/* Do @o (original) and @p (patched) come from translation units of one name? */
bool same_unit(const struct cdo *c, const struct symbol *o, const struct symbol *p)
{
	const struct symbol *ou = c->unit[ORIG][o->index], *pu = c->unit[PATCHED][p->index];

	if (!ou || !pu)
		return ou == pu;
	return !strcmp(ou->name, pu->name);
}
