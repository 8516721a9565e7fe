// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0, names: what GCC does to names (numbered clones, .cold parts,
 * __pfx_ padding, __func__ constants, aliases).  Knows no phase.
 */
#include "cdo.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_digits(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * GCC numbers what it makes up: static locals ("count.12"), clones
 * ("foo.isra.0", "foo.constprop.0.isra.0"), and the kernel's
 * __UNIQUE_ID_xxx123.  The numbers shift whenever anything else in the unit
 * changes, so correlation compares names with every number replaced by '#'.
 */
char *canonical_name(const char *name)
{
	size_t len = strlen(name);
	char *out = xmalloc(len + 2), *o = out;
	const char *p = name;

	if (!strncmp(name, "__UNIQUE_ID_", 12)) {
		size_t n = len;

		while (n > 12 && isdigit((unsigned char)name[n - 1]))
			n--;
		memcpy(out, name, n);
		strcpy(out + n, "#");
		return out;
	}
	while (*p) {
		size_t seg = strcspn(p + 1, ".") + 1;

		if (*p == '.' && is_digits(p + 1, seg - 1)) {
			strcpy(o, ".#");
			o += 2;
		} else {
			memcpy(o, p, seg);
			o += seg;
		}
		p += seg;
	}
	*o = '\0';
	return out;
}

bool has_numbered_suffix(const char *name)
{
	char *canon = canonical_name(name);
	bool numbered = strcmp(canon, name) != 0;

	free(canon);
	return numbered;
}

/*
 * Where ".cold" starts in "foo.cold" (GCC 11+) or "foo.cold.3" (GCC before
 * 11 numbered the parts), else 0.
 */
static size_t cold_suffix(const char *name)
{
	size_t len = strlen(name), end = len;

	while (end && isdigit((unsigned char)name[end - 1]))
		end--;
	if (end < len && end && name[end - 1] == '.')
		end--;
	else
		end = len;
	if (end <= 5 || strncmp(name + end - 5, ".cold", 5))
		return 0;
	return end - 5;
}

bool is_cold_part(const struct symbol *sym)
{
	return sym->type == STT_FUNC && cold_suffix(sym->name) != 0;
}

struct symbol *cold_parent(const struct elf_obj *elf, const struct symbol *sym)
{
	char *name;
	struct symbol *parent;

	if (!is_cold_part(sym))
		return NULL;
	name = xstrdup(sym->name);
	name[cold_suffix(sym->name)] = '\0';
	parent = find_symbol(elf, name);
	free(name);
	return parent && parent->type == STT_FUNC ? parent : NULL;
}

/*
 * module_init(fn) makes init_module a global alias of fn: one function under
 * two names.  The primary is the local name (else the first): only it is
 * compared, patched and copied; the alias maps to its copy.
 */
struct symbol *primary_alias(const struct symbol *sym)
{
	struct symbol *best = (struct symbol *)sym;
	const struct section *sec = sym->sec;

	if (!sec || sym->type != STT_FUNC)
		return best;
	for (size_t i = 0; i < sec->nr_syms; i++) {
		struct symbol *s = sec->syms[i];

		if (s->value != sym->value || s->type != STT_FUNC || s == best)
			continue;
		if ((s->bind == STB_LOCAL) > (best->bind == STB_LOCAL) ||
		    ((s->bind == STB_LOCAL) == (best->bind == STB_LOCAL) && s->index < best->index))
			best = s;
	}
	return best;
}

/*
 * With CALL_PADDING (6.2+, and every IBT kernel) objtool names the padding
 * before each function "__pfx_<name>" (and "__cfi_<name>" for kCFI): it is
 * part of the function, since call depth tracking and FineIBT enter there.
 */
bool is_prefix_symbol(const struct symbol *sym)
{
	return sym->type == STT_FUNC &&
	       (!strncmp(sym->name, "__pfx_", 6) || !strncmp(sym->name, "__cfi_", 6));
}

/*
 * __func__ and friends: constants nobody takes the identity of.  GCC numbers
 * them ("__func__.3") in the order it meets them, so the same name in the
 * two objects may be two functions' names: they are compared by their text,
 * never paired by name.  The output copies them rather than reaching the
 * kernel's through a klp relocation, which for a module target matters: 6.1
 * cannot clear klp relocations when the module is unloaded (no x86
 * clear_relocate_add before 6.3), so a reloaded module would be refused.
 */
bool is_function_name_constant(const struct symbol *t)
{
	static const char *const names[] = { "__func__.", "__FUNCTION__.", "__PRETTY_FUNCTION__." };

	if (t->type != STT_OBJECT || t->bind != STB_LOCAL || !t->sec ||
	    (t->sec->sh.sh_flags & SHF_WRITE))
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strncmp(t->name, names[i], strlen(names[i])))
			return true;
	return false;
}
