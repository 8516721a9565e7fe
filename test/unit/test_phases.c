// SPDX-License-Identifier: GPL-2.0
/*
 * create-diff-object's phases in process, on objects built in memory (no
 * file, no compiler): correlate_objects() pairs renumbered statics,
 * compare_objects() tells SAME, CHANGED and NEW apart and counts, the
 * mutators keep their owners' rules (mark_changed() counts a function once
 * and never an alias; include_on_demand() includes an alias's primary).
 */
#include "../../create-diff-object/cdo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static const unsigned char same_code[8] = { 0x55, 0x48, 0x89, 0xe5, 0x5d, 0xc3, 0x90, 0x90 };
static const unsigned char old_code[8] = { 0x31, 0xc0, 0xc3, 0x90, 0x90, 0x90, 0x90, 0x90 };
static const unsigned char new_code[8] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3, 0x90, 0x90 };

static struct symbol *add_function(struct elf_obj *elf, const char *name, unsigned char bind,
				   const unsigned char *code)
{
	char secname[64];
	struct section *sec;

	snprintf(secname, sizeof(secname), ".text.%s", name);
	sec = section_new(elf, secname, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0, 16);
	section_append(sec, code, 8, 1);
	symbol_new(elf, "", STB_LOCAL, STT_SECTION, sec, 0, 0);
	return symbol_new(elf, name, bind, STT_FUNC, sec, 0, 8);
}

/*
 * foo (local, with the global alias init_module, as module_init() makes
 * it), bar, a static "count.N" numbered differently in each build, and in
 * the patched build a new global baz.
 */
static struct elf_obj *build_object(enum side side)
{
	struct elf_obj *elf = elf_new(side == ORIG ? "orig.o" : "patched.o");
	struct symbol *foo = add_function(elf, "foo", STB_LOCAL, same_code);
	struct section *data;
	static const unsigned char zero[4];

	symbol_new(elf, "init_module", STB_GLOBAL, STT_FUNC, foo->sec, 0, 8);
	add_function(elf, "bar", STB_GLOBAL, side == ORIG ? old_code : new_code);
	data = section_new(elf, side == ORIG ? ".data.count.12" : ".data.count.14", SHT_PROGBITS,
			   SHF_ALLOC | SHF_WRITE, 0, 4);
	section_append(data, zero, sizeof(zero), 1);
	symbol_new(elf, side == ORIG ? "count.12" : "count.14", STB_LOCAL, STT_OBJECT, data, 0, 4);
	if (side == PATCHED)
		add_function(elf, "baz", STB_GLOBAL, old_code);
	section_index_symbols(elf);
	return elf;
}

static void setup(struct cdo *c)
{
	memset(c, 0, sizeof(*c));
	c->args.path[ORIG] = "orig.o";
	c->args.path[PATCHED] = "patched.o";
	c->args.parent = "vmlinux";
	for (int s = 0; s < 2; s++) {
		c->elf[s] = build_object((enum side)s);
		c->unit[s] = find_units(c->elf[s]);
	}
	correlate_objects(c);
	read_markers(c);
	compare_objects(c);
}

static struct symbol *sym(const struct cdo *c, enum side s, const char *name)
{
	return find_symbol(c->elf[s], name);
}

static void test_correlate(const struct cdo *c)
{
	check(sym_twin(c, PATCHED, sym(c, PATCHED, "bar")) == sym(c, ORIG, "bar"),
	      "correlate: bar is twinned by name");
	check(sym_twin(c, PATCHED, sym(c, PATCHED, "count.14")) == sym(c, ORIG, "count.12"),
	      "correlate: count.14 is count.12 renumbered (one canonical namesake)");
	check(!sym_twin(c, PATCHED, sym(c, PATCHED, "baz")), "correlate: new baz has no twin");
}

static void test_compare(const struct cdo *c)
{
	check(change_of(c, sym(c, PATCHED, "foo")) == SAME, "compare: foo, same bytes, is SAME");
	check(change_of(c, sym(c, PATCHED, "bar")) == CHANGED, "compare: bar, new bytes, is CHANGED");
	check(change_of(c, sym(c, PATCHED, "baz")) == NEW, "compare: baz is NEW");
	check(c->cmp.nr_changed == 1 && c->cmp.nr_new == 1,
	      "compare: one changed and one new function counted (got %zu, %zu)",
	      c->cmp.nr_changed, c->cmp.nr_new);
}

static void test_mark_changed(struct cdo *c)
{
	struct symbol *foo = sym(c, PATCHED, "foo"), *alias = sym(c, PATCHED, "init_module");

	mark_changed(c, alias, "test");
	check(change_of(c, alias) == CHANGED && c->cmp.nr_changed == 1,
	      "mark_changed: an alias becomes CHANGED but is not counted (nr_changed %zu)",
	      c->cmp.nr_changed);
	mark_changed(c, foo, "calls untraced %s", "test");
	mark_changed(c, foo, NULL);
	check(change_of(c, foo) == CHANGED && c->cmp.nr_changed == 2,
	      "mark_changed: a function marked twice is counted once (nr_changed %zu)",
	      c->cmp.nr_changed);
	mark_changed(c, sym(c, PATCHED, "baz"), NULL);
	check(change_of(c, sym(c, PATCHED, "baz")) == NEW, "mark_changed: NEW stays NEW");
}

static void test_include(struct cdo *c)
{
	struct symbol *foo = sym(c, PATCHED, "foo"), *alias = sym(c, PATCHED, "init_module");

	include_changed_functions(c);
	check(is_included(c, sym(c, PATCHED, "bar")), "include: changed bar is included");
	check(is_included(c, sym(c, PATCHED, "baz")), "include: new global baz is included");
	check(!is_included(c, sym(c, PATCHED, "count.14")), "include: unreferenced count.14 is not");
	check(is_included(c, foo) && !is_included(c, alias),
	      "include: changed foo and its alias init_module: only the primary is included");
	c->inc.sym[foo->index] = false;
	check(include_on_demand(c, alias) && is_included(c, foo) && !is_included(c, alias),
	      "include_on_demand: an alias includes its primary");
	check(!include_on_demand(c, foo), "include_on_demand: false when already included");
}

int main(void)
{
	struct cdo c;

	if (!tap_begin("test_phases"))
		return 1;
	log_progname = "test_phases";
	setup(&c);
	test_correlate(&c);
	test_compare(&c);
	test_mark_changed(&c);
	test_include(&c);
	free_cdo(&c);
	return tap_end();
}
