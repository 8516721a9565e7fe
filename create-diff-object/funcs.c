// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 8 (layer 3, emission): the table the patch module registers with the livepatch core:
 * one entry per replaced function, { new_func, old_name, objname,
 * old_sympos } (kmod-template/README.md), plus the namespaces the output's
 * imports need (.modinfo import_ns=).
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

#define FUNC_ENTRY_SIZE 32

struct func_table {
	struct section *funcs, *strings;
};

static uint64_t add_string(struct func_table *t, const char *s)
{
	const unsigned char *d = t->strings->data;
	size_t len = strlen(s) + 1;

	/* Few strings per object; a linear scan of this small table is cheap. */
	for (uint64_t off = 0; d && off + len <= t->strings->size;
	     off += strlen((const char *)d + off) + 1)
		if (!memcmp(d + off, s, len))
			return off;
	return section_append(t->strings, s, len, 1);
}

static void add_entry(struct cdo *c, struct func_table *t, struct symbol *p)
{
	struct symbol *o = sym_twin(c, PATCHED, p);
	struct section *rs = t->funcs->rela;
	uint64_t off = section_append(t->funcs, NULL, FUNC_ENTRY_SIZE, 8);
	uint64_t sympos = parent_sympos(c, o);

	memcpy(t->funcs->data + off + 24, &sympos, sizeof(sympos));
	rela_add(rs, off, R_X86_64_64, clone_of(c, p), 0);
	rela_add(rs, off + 8, R_X86_64_64, t->strings->secsym, (int64_t)add_string(t, o->name));
	rela_add(rs, off + 16, R_X86_64_64, t->strings->secsym,
		 (int64_t)add_string(t, c->parent.objname));
	DEBUG(DBG_WRITE, "patch %s:%s,%lu", c->parent.objname, o->name, (unsigned long)sympos);
}

static bool is_replaced_function(const struct cdo *c, const struct symbol *p)
{
	return p->type == STT_FUNC && is_included(c, p) && primary_alias(p) == p &&
	       change_of(c, p) == CHANGED && !is_cold_part(p) && !is_prefix_symbol(p) &&
	       !is_carried_function(c, p);
}

/* Append "import_ns=@ns" to the output's .modinfo, once; created on first use. */
static void add_import_namespace(struct cdo *c, const char *ns, size_t len)
{
	struct section *mi = find_section(c->out, ".modinfo");
	char *line = xasprintf("import_ns=%.*s", (int)len, ns);
	size_t n = strlen(line) + 1;

	if (!mi)
		mi = section_new(c->out, ".modinfo", SHT_PROGBITS, SHF_ALLOC, 0, 1);
	for (uint64_t off = 0; mi->data && off + n <= mi->size;
	     off += strlen((const char *)mi->data + off) + 1)
		if (!memcmp(mi->data + off, line, n)) {
			free(line);
			return;
		}
	section_append(mi, line, n, 1);
	free(line);
}

/*
 * The namespaces of the exports the output imports (Module.symvers), and
 * those the patched object imports itself (MODULE_IMPORT_NS() in its
 * .modinfo): a Module.symvers without namespaces, or one older than the
 * object, cannot name them all, and an import the output does not use is
 * harmless where a missing one stops the module loading.
 */
static void write_import_namespaces(struct cdo *c)
{
	const struct section *own = find_section(c->elf[PATCHED], ".modinfo");
	static const char key[] = "import_ns=";

	for (size_t i = 0; i < c->parent.nr_namespaces; i++)
		add_import_namespace(c, c->parent.namespaces[i], strlen(c->parent.namespaces[i]));
	for (uint64_t off = 0; own && own->data && off < own->size;) {
		const char *s = (const char *)own->data + off;
		size_t len = strnlen(s, own->size - off);

		if (len > sizeof(key) - 1 && !strncmp(s, key, sizeof(key) - 1))
			add_import_namespace(c, s + sizeof(key) - 1, len - (sizeof(key) - 1));
		off += len + 1;
	}
}

enum kpb_status write_func_table(struct cdo *c)
{
	struct func_table t;
	struct symbol *p;

	t.funcs = section_new(c->out, ".kpatch.funcs", SHT_PROGBITS, SHF_ALLOC, 0, 8);
	t.strings = section_new(c->out, ".kpatch.strings", SHT_PROGBITS,
				SHF_ALLOC | SHF_MERGE | SHF_STRINGS, 1, 1);
	t.strings->secsym = symbol_new(c->out, "", STB_LOCAL, STT_SECTION, t.strings, 0, 0);
	rela_section_new(c->out, t.funcs);
	for_each_symbol(c->elf[PATCHED], p)
		if (is_replaced_function(c, p))
			add_entry(c, &t, p);
	write_import_namespaces(c);
	return stop_if_unsupported(c);
}
