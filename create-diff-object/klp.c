// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 6b (layer 2), klp relocations: how the output refers to what
 * stays in the running kernel (output.c asks, per reference).
 *
 * An exported symbol is an ordinary undefined symbol: the module loader
 * resolves it.  Anything else defined in the parent object becomes
 * ".klp.sym.<obj>.<name>,<sympos>", resolved by the livepatch core through
 * kallsyms, where sympos tells apart locals that share a name (0: unique).
 * The original object's name is used, since that is what the kernel has:
 * a patched build may have renumbered "count.12" to "count.14".
 */
#include "cdo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note_namespace(struct cdo *c, const char *ns)
{
	struct parent *pa = &c->parent;

	if (!ns || !*ns)
		return;
	for (size_t i = 0; i < pa->nr_namespaces; i++)
		if (!strcmp(pa->namespaces[i], ns))
			return;
	pa->namespaces = xrealloc(pa->namespaces, (pa->nr_namespaces + 1) * sizeof(char *));
	pa->namespaces[pa->nr_namespaces++] = ns;
}

/* Exported by someone the module loader can resolve against right now. */
static const struct symvers_entry *usable_export(const struct cdo *c, const char *name)
{
	const struct symvers_entry *e = symvers_find(c->parent.symvers, name);

	/* A module's own exports vanish when it is unloaded: klp them instead. */
	if (e && c->parent.is_module && module_names_equal(e->module, c->parent.objname))
		return NULL;
	return e;
}

static struct symbol *undefined_in_output(struct cdo *c, const char *name)
{
	struct symbol *sym = find_symbol(c->out, name);

	if (sym)
		return sym;
	sym = symbol_new(c->out, name, STB_GLOBAL, STT_NOTYPE, NULL, 0, 0);
	sym->shndx = SHN_UNDEF;
	return sym;
}

static struct symbol *klp_symbol(struct cdo *c, const char *name, unsigned long pos)
{
	char *klpname = xasprintf(".klp.sym.%s.%s,%lu", c->parent.objname, name, pos);
	struct symbol *sym = undefined_in_output(c, klpname);

	DEBUG(DBG_KLP, "%s -> %s", name, klpname);
	free(klpname);
	return sym;
}

/* @o's unit in the parent, where its locals are. */
static const struct ksym_file *parent_unit(const struct cdo *c, const struct symbol *o)
{
	return c->parent.unit_of ? c->parent.unit_of[o->index] : c->parent.unit;
}

static const struct ksym *find_parent_symbol(const struct cdo *c, const struct symbol *o)
{
	if (o->bind == STB_LOCAL)
		return ksymtab_find_local(c->parent.symtab, parent_unit(c, o), o->name);
	return ksymtab_find_global(c->parent.symtab, o->name);
}

/* Without STT_FILE symbols a local is placed by its name alone. */
static bool is_ambiguous_local(const struct cdo *c, const struct symbol *o)
{
	return o->bind == STB_LOCAL && !parent_unit(c, o) &&
	       !ksymtab_nr_files(c->parent.symtab) &&
	       ksymtab_count_name(c->parent.symtab, o->name) > 1;
}

unsigned long parent_sympos(struct cdo *c, const struct symbol *osym)
{
	const struct ksym *k = find_parent_symbol(c, osym);

	if (is_ambiguous_local(c, osym)) {
		unsupported(c, "local %s: %zu symbols of that name in %s, whose symbol table has no STT_FILE symbols to tell them apart (use the unstripped module of the -dbg package)",
			    osym->name, ksymtab_count_name(c->parent.symtab, osym->name),
			    c->args.symtab_path);
		return 0;
	}
	if (!k || k->place != KSYM_IN_SECTION) {
		unsupported(c, "%s %s is not in the symbol table of %s (%s)",
			    osym->bind == STB_LOCAL ? "local" : "global", osym->name,
			    c->parent.objname, c->args.symtab_path);
		return 0;
	}
	return k->sympos;
}

static struct symbol *external_undefined(struct cdo *c, const char *name)
{
	const struct symvers_entry *e = usable_export(c, name);
	const struct ksym *k;

	if (is_listed_untraced(c, name)) {
		/* Carried by another output of this module: bound at its link. */
		char *carried = carried_global_name(name);
		struct symbol *sym = undefined_in_output(c, carried);

		DEBUG(DBG_KLP, "%s -> %s", name, carried);
		free(carried);
		return sym;
	}
	if (e) {
		note_namespace(c, e->ns);
		return undefined_in_output(c, name);
	}
	k = ksymtab_find_global(c->parent.symtab, name);
	if (k && k->place == KSYM_IN_SECTION)
		return klp_symbol(c, name, k->sympos);
	/* Neither exported nor in the parent: the patch module itself provides it. */
	DEBUG(DBG_KLP, "%s: left for the module link", name);
	return undefined_in_output(c, name);
}

struct symbol *external_symbol(struct cdo *c, struct symbol *psym)
{
	struct symbol *o = sym_twin(c, PATCHED, psym);

	if (is_undefined(psym))
		return external_undefined(c, psym->name);
	if (!o || !o->sec) {
		/* Recorded: create_output() returns the error, the placeholder stands in. */
		fail(c, KPB_ERROR, "%s: internal error: %s is new but was not included",
		     c->args.path[PATCHED], psym->name);
		return undefined_symbol_placeholder(c);
	}
	if (o->bind != STB_LOCAL && usable_export(c, o->name))
		return external_undefined(c, o->name);
	return klp_symbol(c, o->name, parent_sympos(c, o));
}

struct symbol *undefined_symbol_placeholder(struct cdo *c)
{
	return undefined_in_output(c, "__kpatch_unsupported_reference");
}
