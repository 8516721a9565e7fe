// SPDX-License-Identifier: GPL-2.0
/*
 * kpb-layout: refuse a patch that changes the layout of a type the running
 * kernel has objects of.
 *
 * A livepatch replaces functions, not data: every structure allocated
 * before it loads keeps the layout it was allocated with, and new code
 * compiled against another layout reads and writes it at the wrong
 * offsets.  So each type of the patched object (dwtypes.h: file-scope
 * structs, unions, typedef'd anonymous ones) that the original object has
 * too is compared with it (typediff.h); a changed layout is refused, with
 * every member that moved, changed size or type, or is gone, and the first
 * changed function that uses the type, unless the patch marked the type
 * with KPATCH_LAYOUT_CHANGE_OK() (kpatch-macros.h: the strings of section
 * .kpatch.layout_change_ok), or --safe names it.
 *
 * "Uses": the function's return type, parameters or local variables (its
 * own and those of what was inlined into it) refer to the type, or to a
 * type holding it by value, directly or through pointers, arrays and
 * typedefs; or the function relocates against a variable of this object
 * whose type does.  "Changed": the function is new, or its bytes or its
 * relocations (type, offset, target; addends too unless against a section
 * symbol) differ from the original's.
 */
#include "dwtypes.h"
#include "elfobj.h"
#include "log.h"
#include "typediff.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARKER_SECTION ".kpatch.layout_change_ok"

enum { ORIG, PATCHED };

static const char usage_text[] =
	"Usage: kpb-layout [--name NAME] [--safe TYPE]... ORIGINAL PATCHED\n"
	"       kpb-layout --markers OBJECT...\n"
	"\n"
	"Compare the layouts of the types of two relocatable objects (their DWARF):\n"
	"every struct, union or typedef'd anonymous struct of PATCHED that ORIGINAL\n"
	"has too must have the same size and, for each member of ORIGINAL, the same\n"
	"offset, size and type.  A member added into padding is no change.  Each\n"
	"changed type is named with its changes and the first changed function that\n"
	"uses it.  Types marked KPATCH_LAYOUT_CHANGE_OK() in PATCHED, or named with\n"
	"--safe (\"struct foo\", \"Node\"), are only noted.  --name: the object's name\n"
	"in messages (default: PATCHED).\n"
	"\n"
	"--markers: print the types the OBJECTs mark KPATCH_LAYOUT_CHANGE_OK(), one\n"
	"a line.\n"
	"\n"
	"Exit status: 0 no layout change (or only marked ones); 1 error (unreadable\n"
	"object, no DWARF); 2 a layout changed: refused.\n";

struct options {
	const char *name;
	const char *path[2];
	char **safe;
	size_t nr_safe;
	bool markers;
	char **objects;
	size_t nr_objects;
};

struct check {
	const char *name;
	struct dw_object *dw[2];
	struct elf_obj *elf[2];
	char **safe;
	size_t nr_safe;
	bool *reaches;		/* per patched type: it is, or holds by value, the type checked */
};

/* ---- markers -------------------------------------------------------------- */

/* "struct  foo" as the preprocessor may space it -> "struct foo". */
static char *normalise_type(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *p = out;

	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			if (p != out && p[-1] != ' ')
				*p++ = ' ';
			continue;
		}
		*p++ = *s;
	}
	if (p != out && p[-1] == ' ')
		p--;
	*p = '\0';
	return out;
}

static void add_string(char ***list, size_t *nr, char *s)
{
	*list = xrealloc(*list, (*nr + 1) * sizeof(**list));
	(*list)[(*nr)++] = s;
}

/* The marker section: the types' names as NUL-terminated strings. */
static void read_markers(const struct elf_obj *elf, char ***list, size_t *nr)
{
	const struct section *sec = find_section(elf, MARKER_SECTION);
	size_t off = 0;

	if (!sec || !sec->data)
		return;
	while (off < sec->size) {
		const char *s = (const char *)sec->data + off;
		const char *end = memchr(s, '\0', sec->size - off);

		if (!end)
			ERROR("%s: section %s: an entry at 0x%zx is not a string", elf->path,
			      MARKER_SECTION, off);
		if (end != s)
			add_string(list, nr, normalise_type(s));
		off += (size_t)(end - s) + 1;
	}
}

static bool is_marked_safe(const struct check *c, const char *key)
{
	for (size_t i = 0; i < c->nr_safe; i++)
		if (!strcmp(c->safe[i], key))
			return true;
	return false;
}

/* ---- which functions changed ------------------------------------------------ */

/*
 * The ELF symbol of the function DWARF names @name: itself, or a copy GCC
 * renamed (name.isra.0, name.constprop.0, name.part.0).
 */
static struct symbol *function_symbol(const struct elf_obj *elf, const char *name)
{
	struct symbol *sym = find_symbol(elf, name);
	size_t len = strlen(name);

	if (sym && is_func(sym) && sym->sec)
		return sym;
	for_each_symbol(elf, sym)
		if (is_func(sym) && sym->sec && !strncmp(sym->name, name, len) &&
		    sym->name[len] == '.')
			return sym;
	return NULL;
}

static const char *rela_target(const struct rela *r)
{
	return is_section_sym(r->sym) && r->sym->sec ? r->sym->sec->name : r->sym->name;
}

static size_t function_relas(const struct symbol *fn, struct rela **first)
{
	const struct section *sec = fn->sec;
	struct rela *r;
	size_t n = 0;

	*first = NULL;
	if (!sec->rela)
		return 0;
	r = find_rela_from(sec, fn->value);
	*first = r;
	while (r && r < sec->rela->relas + sec->rela->nr_relas && r->offset < fn->value + fn->size) {
		n++;
		r++;
	}
	return n;
}

static bool same_function(const struct symbol *o, const struct symbol *p)
{
	struct rela *ro, *rp;
	size_t n = function_relas(o, &ro);

	if (o->size != p->size || !o->sec->data || !p->sec->data ||
	    o->value + o->size > o->sec->size || p->value + p->size > p->sec->size ||
	    memcmp(o->sec->data + o->value, p->sec->data + p->value, o->size) ||
	    n != function_relas(p, &rp))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (ro[i].offset - o->value != rp[i].offset - p->value ||
		    ro[i].type != rp[i].type || strcmp(rela_target(&ro[i]), rela_target(&rp[i])) ||
		    (!is_section_sym(ro[i].sym) && ro[i].addend != rp[i].addend))
			return false;
	}
	return true;
}

static bool function_changed(const struct check *c, const struct symbol *p)
{
	struct symbol *o = find_symbol(c->elf[ORIG], p->name);

	return !o || !is_func(o) || !o->sec || !same_function(o, p);
}

/* ---- which functions use a type ---------------------------------------------- */

static void mark_reaching_types(struct check *c, const struct dw_type *target)
{
	const struct dw_object *dw = c->dw[PATCHED];
	bool grew = true;

	memset(c->reaches, 0, dw->nr_types * sizeof(*c->reaches));
	c->reaches[target->index] = true;
	while (grew) {
		grew = false;
		for (size_t i = 0; i < dw->nr_types; i++) {
			const struct dw_type *t = dw->types[i];

			for (size_t j = 0; j < t->nr_embeds && !c->reaches[i]; j++) {
				const struct dw_type *e = dw_find_type(dw, t->embeds[j]);

				if (e && c->reaches[e->index])
					c->reaches[i] = grew = true;
			}
		}
	}
}

static bool user_reaches(const struct check *c, const struct dw_user *u)
{
	for (size_t i = 0; i < u->nr_uses; i++) {
		const struct dw_type *t = dw_find_type(c->dw[PATCHED], u->uses[i]);

		if (t && c->reaches[t->index])
			return true;
	}
	return false;
}

/* The variable a relocation of code refers to (an object symbol, or a
 * section symbol of -fdata-sections' .data.NAME, .bss.NAME, ...). */
static const struct symbol *rela_variable(const struct rela *r)
{
	const struct section *sec = r->sym->sec;

	if (!is_section_sym(r->sym))
		return r->sym->type == STT_OBJECT ? r->sym : NULL;
	if (!sec || !sec->nr_syms)
		return NULL;
	return find_symbol_containing(sec, r->addend > 0 ? (uint64_t)r->addend : 0);
}

static bool function_uses(const struct check *c, const struct dw_user *f, const struct symbol *sym)
{
	struct rela *r;
	size_t n;

	if (user_reaches(c, f))
		return true;
	n = function_relas(sym, &r);
	for (size_t i = 0; i < n; i++) {
		const struct symbol *var = rela_variable(&r[i]);
		const struct dw_user *v = var ? dw_find_var(c->dw[PATCHED], var->name) : NULL;

		if (v && user_reaches(c, v))
			return true;
	}
	return false;
}

static const char *first_changed_user(struct check *c, const struct dw_type *type)
{
	const struct dw_object *dw = c->dw[PATCHED];

	mark_reaching_types(c, type);
	for (size_t i = 0; i < dw->nr_funcs; i++) {
		const struct dw_user *f = dw->funcs[i];
		struct symbol *sym = function_symbol(c->elf[PATCHED], f->name);

		if (sym && function_changed(c, sym) && function_uses(c, f, sym))
			return sym->name;
	}
	return NULL;
}

/* ---- the check ----------------------------------------------------------------- */

static void report_changes(const struct check *c, const struct dw_type *t,
			   const struct layout_change *changes, size_t nr, const char *level)
{
	for (size_t i = 0; i < nr; i++) {
		char *what = describe_change(&changes[i]);

		log_msg(level, "%s: %s: %s", c->name, t->key, what);
		free(what);
	}
}

static char *defined_at(const struct dw_type *t)
{
	if (!t->decl_file)
		return xstrdup("");
	return xasprintf(" (%s:%u)", t->decl_file, t->decl_line);
}

/* Returns true when @t's layout changed and nothing marks it safe. */
static bool check_type(struct check *c, const struct dw_type *t)
{
	const struct dw_type *o = dw_find_type(c->dw[ORIG], t->key);
	struct layout_change *changes;
	size_t nr;
	char *at;
	const char *fn;

	if (!o || !(nr = diff_layout(o, t, &changes)))
		return false;
	at = defined_at(t);
	if (is_marked_safe(c, t->key)) {
		report_changes(c, t, changes, nr, "note");
		log_msg("note", "%s: %s%s: layout changed, marked KPATCH_LAYOUT_CHANGE_OK: accepted",
			c->name, t->key, at);
		free(at);
		free(changes);
		return false;
	}
	report_changes(c, t, changes, nr, "error");
	fn = first_changed_user(c, t);
	if (fn)
		log_msg("error", "%s: %s%s: layout changed; first changed function using it: %s",
			c->name, t->key, at, fn);
	else
		log_msg("error", "%s: %s%s: layout changed; no changed function of this object uses it",
			c->name, t->key, at);
	log_msg("error", "%s: %s: objects of the running kernel keep the old layout; a patch that "
		"copes with it (shadow variables) marks it KPATCH_LAYOUT_CHANGE_OK(%s) (kpatch-macros.h)",
		c->name, t->key, t->key);
	free(at);
	free(changes);
	return true;
}

static struct dw_object *read_dwarf(const char *path)
{
	char err[512];
	struct dw_object *dw = dw_read(path, err, sizeof(err));

	if (!dw)
		ERROR("%s", err);
	return dw;
}

/*
 * The symbols, code and marks are read only once a layout changed: most
 * objects of a patch change none, and their DWARF is all they need.
 */
static void read_objects(struct check *c, const struct options *opt)
{
	if (c->elf[PATCHED])
		return;
	for (int i = ORIG; i <= PATCHED; i++)
		c->elf[i] = elf_read(opt->path[i]);
	read_markers(c->elf[PATCHED], &c->safe, &c->nr_safe);
}

static int compare_objects(const struct options *opt)
{
	struct check c = { .name = opt->name ? opt->name : opt->path[PATCHED] };
	size_t nr_refused = 0;

	for (int i = ORIG; i <= PATCHED; i++)
		c.dw[i] = read_dwarf(opt->path[i]);
	for (size_t i = 0; i < opt->nr_safe; i++)
		add_string(&c.safe, &c.nr_safe, xstrdup(opt->safe[i]));
	c.reaches = xcalloc(c.dw[PATCHED]->nr_types + 1, sizeof(*c.reaches));
	for (size_t i = 0; i < c.dw[PATCHED]->nr_types; i++) {
		const struct dw_type *t = c.dw[PATCHED]->types[i];
		const struct dw_type *o = dw_find_type(c.dw[ORIG], t->key);
		struct layout_change *changes = NULL;

		if (!o || !diff_layout(o, t, &changes))
			continue;
		free(changes);
		read_objects(&c, opt);
		nr_refused += check_type(&c, t);
	}
	for (int i = ORIG; i <= PATCHED; i++) {
		dw_free(c.dw[i]);
		if (c.elf[i])
			elf_free(c.elf[i]);
	}
	for (size_t i = 0; i < c.nr_safe; i++)
		free(c.safe[i]);
	free(c.safe);
	free(c.reaches);
	return nr_refused ? KPB_UNSUPPORTED : KPB_OK;
}

static int print_markers(const struct options *opt)
{
	for (size_t i = 0; i < opt->nr_objects; i++) {
		struct elf_obj *elf = elf_read(opt->objects[i]);
		char **list = NULL;
		size_t nr = 0;

		read_markers(elf, &list, &nr);
		for (size_t j = 0; j < nr; j++) {
			printf("%s\n", list[j]);
			free(list[j]);
		}
		free(list);
		elf_free(elf);
	}
	return KPB_OK;
}

static _Noreturn void usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			usage(0);
		else if (!strcmp(argv[i], "--markers"))
			opt->markers = true;
		else if (!strcmp(argv[i], "--safe") && i + 1 < argc)
			add_string(&opt->safe, &opt->nr_safe, normalise_type(argv[++i]));
		else if (!strcmp(argv[i], "--name") && i + 1 < argc)
			opt->name = argv[++i];
		else
			usage(KPB_ERROR);
	}
	if (opt->markers) {
		if (i == argc)
			usage(KPB_ERROR);
		opt->objects = &argv[i];
		opt->nr_objects = (size_t)(argc - i);
		return;
	}
	if (argc - i != 2)
		usage(KPB_ERROR);
	opt->path[ORIG] = argv[i];
	opt->path[PATCHED] = argv[i + 1];
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	int status;

	log_progname = "kpb-layout";
	parse_options(argc, argv, &opt);
	status = opt.markers ? print_markers(&opt) : compare_objects(&opt);
	for (size_t i = 0; i < opt.nr_safe; i++)
		free(opt.safe[i]);
	free(opt.safe);
	return status;
}
