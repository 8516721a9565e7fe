// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 4 (layer 2): refuse what a livepatch cannot do.  Every refusal
 * names what it saw; all of them are reported before the run stops with
 * status 2.
 */
#include "cdo.h"

#include <string.h>

static void check_changed_data(struct cdo *c, struct symbol *p)
{
	struct symbol *o = sym_twin(c, PATCHED, p);

	if (o->size != p->size) {
		unsupported(c, "data object %s changed size from %lu to %lu bytes: a data "
			    "structure change cannot be livepatched", p->name,
			    (unsigned long)o->size, (unsigned long)p->size);
		return;
	}
	if (p->sec->sh.sh_flags & SHF_WRITE)
		unsupported(c, "data object %s (section %s) has a new initial value: the "
			    "running kernel keeps using its copy", p->name, p->sec->name);
	else if (p->bind != STB_LOCAL)
		unsupported(c, "global constant %s (section %s) changed: other objects keep "
			    "using the old one", p->name, p->sec->name);
}

static void check_changed_symbols(struct cdo *c)
{
	struct symbol *p;

	for_each_symbol(c->elf[PATCHED], p) {
		enum change st = p->sec ? change_of(c, p) : SAME;

		if (st == SAME || is_forced(c, p))
			continue;
		if (is_init_section(p->sec)) {
			if (st == CHANGED)
				unsupported(c, "%s %s in %s changed: __init/__exit code and data "
					    "cannot be patched", p->type == STT_FUNC ? "function" : "object",
					    p->name, p->sec->name);
			continue;
		}
		if (st != CHANGED)
			continue;
		/* Untraced functions: untraced.c. */
		if (p->type == STT_OBJECT)
			check_changed_data(c, p);
	}
}

static void check_removed_globals(struct cdo *c)
{
	struct symbol *o;

	for_each_symbol(c->elf[ORIG], o) {
		if (!o->sec || o->bind == STB_LOCAL || sym_twin(c, ORIG, o) ||
		    (o->type != STT_FUNC && o->type != STT_OBJECT))
			continue;
		unsupported(c, "global %s %s was removed: other objects still refer to it",
			    o->type == STT_FUNC ? "function" : "object", o->name);
	}
}

/* Sections whose changes come along with the functions they describe. */
static bool is_tracked_elsewhere(const struct cdo *c, const struct section *sec)
{
	static const char *const prefixes[] = {
		".discard", ".modinfo", ".kpatch.", ".rodata", ".note", ".comment",
		".data.once", ".debug", ".gnu.", "__tracepoints_strings",
	};

	if (is_rela_section(sec) || !(sec->sh.sh_flags & SHF_ALLOC) ||
	    (sec->sh.sh_flags & SHF_EXECINSTR) || is_string_section(sec) ||
	    is_special_section(sec) || is_callsite_data_section(sec) ||
	    is_ignored_section(c, sec))
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(sec->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* Tables the kernel reads once, at boot or module load. */
static bool is_load_time_table(const struct section *sec)
{
	static const char *const prefixes[] = {
		"__param", "__ksymtab", "___ksymtab", "__kcrctab", ".init.setup", ".initcall",
		"__modver", ".con_initcall", ".export_symbol", "__tracepoints_ptrs",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(sec->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* __param, .init.setup, __ksymtab, initcalls: tables the kernel read at boot. */
static void check_symbolless_sections(struct cdo *c)
{
	struct section *p;

	for_each_section(c->elf[PATCHED], p) {
		struct section *o = sec_twin(c, PATCHED, p);

		if (is_ignored_section(c, p) || is_rela_section(p))
			continue;
		if (!is_load_time_table(p) && (is_tracked_elsewhere(c, p) || section_has_symbols(p)))
			continue;
		if (!o)
			unsupported(c, "new section %s: what it registers (parameters, exports, "
				    "initcalls) is read once at boot or load", p->name);
		else if (!same_section_contents(c, o, p))
			unsupported(c, "section %s changed: what it registers is read once at "
				    "boot or load", p->name);
	}
}

enum kpb_status check_unsupported_changes(struct cdo *c)
{
	check_changed_symbols(c);
	check_removed_globals(c);
	check_symbolless_sections(c);
	return c->status;
}
