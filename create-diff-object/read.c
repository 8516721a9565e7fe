// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 1 (layer 2): read both objects (lib/elf.c validates them), their
 * units, and the parent's symbol tables; free_cdo() frees every phase's state.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

static enum kpb_status check_same_unit(struct cdo *c)
{
	const char *a = source_file_name(c->elf[ORIG]);
	const char *b = source_file_name(c->elf[PATCHED]);

	if (a && b && strcmp(a, b))
		return fail(c, KPB_ERROR, "%s and %s come from different sources (%s, %s)",
			    c->args.path[ORIG], c->args.path[PATCHED], a, b);
	return KPB_OK;
}

enum kpb_status read_objects(struct cdo *c)
{
	char err[ELF_ERRLEN];

	for (int s = 0; s < 2; s++) {
		c->elf[s] = elf_load(c->args.path[s], false, err, sizeof(err));
		if (!c->elf[s])
			return fail(c, KPB_ERROR, "%s", err);
	}
	if (check_same_unit(c))
		return c->status;
	c->unit[ORIG] = find_units(c->elf[ORIG]);
	c->unit[PATCHED] = find_units(c->elf[PATCHED]);
	return KPB_OK;
}

/*
 * Local FUNC/OBJECT names of the original object's unit @unit (any unit:
 * NULL): its fingerprint in the parent.
 */
static const char **collect_local_names(const struct cdo *c, const struct symbol *unit,
					size_t *nr)
{
	const struct elf_obj *elf = c->elf[ORIG];
	const char **names = xcalloc(elf->nr_symbols, sizeof(*names));
	struct symbol *sym;
	size_t n = 0;

	for_each_symbol(elf, sym)
		if (sym->bind == STB_LOCAL && sym->sec && (!unit || c->unit[ORIG][sym->index] == unit) &&
		    (sym->type == STT_FUNC || sym->type == STT_OBJECT) &&
		    !ksym_is_unstable_local(sym->name))
			names[n++] = sym->name;
	*nr = n;
	return names;
}

/* ld -r of several units: each unit's locals are found in the parent's run of that unit. */
static enum kpb_status find_units_in_parent(struct cdo *c)
{
	const struct elf_obj *elf = c->elf[ORIG];
	const struct ksym_file **in_parent = xcalloc(elf->nr_symbols, sizeof(*in_parent));
	struct symbol *unit;
	char err[1024];

	for_each_symbol(elf, unit) {
		size_t nr;
		const char **names;

		if (unit->type != STT_FILE)
			continue;
		names = collect_local_names(c, unit, &nr);
		in_parent[unit->index] = ksymtab_find_file(c->parent.symtab, unit->name, names, nr, err,
						       sizeof(err));
		free(names);
		if (!in_parent[unit->index] && nr) {
			free(in_parent);
			return fail(c, KPB_ERROR, "%s: unit %s: %s", c->args.path[ORIG], unit->name,
				    err);
		}
		DEBUG(DBG_KLP, "%s: unit %s: file block %s", c->args.path[ORIG], unit->name,
		      in_parent[unit->index] ? in_parent[unit->index]->name : "(none)");
	}
	c->parent.unit_of = xcalloc(elf->nr_symbols, sizeof(*in_parent));
	for_each_symbol(elf, unit)
		if (c->unit[ORIG][unit->index])
			c->parent.unit_of[unit->index] = in_parent[c->unit[ORIG][unit->index]->index];
	free(in_parent);
	return KPB_OK;
}

static enum kpb_status find_unit_in_parent(struct cdo *c)
{
	const char *src = source_file_name(c->elf[ORIG]);
	char err[1024];
	size_t nr;
	const char **names;

	if (!src)
		return KPB_OK;
	/*
	 * Debian's installed modules are stripped of their STT_FILE symbols
	 * (the -dbg package keeps them): every local is then in the run of symbols
	 * before any file, and a name that is not unique cannot be placed
	 * (parent_sympos refuses it).
	 */
	if (!ksymtab_nr_files(c->parent.symtab)) {
		DEBUG(DBG_KLP, "%s: no STT_FILE symbols, locals matched by name",
		      c->args.symtab_path);
		return KPB_OK;
	}
	if (count_units(c->elf[ORIG]) > 1)
		return find_units_in_parent(c);
	names = collect_local_names(c, NULL, &nr);
	c->parent.unit = ksymtab_find_file(c->parent.symtab, src, names, nr, err, sizeof(err));
	free(names);
	/* An object with no locals has no unit to find; locals will say if it matters. */
	if (!c->parent.unit && nr)
		return fail(c, KPB_ERROR, "%s: %s", c->args.path[ORIG], err);
	DEBUG(DBG_KLP, "%s: file block %s", c->args.path[ORIG],
	      c->parent.unit ? c->parent.unit->name : "(none)");
	return KPB_OK;
}

enum kpb_status read_parent(struct cdo *c)
{
	char err[1024];

	c->parent.objname = module_name_normalize(xstrdup(c->args.parent));
	c->parent.is_module = strcmp(c->parent.objname, "vmlinux") != 0;
	c->parent.symtab = ksymtab_load_as(c->args.symtab_path,
					   c->parent.is_module ? KSYM_ORDER_SYMTAB
							       : KSYM_ORDER_ADDRESS,
					   err, sizeof(err));
	if (!c->parent.symtab)
		return fail(c, KPB_ERROR, "%s", err);
	c->parent.symvers = symvers_load(c->args.symvers_path, err, sizeof(err));
	if (!c->parent.symvers)
		return fail(c, KPB_ERROR, "%s", err);
	return find_unit_in_parent(c);
}

void free_cdo(struct cdo *c)
{
	for (int s = 0; s < 2; s++) {
		free(c->corr.sym_twin[s]);
		free(c->corr.sec_twin[s]);
		elf_free(c->elf[s]);
	}
	free(c->cmp.status);
	free(c->unit[ORIG]);
	free(c->unit[PATCHED]);
	free(c->parent.unit_of);
	free(c->untraced.carried);
	free_untraced_lists(c);
	free_pieces(c->pieces[ORIG]);
	free_pieces(c->pieces[PATCHED]);
	free(c->marks.ignore_func);
	free(c->marks.force);
	free(c->marks.ignore_sections);
	free(c->inc.sym);
	free(c->inc.sec);
	free(c->clone);
	free(c->sec_clone);
	ksymtab_free(c->parent.symtab);
	symvers_free(c->parent.symvers);
	free(c->parent.objname);
	free(c->parent.namespaces);
	elf_free(c->out);
	free_line_map(c->line_map);
}
