// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 3a/8 (layer 2): the --untraced-in and --untraced-out lists.  Global
 * untraced functions, patched through their callers in other objects
 * (untraced.c does it within one object).
 *
 * In Linux 6.1 all of lib/ is built without ftrace (lib/Makefile removes
 * CC_FLAGS_FTRACE), so a fix to lib/show_mem.c's __show_mem() changes a
 * global function ftrace cannot redirect, called from mm/oom_kill.o,
 * mm/page_alloc.o, drivers/tty/sysrq.o...  kpatch-build runs the differ
 * twice over:
 *
 *   - on the changed object with --untraced-out FILE: such a function F is
 *     carried like a local one (untraced.c), under the module-internal
 *     global name "__kpb_untraced.F" (a '.' no C identifier has, so no
 *     kernel symbol is named so), and F is listed in FILE;
 *   - on each object that refers to F with --untraced-in FILE (the same
 *     list), usually with ORIG.o and PATCHED.o the same unchanged object:
 *     every function calling F is changed (a traced one replaced, an
 *     untraced one carried and walked up by untraced.c), and its calls to F
 *     become plain undefined references to "__kpb_untraced.F", which the
 *     module's final link binds to the copy, not klp relocations to the
 *     kernel's old F.
 *
 * Refused: F exported (Module.symvers lists it; callers in modules,
 * out-of-tree ones included, cannot all be found), F's address taken in
 * any object the differ sees, a caller that is __init, entry or noinstr
 * code.
 */
#include "cdo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CARRIED_PREFIX "__kpb_untraced."

static void add_name(char ***names, size_t *nr, const char *name)
{
	for (size_t i = 0; i < *nr; i++)
		if (!strcmp((*names)[i], name))
			return;
	*names = xrealloc(*names, (*nr + 1) * sizeof(char *));
	(*names)[(*nr)++] = xstrdup(name);
}

/* --untraced-in FILE: one function name a line; blank lines and '#' comments. */
static enum kpb_status read_untraced_names(struct cdo *c, const char *path, FILE *f)
{
	char line[4096];
	size_t ln = 0;

	while (fgets(line, sizeof(line), f)) {
		char *s = line, *end;

		ln++;
		if (!strchr(line, '\n') && !feof(f))
			return fail(c, KPB_ERROR, "%s:%zu: line too long", path, ln);
		s[strcspn(s, "#\r\n")] = '\0';
		s += strspn(s, " \t");
		end = s + strcspn(s, " \t");
		if (end[strspn(end, " \t")])
			return fail(c, KPB_ERROR, "%s:%zu: expected one function name", path, ln);
		*end = '\0';
		if (*s)
			add_name(&c->untraced.called, &c->untraced.nr_called, s);
	}
	if (ferror(f))
		return fail(c, KPB_ERROR, "%s: read error", path);
	return KPB_OK;
}

enum kpb_status read_untraced_list(struct cdo *c)
{
	const char *path = c->args.untraced_in_path;
	enum kpb_status st;
	FILE *f;

	if (!path)
		return KPB_OK;
	f = fopen(path, "r");
	if (!f)
		return fail(c, KPB_ERROR, "%s: %s", path, strerror(errno));
	st = read_untraced_names(c, path, f);
	fclose(f);
	return st;
}

bool is_listed_untraced(const struct cdo *c, const char *name)
{
	for (size_t i = 0; i < c->untraced.nr_called; i++)
		if (!strcmp(c->untraced.called[i], name))
			return true;
	return false;
}

char *carried_global_name(const char *name)
{
	return xasprintf(CARRIED_PREFIX "%s", name);
}

bool may_carry_globals(const struct cdo *c)
{
	return c->args.untraced_out_path != NULL;
}

void note_carried_global(struct cdo *c, const struct symbol *o)
{
	add_name(&c->untraced.globals, &c->untraced.nr_globals, o->name);
}

/*
 * --untraced-out FILE: the globals this output carries, written (through a
 * temporary file and a rename) even when there are none, so that the
 * driver can tell an empty list from a failed run.
 */
enum kpb_status write_untraced_list(struct cdo *c)
{
	const char *path = c->args.untraced_out_path;
	enum kpb_status st = KPB_OK;
	char *tmp;
	FILE *f;

	if (!path)
		return KPB_OK;
	tmp = xasprintf("%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		st = fail(c, KPB_ERROR, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return st;
	}
	for (size_t i = 0; i < c->untraced.nr_globals; i++)
		fprintf(f, "%s\n", c->untraced.globals[i]);
	if (fclose(f) || rename(tmp, path)) {
		st = fail(c, KPB_ERROR, "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return st;
}

void free_untraced_lists(struct cdo *c)
{
	for (size_t i = 0; i < c->untraced.nr_called; i++)
		free(c->untraced.called[i]);
	for (size_t i = 0; i < c->untraced.nr_globals; i++)
		free(c->untraced.globals[i]);
	free(c->untraced.called);
	free(c->untraced.globals);
}
