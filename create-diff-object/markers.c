// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 2b (read): the .kpatch.* markers, what the patch author marked with
 * kpatch-macros.h: functions whose change is to be ignored or accepted
 * despite a refusal, sections to ignore, and the system call stubs of
 * KPATCH_SYSCALL_DEFINEn (kpatch-syscall.h).  The marker sections are arrays
 * of pointers; only their relocations matter.  Owns struct markers: written
 * here only, read by compare.c and check.c through the accessors below.
 */
#include "cdo.h"

#include <string.h>

static struct symbol *marked_function(struct cdo *c, const struct section *sec,
				      const struct rela *r)
{
	int64_t add;
	struct symbol *sym = resolve_reloc(sec, r, &add);

	if (sym->type != STT_FUNC || add != 0) {
		fail(c, KPB_ERROR, "%s: section %s: entry at 0x%lx does not point to a function",
		     c->args.path[PATCHED], sec->name, (unsigned long)r->offset);
		return NULL;
	}
	return sym;
}

static enum kpb_status mark_functions(struct cdo *c, const char *secname, bool *marks)
{
	struct section *sec = find_section(c->elf[PATCHED], secname);
	struct rela *r;

	if (!sec || !sec->rela)
		return KPB_OK;
	for_each_rela(sec->rela, r) {
		struct symbol *fn = marked_function(c, sec, r);

		if (!fn)
			return c->status;
		marks[fn->index] = true;
		DEBUG(DBG_COMPARE, "%s: %s", secname, fn->name);
	}
	return KPB_OK;
}

static const char *marked_string(struct cdo *c, const struct section *sec,
				 const struct rela *r)
{
	const struct section *str = r->sym->sec;
	int64_t off = r->addend + (r->sym->type == STT_SECTION ? 0 : (int64_t)r->sym->value);

	if (!str || !is_string_section(str) || off < 0 || (uint64_t)off >= str->size ||
	    !memchr(str->data + off, '\0', str->size - (uint64_t)off)) {
		fail(c, KPB_ERROR, "%s: section %s: entry at 0x%lx does not point to a string",
		     c->args.path[PATCHED], sec->name, (unsigned long)r->offset);
		return NULL;
	}
	return (const char *)str->data + off;
}

static enum kpb_status mark_sections(struct cdo *c)
{
	struct section *sec = find_section(c->elf[PATCHED], ".kpatch.ignore.sections");
	struct rela *r;

	if (!sec || !sec->rela)
		return KPB_OK;
	c->marks.ignore_sections = xcalloc(sec->rela->nr_relas, sizeof(char *));
	for_each_rela(sec->rela, r) {
		const char *name = marked_string(c, sec, r);

		if (!name)
			return c->status;
		c->marks.ignore_sections[c->marks.nr_ignore_sections++] = (char *)name;
		DEBUG(DBG_COMPARE, "ignoring section %s", name);
	}
	return KPB_OK;
}

/*
 * KPATCH_SYSCALL_DEFINEn marks its stub __x64_sys_NAME: the syscall table
 * reaches only the stubs the running kernel has, so a stub the original
 * object does not define (a new system call, or one defined in another
 * file) would be a function nothing calls.
 */
static enum kpb_status check_syscall_stubs(struct cdo *c)
{
	struct section *sec = find_section(c->elf[PATCHED], ".kpatch.syscalls");
	struct rela *r;

	if (!sec || !sec->rela)
		return KPB_OK;
	for_each_rela(sec->rela, r) {
		int64_t add;
		struct symbol *stub = resolve_reloc(sec, r, &add);

		if (!stub->sec) {
			unsupported(c, "KPATCH_SYSCALL_DEFINE: %s is not defined in this object",
				    stub->name);
			continue;
		}
		stub = marked_function(c, sec, r);
		if (!stub)
			return c->status;
		if (!c->corr.sym_twin[PATCHED][stub->index])
			unsupported(c, "KPATCH_SYSCALL_DEFINE: %s is new (the original object has "
				    "no such stub): a livepatch cannot add a system call, the "
				    "syscall table reaches only the running kernel's stubs",
				    stub->name);
		DEBUG(DBG_COMPARE, "system call stub %s", stub->name);
	}
	return KPB_OK;
}

enum kpb_status read_markers(struct cdo *c)
{
	size_t n = c->elf[PATCHED]->nr_symbols;

	c->marks.ignore_func = xcalloc(n, sizeof(bool));
	c->marks.force = xcalloc(n, sizeof(bool));
	if (mark_functions(c, ".kpatch.ignore.functions", c->marks.ignore_func) ||
	    mark_functions(c, ".kpatch.force", c->marks.force) || mark_sections(c))
		return c->status;
	return check_syscall_stubs(c);
}

bool is_ignored_function(const struct cdo *c, const struct symbol *p)
{
	return c->marks.ignore_func[p->index];
}

bool is_forced(const struct cdo *c, const struct symbol *p)
{
	return c->marks.force[p->index];
}

bool is_ignored_section(const struct cdo *c, const struct section *sec)
{
	for (size_t i = 0; i < c->marks.nr_ignore_sections; i++)
		if (!strcmp(c->marks.ignore_sections[i], sec->name))
			return true;
	return false;
}
