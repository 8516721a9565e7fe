// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0: what a section is.  The one table of section kinds (kinds.h says
 * what each column means) and the x86_64 entry layouts of the special
 * sections (layout.c chooses among them by their relocations).  Knows no
 * phase: correlate, compare, same, include, output and special read it.
 */
#include "cdo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REL32(off) { .offset = (off), .width = 4, .cls = RELOC_RELATIVE }
/* A field some entries leave unrelocated (special.c says when that is sound). */
#define OPT_REL32(off) { .offset = (off), .width = 4, .cls = RELOC_RELATIVE, .optional = true }
#define REL64(off) { .offset = (off), .width = 8, .cls = RELOC_RELATIVE }
#define ABS64(off) { .offset = (off), .width = 8, .cls = RELOC_ABSOLUTE }
#define LAYOUT(w, sz, ...) .what = (w), .size = (sz), .fields = { __VA_ARGS__ }
#define LAYOUTS(arr, env) { .layouts = (arr), .nr = sizeof(arr) / sizeof(*(arr)), .size_env = (env) }

/*
 * x86_64 entry layouts, newest first.  asm/bug.h pads each entry with
 * ".org 2b+size"; paravirt_types.h aligned only before each entry until
 * an _ASM_ALIGN after it was added (6.1 has both), so older kernels' last
 * .parainstructions entry lacks its tail padding: 4 bytes with the u16
 * clobbers field, 6 without.
 */
static const struct entry_layout bug_layouts[] = {
	{ LAYOUT("relative, verbose", 12, REL32(0), REL32(4)) },
	{ LAYOUT("relative", 8, REL32(0)), .pad = 2 },
	{ LAYOUT("absolute, verbose", 24, ABS64(0), ABS64(8)), .pad = 4 },
	{ LAYOUT("absolute", 16, ABS64(0)), .pad = 6 },
};

static const struct entry_layout ex_layouts[] = {
	/* 5.16+: insn, fixup, data (type and register, no relocation) */
	{ LAYOUT("insn/fixup/data", 12, REL32(0), REL32(4)) },
	/* 4.6 to 5.15: insn, fixup, handler */
	{ LAYOUT("insn/fixup/handler", 12, REL32(0), REL32(4), REL32(8)) },
};

/* The replacement length is alt_instr's replacementlen byte. */
static const struct entry_layout alt_layouts[] = {
	{ LAYOUT("instrlen/replacementlen", 12, REL32(0), REL32(4)), .len_offset = 11 },
	{ LAYOUT("ft_flags", 14, REL32(0), REL32(4)), .len_offset = 13 },	/* 6.3+ */
	/*
	 * To 5.x; an alternative that replaces with nothing may carry no
	 * relocation for its replacement offset, which is then never read.
	 */
	{ LAYOUT("padlen", 13, REL32(0), OPT_REL32(4)), .len_offset = 11 },
};

static const struct entry_layout jump_layouts[] = {
	{ LAYOUT("relative", 16, REL32(0), REL32(4), REL64(8)), .key_field = 8 },	/* 5.0+ */
	{ LAYOUT("absolute", 24, ABS64(0), ABS64(8), ABS64(16)), .key_field = 16 },
};

static const struct entry_layout static_call_layouts[] = {
	{ LAYOUT("relative", 8, REL32(0), REL32(4)), .key_field = 4 },
};

/* struct paravirt_patch_site: instr, type, len (and clobbers before 5.x). */
static const struct entry_layout para_layouts[] = {
	{ LAYOUT("absolute", 16, ABS64(0)), .pad = 6 },
};

static const struct entry_layout rel32_layouts[] = { { LAYOUT("s32", 4, REL32(0)) } };
static const struct entry_layout ptr_layouts[] = { { LAYOUT("pointer", 8, ABS64(0)) } };

/*
 * One row per kind.  Unset fields are 0: matched by name, compared through
 * the code they locate, kept by the code the first field points at, emitted
 * as the kept entries (special.c), KEY_ANY.
 */
static const struct section_kind kinds[] = {
	/* The kernel's special sections: tables of entries that point at code. */
	{ .name = "__bug_table", .special = true,
	  .layouts = LAYOUTS(bug_layouts, "BUG_STRUCT_SIZE") },
	{ .name = "__ex_table", .special = true, .compare = COMPARE_ENTRIES,
	  .layouts = LAYOUTS(ex_layouts, "EX_STRUCT_SIZE") },
	{ .name = ".altinstructions", .special = true, .compare = COMPARE_ENTRIES,
	  .layouts = LAYOUTS(alt_layouts, "ALT_STRUCT_SIZE"), .aux = ".altinstr_replacement" },
	{ .name = "__jump_table", .special = true, .compare = COMPARE_ENTRIES,
	  .layouts = LAYOUTS(jump_layouts, "JUMP_STRUCT_SIZE"), .key_check = KEY_LOADABLE },
	{ .name = ".static_call_sites", .special = true, .compare = COMPARE_ENTRIES,
	  .layouts = LAYOUTS(static_call_layouts, "STATIC_CALL_STRUCT_SIZE"),
	  .key_check = KEY_DROP_IF_KLP },
	{ .name = ".parainstructions", .special = true, .compare = COMPARE_ENTRIES,
	  .layouts = LAYOUTS(para_layouts, "PARA_STRUCT_SIZE") },
	{ .name = ".retpoline_sites", .special = true, .layouts = LAYOUTS(rel32_layouts, NULL) },
	{ .name = ".return_sites", .special = true, .layouts = LAYOUTS(rel32_layouts, NULL) },
	{ .name = ".call_sites", .special = true, .layouts = LAYOUTS(rel32_layouts, NULL) },
	{ .name = ".ibt_endbr_seal", .special = true, .layouts = LAYOUTS(rel32_layouts, NULL) },
	{ .name = ".smp_locks", .special = true, .layouts = LAYOUTS(rel32_layouts, NULL) },
	{ .name = "__mcount_loc", .special = true, .layouts = LAYOUTS(ptr_layouts, NULL) },
	/* ORC_STRUCT_SIZE is .orc_unwind's entry (copy_orc_entry); these are s32. */
	{ .name = ".orc_unwind_ip", .special = true, .layouts = LAYOUTS(rel32_layouts, NULL) },
	/*
	 * An array of pointers to struct pi_entry (fmt, func, file, ...), each
	 * a static object of the function that prints; PRINTK_INDEX_STRUCT_SIZE
	 * is the pointee's size.
	 */
	{ .name = ".printk_index", .special = true, .layouts = LAYOUTS(ptr_layouts, NULL),
	  .keep = KEEP_BY_POINTEE_FUNC, .pointee_func = 8,
	  .pointee_size_env = "PRINTK_INDEX_STRUCT_SIZE" },
	{ .name = "__patchable_function_entries", .special = true,
	  .layouts = LAYOUTS(ptr_layouts, NULL), .keep = KEEP_BY_LINK, .emit = EMIT_LINKED },
	/* Consumed by objtool, kpb-layout or create-diff-object itself. */
	{ .name = ".discard.*", .special = true, .keep = KEEP_NONE, .emit = EMIT_NONE },
	{ .name = ".kpatch.ignore.*", .special = true, .keep = KEEP_NONE, .emit = EMIT_NONE },
	{ .name = ".kpatch.force", .special = true, .keep = KEEP_NONE, .emit = EMIT_NONE },
	/* KPATCH_LAYOUT_CHANGE_OK's type names, read by kpb-layout. */
	{ .name = ".kpatch.layout_change_ok", .special = true, .keep = KEEP_NONE,
	  .emit = EMIT_NONE },
	{ .name = "__tracepoints_ptrs", .special = true, .keep = KEEP_NONE, .emit = EMIT_NONE },
	/* Unwind tables of user-space style builds; the kernel unwinds with ORC. */
	{ .name = ".eh_frame", .special = true, .keep = KEEP_NONE, .emit = EMIT_NONE },
	/* Kept with the entries of another table. */
	{ .name = ".altinstr_replacement", .special = true, .keep = KEEP_WITH_TABLE,
	  .emit = EMIT_SECTION },
	{ .name = ".orc_unwind", .special = true, .keep = KEEP_WITH_TABLE, .emit = EMIT_NONE },
	/*
	 * static_cpu_has()'s fallback code, entered by a "jmp 6f" of the
	 * function (arch/x86/include/asm/cpufeature.h): cut into pieces.
	 */
	{ .name = ".altinstr_aux", .special = true, .compare = COMPARE_PIECES,
	  .keep = KEEP_WITH_USER, .emit = EMIT_PIECES },
	/*
	 * Exception fixups of x86 kernels before 5.17 (arch/x86/include/asm/
	 * uaccess.h's "3: mov $-EFAULT, %0; jmp 2b"): one symbol-less section of
	 * the whole object, entered only by an __ex_table entry's fixup field and
	 * jumping back into its function.  Cut into pieces at those entries.
	 */
	{ .name = ".fixup", .special = true, .compare = COMPARE_PIECES, .keep = KEEP_WITH_USER,
	  .emit = EMIT_PIECES },
	/*
	 * Call-site descriptors: pr_debug() with CONFIG_DYNAMIC_DEBUG makes a
	 * static struct _ddebug __UNIQUE_ID_ddebugN (include/linux/dynamic_debug.h,
	 * 6.1, 6.12): modname, function, filename, format; then lineno:18,
	 * class_id:6, flags:8; then, with CONFIG_JUMP_LABEL, the static key.
	 */
	{ .name = "__dyndbg", .match = MATCH_SYMBOLS_BY_CONTENTS, .compare = COMPARE_BUT_LINE,
	  .keep = KEEP_WITH_USER, .emit = EMIT_ARRAY, .line_offset = 32, .line_bits = 18 },
	/* Its name before 4.9: the line at the same place (lineno:18, flags:8). */
	{ .name = "__verbose", .match = MATCH_SYMBOLS_BY_CONTENTS, .compare = COMPARE_BUT_LINE,
	  .keep = KEEP_WITH_USER, .emit = EMIT_ARRAY, .line_offset = 32, .line_bits = 18 },
	/*
	 * Per-call-site data the compiler makes and names by a counter: UBSAN's
	 * source locations and type descriptors (GCC), clang's unnamed data.
	 * With -fdata-sections each is a section without symbols that only the
	 * function using it refers to.
	 */
	{ .name = ".data..Lubsan_data*", .match = MATCH_SECTION_BY_CONTENTS,
	  .compare = COMPARE_DATA_BUT_LINE, .keep = KEEP_WITH_USER, .emit = EMIT_SECTION },
	{ .name = ".data..Lubsan_type*", .match = MATCH_SECTION_BY_CONTENTS,
	  .compare = COMPARE_DATA_BUT_LINE, .keep = KEEP_WITH_USER, .emit = EMIT_SECTION },
	{ .name = ".data..L__unnamed_*", .match = MATCH_SECTION_BY_CONTENTS,
	  .compare = COMPARE_DATA_BUT_LINE, .keep = KEEP_WITH_USER, .emit = EMIT_SECTION },
	{ .name = ".rodata..L__unnamed_*", .match = MATCH_SECTION_BY_CONTENTS,
	  .compare = COMPARE_DATA_BUT_LINE, .keep = KEEP_WITH_USER, .emit = EMIT_SECTION },
};

#define NR_KINDS (sizeof(kinds) / sizeof(*kinds))

static bool is_prefix_row(const struct section_kind *k)
{
	return k->name[strlen(k->name) - 1] == '*';
}

/*
 * Asked for every relocation compared: a name whose first two characters
 * start no row is no kind; else the exact names are searched in a sorted
 * index built once, the few prefixes one by one.  When a name fits two
 * rows, the first row of the table wins.
 */
static size_t exact_rows[NR_KINDS], nr_exact, prefix_rows[NR_KINDS], nr_prefix;
static size_t prefix_len[NR_KINDS];		/* [i]: of prefix_rows[i], without the '*' */
/* The first two characters of every row's name: most names (".text.foo") have none of them. */
static uint8_t starts[65536 / 8];

static unsigned int first_two(const char *name)
{
	return name[0] ? (unsigned char)name[0] << 8 | (unsigned char)name[1] : 0;
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(kinds[*(const size_t *)a].name, kinds[*(const size_t *)b].name);
}

static void index_kinds(void)
{
	for (size_t i = 0; i < NR_KINDS; i++) {
		unsigned int two = first_two(kinds[i].name);

		starts[two / 8] |= (uint8_t)(1u << (two % 8));
		if (is_prefix_row(&kinds[i])) {
			prefix_len[nr_prefix] = strlen(kinds[i].name) - 1;
			prefix_rows[nr_prefix++] = i;
		} else {
			exact_rows[nr_exact++] = i;
		}
	}
	qsort(exact_rows, nr_exact, sizeof(*exact_rows), cmp_row);
}

static size_t find_exact_row(const char *name)
{
	size_t lo = 0, hi = nr_exact;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = strcmp(kinds[exact_rows[mid]].name, name);

		if (!d)
			return exact_rows[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NR_KINDS;
}

static const struct section_kind *find_kind(const char *name, unsigned int two)
{
	size_t row = find_exact_row(name);

	for (size_t i = 0; i < nr_prefix && prefix_rows[i] < row; i++) {
		const char *prefix = kinds[prefix_rows[i]].name;

		if (first_two(prefix) == two && !strncmp(prefix, name, prefix_len[i])) {
			row = prefix_rows[i];
			break;
		}
	}
	return row < NR_KINDS ? &kinds[row] : NULL;
}

/*
 * The last answers, by section: a kind depends on the name alone, so an
 * answer is reused only for the same name (copied: the section may be
 * gone, as between the fuzzer's runs).  Longer names are not kept.
 */
#define KIND_CACHE 512

static struct {
	const struct section *sec;
	char name[48];
	const struct section_kind *kind;
} kind_cache[KIND_CACHE];

const struct section_kind *section_kind(const struct section *sec)
{
	unsigned int two = first_two(sec->name);
	size_t slot = ((uintptr_t)sec / sizeof(*sec)) % KIND_CACHE, len;
	const struct section_kind *kind;

	if (!nr_exact)
		index_kinds();
	if (!(starts[two / 8] & (1u << (two % 8))))
		return NULL;
	if (kind_cache[slot].sec == sec && !strcmp(kind_cache[slot].name, sec->name))
		return kind_cache[slot].kind;
	kind = find_kind(sec->name, two);
	len = strlen(sec->name);
	if (len < sizeof(kind_cache[slot].name)) {
		kind_cache[slot].sec = sec;
		memcpy(kind_cache[slot].name, sec->name, len + 1);
		kind_cache[slot].kind = kind;
	}
	return kind;
}

bool kind_layout(const struct section_kind *k, const struct section *sec,
		 struct entry_layout *scratch, const struct entry_layout **layout, char *err,
		 size_t errlen)
{
	*layout = NULL;
	if (!sec->rela || !sec->rela->nr_relas)
		return true;
	*layout = choose_layout(sec->elf->path, sec, &k->layouts, scratch, err, errlen);
	return *layout != NULL;
}

bool is_special_section(const struct section *sec)
{
	const struct section_kind *k = section_kind(sec);

	return k && k->special;
}

bool is_piece_section(const struct section *sec)
{
	const struct section_kind *k = section_kind(sec);

	return k && k->compare == COMPARE_PIECES;
}

bool is_callsite_data_section(const struct section *sec)
{
	const struct section_kind *k = section_kind(sec);

	return k && k->match == MATCH_SECTION_BY_CONTENTS;
}

bool is_callsite_descriptor(const struct symbol *sym)
{
	const struct section_kind *k;

	if (sym->type != STT_OBJECT || !sym->sec)
		return false;
	k = section_kind(sym->sec);
	return k && k->match == MATCH_SYMBOLS_BY_CONTENTS;
}

bool is_string_section(const struct section *sec)
{
	return (sec->sh.sh_flags & SHF_STRINGS) != 0;
}

/* ".rodata.str1.1", ".rodata.cst16": the linker merges equal entries. */
bool is_merged_section(const struct section *sec)
{
	return (sec->sh.sh_flags & SHF_MERGE) != 0;
}

bool is_init_section(const struct section *sec)
{
	return !strncmp(sec->name, ".init.", 6) || !strncmp(sec->name, ".exit.", 6) ||
	       !strcmp(sec->name, ".init.text") || !strcmp(sec->name, ".exit.text");
}

/* Any function or object defined in @sec? */
bool section_has_symbols(const struct section *sec)
{
	for (size_t i = 0; i < sec->nr_syms; i++)
		if (sec->syms[i]->type == STT_FUNC || sec->syms[i]->type == STT_OBJECT)
			return true;
	return false;
}

/*
 * GCC before 8, with -freorder-blocks-and-partition, left the unlikely
 * blocks of FN in .text.unlikely.FN under local labels only (.LCOLDB0,
 * .LCOLDE0), where GCC 8+ defines FN.cold: the section is code of FN, which
 * jumps into it and which it jumps back into.  (A __cold function's own
 * .text.unlikely.FN holds its symbol.)
 */
struct symbol *cold_section_parent(const struct section *sec)
{
	static const char prefix[] = ".text.unlikely.";
	struct symbol *fn;

	if (strncmp(sec->name, prefix, sizeof(prefix) - 1) ||
	    !(sec->sh.sh_flags & SHF_EXECINSTR) || section_has_symbols(sec))
		return NULL;
	fn = find_symbol(sec->elf, sec->name + sizeof(prefix) - 1);
	return fn && fn->type == STT_FUNC && fn->sec && fn->sec != sec ? fn : NULL;
}

/* Exactly one function or object in @sec (prefixes aside); stops at the second. */
bool section_holds_one_symbol(const struct section *sec)
{
	size_t n = 0;

	for (size_t i = 0; i < sec->nr_syms && n < 2; i++)
		n += (sec->syms[i]->type == STT_FUNC && !is_prefix_symbol(sec->syms[i]) &&
		      primary_alias(sec->syms[i]) == sec->syms[i]) ||
		     sec->syms[i]->type == STT_OBJECT;
	return n == 1;
}
