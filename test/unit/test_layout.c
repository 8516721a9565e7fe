// SPDX-License-Identifier: GPL-2.0
/*
 * create-diff-object/layout.c: which entry layout a special section has,
 * on hand-built sections: told by relocation offsets, widths and kinds,
 * short last entries, refusals (no fit, two fits, a probed size that the
 * relocations contradict).
 */
#include "../../create-diff-object/layout.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#define REL32(off) { .offset = (off), .width = 4, .cls = RELOC_RELATIVE }
#define REL64(off) { .offset = (off), .width = 8, .cls = RELOC_RELATIVE }
#define ABS64(off) { .offset = (off), .width = 8, .cls = RELOC_ABSOLUTE }

static const struct entry_layout jump[] = {
	{ .what = "relative", .size = 16, .fields = { REL32(0), REL32(4), REL64(8) } },
	{ .what = "absolute", .size = 24, .fields = { ABS64(0), ABS64(8), ABS64(16) } },
};
static const struct layout_set jump_set = { jump, 2, "TEST_JUMP_SIZE" };

static const struct entry_layout para[] = {
	{ .what = "absolute", .size = 16, .fields = { ABS64(0) }, .pad = 6 },
};
static const struct layout_set para_set = { para, 1, NULL };

/* Two layouts of different sizes that one section can fit. */
static const struct entry_layout twin[] = {
	{ .what = "one pointer", .size = 8, .fields = { ABS64(0) } },
	{ .what = "two pointers", .size = 16, .fields = { ABS64(0), ABS64(8) } },
};
static const struct layout_set twin_set = { twin, 2, NULL };

static struct section sec, relasec;
static struct rela relas[16];

/* A section of @size bytes with relocations of @types at @offsets. */
static void make_section(uint64_t size, size_t n, const uint64_t *offsets,
			 const uint32_t *types)
{
	memset(&sec, 0, sizeof(sec));
	memset(&relasec, 0, sizeof(relasec));
	sec.name = "__test_table";
	sec.size = size;
	sec.rela = &relasec;
	relasec.base = &sec;
	relasec.relas = relas;
	relasec.nr_relas = n;
	for (size_t i = 0; i < n; i++)
		relas[i] = (struct rela){ .offset = offsets[i], .type = types[i] };
}

static char died[512];

/* choose_layout(), or NULL with its message in died[] when it refuses. */
static const struct entry_layout *choose(const struct layout_set *set)
{
	static struct entry_layout scratch;

	died[0] = '\0';
	return choose_layout("test.o", &sec, set, &scratch, died, sizeof(died));
}

static void test_jump_tables(void)
{
	const uint64_t off[] = { 0, 8, 16, 24, 32, 40 };
	const uint32_t abs[] = { R_X86_64_64, R_X86_64_64, R_X86_64_64,
				 R_X86_64_64, R_X86_64_64, R_X86_64_64 };
	const uint64_t roff[] = { 0, 4, 8, 16, 20, 24, 32, 36, 40 };
	const uint32_t rel[] = { R_X86_64_PC32, R_X86_64_PC32, R_X86_64_PC64,
				 R_X86_64_PC32, R_X86_64_PC32, R_X86_64_PC64,
				 R_X86_64_PC32, R_X86_64_PC32, R_X86_64_PC64 };
	const struct entry_layout *l;

	make_section(48, 6, off, abs);
	l = choose(&jump_set);
	check(l && l->size == 24, "48 bytes of absolute relocations: 24-byte entries, not 16");
	make_section(48, 9, roff, rel);
	l = choose(&jump_set);
	check(l && l->size == 16, "48 bytes of relative relocations: 16-byte entries");
	setenv("TEST_JUMP_SIZE", "16", 1);
	make_section(48, 6, off, abs);
	l = choose(&jump_set);
	check(!l && strstr(died, "section __test_table: size 48 does not hold entries of "
			   "TEST_JUMP_SIZE=16") && strstr(died, "8-byte absolute"),
	      "a probed size the relocation kinds contradict is refused: %s", died);
	setenv("TEST_JUMP_SIZE", "32", 1);
	make_section(64, 6, (const uint64_t[]){ 0, 4, 8, 32, 36, 40 },
		     (const uint32_t[]){ R_X86_64_PC32, R_X86_64_PC32, R_X86_64_PC64,
					 R_X86_64_PC32, R_X86_64_PC32, R_X86_64_PC64 });
	l = choose(&jump_set);
	check(l && l->size == 32 && !strcmp(l->what, "probed"),
	      "a probed size no layout has: the newest layout's fields in it");
	unsetenv("TEST_JUMP_SIZE");
}

static void test_short_last_entry(void)
{
	const uint64_t off[] = { 0, 16 };
	const uint32_t abs[] = { R_X86_64_64, R_X86_64_64 };
	const struct entry_layout *l;

	make_section(26, 2, off, abs);
	l = choose(&para_set);
	check(l && l->size == 16, "last entry short by 6 of 6 bytes of padding: accepted");
	make_section(20, 2, off, abs);
	l = choose(&para_set);
	check(!l && strstr(died, "size 20 fits no known entry layout") &&
	      strstr(died, "short by 12, its tail padding is 6"),
	      "short by more than the padding: refused: %s", died);
	make_section(26, 2, (const uint64_t[]){ 0, 14 }, abs);
	l = choose(&para_set);
	check(!l && strstr(died, "relocation at 0xe is at entry offset 14"),
	      "a relocation off its field: refused: %s", died);
}

static void test_refusals(void)
{
	const uint64_t off[] = { 0, 8 };
	const uint32_t abs[] = { R_X86_64_64, R_X86_64_64 };
	const struct entry_layout *l;

	make_section(16, 2, off, abs);
	l = choose(&twin_set);
	check(!l && strstr(died, "size 16 fits both the 8-byte one pointer and the 16-byte "
			   "two pointers layout"), "two layouts of different sizes: refused: %s",
	      died);
	make_section(16, 2, (const uint64_t[]){ 0, 0 }, abs);
	l = choose(&para_set);
	check(!l && strstr(died, "two relocations at 0x0"), "duplicate relocation: refused");
	make_section(32, 1, off, abs);
	l = choose(&para_set);
	check(!l && strstr(died, "2 entries of the absolute layout would need 2 relocations"),
	      "an entry without its required relocation: refused: %s", died);
}

int main(void)
{
	if (!tap_begin("test_layout"))
		return 1;
	test_jump_tables();
	test_short_last_entry();
	test_refusals();
	return tap_end();
}
