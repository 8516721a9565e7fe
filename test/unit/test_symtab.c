// SPDX-License-Identifier: GPL-2.0
/*
 * lib/symtab: build a tiny "vmlinux" (ET_EXEC) and "module" (ET_REL) from
 * C fixtures at test time, where three translation units share a file
 * name ("a.c") and a static function name ("helper"), and check sympos,
 * file-block selection and lookups against both the ELF and the
 * `readelf -s --wide` text of each, then feed it corrupt inputs.
 */
#include "symtab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static void diag(const char *what, const char *text)
{
	fprintf(tap, "# %s: %s\n", what, text);
}

static const char *path_of(const char *name)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool run(const char *cmd)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "cd '%s' && { %s; } >/dev/null 2>&1", dir, cmd);
	return system(buf) == 0;
}

/* ---- fixtures ----------------------------------------------------------- */

/* -O0 keeps every static out of line and every static variable alive. */
static const char fixture_a[] =
	"static int counter = 1;\n"
	"__attribute__((noinline)) static int helper(int x) { return x + counter; }\n"
	"__attribute__((noinline)) static int only_in_a(int x) { return helper(x) * 2; }\n"
	"int dup(int x) { return only_in_a(x); }\n"
	"int shared_global = 3;\n"
	"extern int ext_func(int);\n"
	"int call_ext(int x) { return ext_func(x); }\n";

/* helper in .text.unlikely: linked before a.c's, so address order != symtab order. */
static const char fixture_b[] =
	"static int counter = 2;\n"
	"__attribute__((noinline, section(\".text.unlikely.helper\")))\n"
	"static int helper(int x) { return x - counter; }\n"
	"__attribute__((noinline)) static int dup(int x) { return helper(x); }\n"
	"int b_entry(int x) { return dup(x); }\n";

static const char fixture_sub_a[] =
	"static int counter = 4;\n"
	"__attribute__((noinline)) static int helper(int x) { return x * counter; }\n"
	"int ENTRY(int x) { return helper(x); }\n";

static bool build_fixtures(void)
{
	write_file("a.c", fixture_a);
	write_file("b.c", fixture_b);
	write_file("ext.c", "int ext_func(int x) { return x; }\n");
	return run("mkdir -p sub sub2") &&
	       (write_file("sub/a.c", fixture_sub_a),
		write_file("sub2/a.c", fixture_sub_a), true) &&
	       run("gcc -O0 -c a.c -o a.o && gcc -O0 -c b.c -o b.o && "
		   "gcc -O0 -c ext.c -o ext.o && "
		   "(cd sub && gcc -O0 -DENTRY=sub_entry -c a.c -o ../sub_a.o) && "
		   "(cd sub2 && gcc -O0 -DENTRY=sub2_entry -c a.c -o ../sub2_a.o)") &&
	       run("gcc -nostdlib -static -no-pie -Wl,-e,0 -o vmlinux "
		   "a.o b.o sub_a.o sub2_a.o ext.o") &&
	       run("ld -r -o mod.ko a.o b.o sub_a.o") &&
	       run("readelf -s --wide vmlinux > vmlinux.txt && "
		   "readelf -s --wide mod.ko > mod.txt");
}

/* ---- helpers ------------------------------------------------------------ */

static struct ksymtab *load(const char *name, char *err, size_t errlen)
{
	struct ksymtab *t = ksymtab_load(path_of(name), err, errlen);

	if (!t)
		diag(name, err);
	return t;
}

static const struct ksym_file *block_defining(const struct ksymtab *t,
					      const char *local)
{
	for (size_t i = 0; i < ksymtab_nr_files(t); i++)
		if (ksymtab_find_local(t, ksymtab_file(t, i), local))
			return ksymtab_file(t, i);
	return NULL;
}

static bool is_listed(const struct ksym *s)
{
	return s->place == KSYM_IN_SECTION && s->type != KSYM_FILE &&
	       s->type != KSYM_SECTION && s->name[0];
}

static bool comes_before(const struct ksymtab *t, const struct ksym *a,
			 const struct ksym *b)
{
	if (ksymtab_order(t) == KSYM_ORDER_ADDRESS && a->value != b->value)
		return a->value < b->value;
	return a->index < b->index;
}

/* The livepatch rule, computed the slow obvious way. */
static unsigned long naive_sympos(const struct ksymtab *t, const struct ksym *s)
{
	size_t same = 0, before = 0;

	for (size_t i = 0; i < ksymtab_nr_syms(t); i++) {
		const struct ksym *o = ksymtab_sym(t, i);

		if (!is_listed(o) || strcmp(o->name, s->name))
			continue;
		same++;
		before += comes_before(t, o, s);
	}
	return same > 1 ? before + 1 : 0;
}

static bool all_sympos_match_naive(const struct ksymtab *t)
{
	for (size_t i = 0; i < ksymtab_nr_syms(t); i++) {
		const struct ksym *s = ksymtab_sym(t, i);

		if (is_listed(s) ? s->sympos != naive_sympos(t, s) : s->sympos)
			return false;
		if (is_listed(s) && ksymtab_resolve(t, s->name, s->sympos) != s)
			return false;
	}
	return true;
}

/* readelf prints a section symbol's section name; its st_name is empty. */
static bool same_sym(const struct ksym *a, const struct ksym *b)
{
	return (a->type == KSYM_SECTION || !strcmp(a->name, b->name)) &&
	       a->value == b->value &&
	       a->size == b->size && a->type == b->type &&
	       a->bind == b->bind && a->place == b->place &&
	       a->sympos == b->sympos && a->index == b->index &&
	       (a->file ? b->file && a->file->id == b->file->id : !b->file);
}

static bool same_tables(const struct ksymtab *a, const struct ksymtab *b)
{
	if (ksymtab_nr_syms(a) != ksymtab_nr_syms(b) ||
	    ksymtab_nr_files(a) != ksymtab_nr_files(b) ||
	    ksymtab_order(a) != ksymtab_order(b))
		return false;
	for (size_t i = 0; i < ksymtab_nr_syms(a); i++)
		if (!same_sym(ksymtab_sym(a, i), ksymtab_sym(b, i)))
			return false;
	return true;
}

static bool err_has(const char *err, const char *a, const char *b)
{
	return strstr(err, a) && (!b || strstr(err, b));
}

/* ---- vmlinux -------------------------------------------------------------- */

static const char *const a_locals[] = { "helper", "only_in_a", "counter" };

static void test_vmlinux_blocks(const struct ksymtab *t)
{
	static const char *const noisy[] = {
		"helper", "only_in_a", "counter", "helper.cold", ".LC0",
		"__UNIQUE_ID_modinfo12", "__func__.3", "inlined_away",
	};
	static const char *const common[] = { "helper", "counter" };
	const struct ksym_file *a = block_defining(t, "only_in_a"), *f;
	char err[512] = "";

	check(ksymtab_nr_files(t) == 5, "vmlinux: one STT_FILE block per input (%zu)",
	      ksymtab_nr_files(t));
	f = ksymtab_find_file(t, "a.c", a_locals, 3, err, sizeof(err));
	check(a && f == a, "vmlinux: a.c block chosen by its locals among three 'a.c'");
	f = ksymtab_find_file(t, "kernel/a.c", a_locals, 3, err, sizeof(err));
	check(f == a, "vmlinux: source path matched by basename");
	f = ksymtab_find_file(t, "a.c", noisy, 8, err, sizeof(err));
	check(f == a, "vmlinux: unstable and missing names do not spoil the match");
	f = ksymtab_find_file(t, "a.c", common, 2, err, sizeof(err));
	check(!f && err_has(err, "cannot tell which 'a.c'", "vmlinux"),
	      "vmlinux: identical sub/a.c and sub2/a.c are ambiguous");
	diag("ambiguity", err);
	f = ksymtab_find_file(t, "nope.c", a_locals, 3, err, sizeof(err));
	check(!f && err_has(err, "no STT_FILE symbol named 'nope.c'", NULL),
	      "vmlinux: unknown file is an error");
	f = ksymtab_find_file(t, "b.c", NULL, 0, err, sizeof(err));
	check(f && !strcmp(f->name, "b.c"), "vmlinux: sole b.c block needs no names");
}

static void test_vmlinux_sympos(const struct ksymtab *t)
{
	const struct ksym_file *a = block_defining(t, "only_in_a");
	const struct ksym_file *b = ksymtab_find_file(t, "b.c", NULL, 0, NULL, 0);
	const struct ksym *ha = ksymtab_find_local(t, a, "helper");
	const struct ksym *hb = ksymtab_find_local(t, b, "helper");
	const struct ksym *only = ksymtab_find_local(t, a, "only_in_a");
	const struct ksym *gdup = ksymtab_find_global(t, "dup");
	const struct ksym *ldup = ksymtab_find_local(t, b, "dup");

	check(ksymtab_order(t) == KSYM_ORDER_ADDRESS, "vmlinux: ET_EXEC counts in address order");
	check(ha && hb && hb->value < ha->value && hb->sympos == 1 && ha->sympos == 2,
	      "vmlinux: .text.unlikely helper of b.c is helper,1; a.c's is helper,2");
	check(ksymtab_count_name(t, "helper") == 4, "vmlinux: four helpers in kallsyms");
	check(only && only->sympos == 0, "vmlinux: unique local has sympos 0");
	check(gdup && ldup && gdup->bind == KSYM_GLOBAL && gdup->sympos &&
	      ldup->sympos && gdup->sympos != ldup->sympos,
	      "vmlinux: global and static 'dup' number each other");
	check(ksymtab_resolve(t, "helper", 2) == ha && !ksymtab_resolve(t, "helper", 0) &&
	      !ksymtab_resolve(t, "helper", 5) && ksymtab_resolve(t, "only_in_a", 0) == only,
	      "vmlinux: resolve follows klp_match_callback");
	check(all_sympos_match_naive(t), "vmlinux: every sympos matches the naive count");
}

static void test_vmlinux_globals(const struct ksymtab *t)
{
	const struct ksym *g = ksymtab_find_global(t, "shared_global");
	const struct ksym *e = ksymtab_find_global(t, "ext_func");

	check(g && g->type == KSYM_OBJECT && g->place == KSYM_IN_SECTION &&
	      g->sympos == 0 && !g->file, "vmlinux: global object found, unique");
	check(e && e->type == KSYM_FUNC, "vmlinux: global function found");
	check(!ksymtab_find_global(t, "helper") && !ksymtab_find_global(t, "nothing"),
	      "vmlinux: locals and unknown names are not globals");
}

static void test_vmlinux(void)
{
	char err[512] = "";
	struct ksymtab *t = load("vmlinux", err, sizeof(err));
	struct ksymtab *txt = load("vmlinux.txt", err, sizeof(err));

	check(t && txt, "vmlinux: ELF and readelf text load");
	if (t && txt) {
		test_vmlinux_blocks(t);
		test_vmlinux_sympos(t);
		test_vmlinux_globals(t);
		check(same_tables(t, txt), "vmlinux: readelf text gives the same table as ELF");
		test_vmlinux_sympos(txt);
	}
	ksymtab_free(t);
	ksymtab_free(txt);
}

/* ---- module --------------------------------------------------------------- */

static void test_module_table(const struct ksymtab *t, const char *what)
{
	const struct ksym_file *a = ksymtab_find_file(t, "a.c", a_locals, 3, NULL, 0);
	const struct ksym_file *b = ksymtab_find_file(t, "b.c", NULL, 0, NULL, 0);
	const struct ksym *ha = ksymtab_find_local(t, a, "helper");
	const struct ksym *hb = ksymtab_find_local(t, b, "helper");
	const struct ksym *ext = ksymtab_find_global(t, "ext_func");

	check(ksymtab_order(t) == KSYM_ORDER_SYMTAB, "%s: counts in .symtab order", what);
	check(ha && hb && ha->index < hb->index && ha->sympos == 1 && hb->sympos == 2,
	      "%s: a.c's helper is helper,1 by symtab order", what);
	check(ext && ext->place == KSYM_UNDEF && ext->sympos == 0 &&
	      ksymtab_count_name(t, "ext_func") == 0,
	      "%s: undefined global found, not in kallsyms", what);
	check(all_sympos_match_naive(t), "%s: every sympos matches the naive count", what);
}

static void test_module(void)
{
	char err[512] = "";
	struct ksymtab *t = load("mod.ko", err, sizeof(err));
	struct ksymtab *txt = load("mod.txt", err, sizeof(err));
	struct ksymtab *forced = ksymtab_load_as(path_of("vmlinux.txt"),
						 KSYM_ORDER_SYMTAB, err, sizeof(err));

	check(t && txt && forced, "module: ELF and readelf text load");
	if (t && txt) {
		test_module_table(t, "module");
		test_module_table(txt, "module text");
		check(same_tables(t, txt), "module: readelf text gives the same table as ELF");
	}
	check(forced && ksymtab_order(forced) == KSYM_ORDER_SYMTAB,
	      "text: caller can force the order");
	ksymtab_free(t);
	ksymtab_free(txt);
	ksymtab_free(forced);
}

/* ---- readelf dialects ----------------------------------------------------- */

static const char dialects[] =
	"\nFile: odd.o\n\n"
	"Symbol table '.dynsym' contains 1 entry:\n"
	"   Num:    Value          Size Type    Bind   Vis      Ndx Name\n"
	"     0: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT  UND \n\n"
	"Symbol table '.symtab' contains 7 entries:\n"
	"   Num:    Value          Size Type    Bind   Vis      Ndx Name\n"
	"     0: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT  UND \n"
	"     1: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS odd.c\n"
	"     2: 0000000000000010 0x186a0 OBJECT LOCAL  DEFAULT    3 big\n"
	"     3: 0000000000000020    40 FUNC    LOCAL  DEFAULT [<localentry>: 8]     1 ppc_fn\n"
	"     4: 0000000000000030     8 <processor specific>: 13 GLOBAL DEFAULT 1 procsym\n"
	"     5: 0000000000000000     0 FUNC    GLOBAL DEFAULT  UND printf@GLIBC_2.2.5 (2)\n"
	"     6: 0000000000000040     0 NOTYPE  WEAK   HIDDEN   OS [0xff20] os_special\r\n";

static void test_text_dialects(void)
{
	char err[512] = "";
	struct ksymtab *t;
	const struct ksym *big, *ppc, *proc, *pf, *os;

	write_file("odd.txt", dialects);
	t = ksymtab_load(path_of("odd.txt"), err, sizeof(err));
	check(t != NULL, "text: readelf dialects parse");
	if (!t) {
		diag("odd.txt", err);
		return;
	}
	big = ksymtab_find_local(t, ksymtab_file(t, 0), "big");
	ppc = ksymtab_find_local(t, ksymtab_file(t, 0), "ppc_fn");
	proc = ksymtab_find_global(t, "procsym");
	pf = ksymtab_find_global(t, "printf@GLIBC_2.2.5");
	os = ksymtab_find_global(t, "os_special");
	check(big && big->size == 100000 && big->shndx == 3, "text: hex size of a large object");
	check(ppc && ppc->type == KSYM_FUNC && ppc->shndx == 1 && ppc->size == 40,
	      "text: ppc64 [<localentry>: 8] skipped");
	check(proc && proc->type == KSYM_TYPE_OTHER && proc->bind == KSYM_GLOBAL,
	      "text: <processor specific> type");
	check(pf && pf->place == KSYM_UNDEF, "text: versioned name keeps '@', drops \" (2)\"");
	check(os && os->place == KSYM_ABS && os->bind == KSYM_WEAK,
	      "text: OS-specific section index, CRLF line end");
	check(ksymtab_order(t) == KSYM_ORDER_SYMTAB, "text: undefined global means module");
	ksymtab_free(t);
}

/* ---- corrupt inputs -------------------------------------------------------- */

static bool load_fails(const char *name, const char *want, const char *want2)
{
	char err[512] = "";
	struct ksymtab *t = ksymtab_load(path_of(name), err, sizeof(err));
	bool ok = !t && strstr(err, name) && err_has(err, want, want2);

	if (!ok)
		diag(name, err);
	ksymtab_free(t);
	return ok;
}

static void test_corrupt_files(void)
{
	check(load_fails("missing", "No such file", NULL), "corrupt: missing file");
	write_file("empty", "");
	check(load_fails("empty", "empty file", NULL), "corrupt: empty file");
	run("head -c 4096 /dev/urandom > random.bin");
	check(load_fails("random.bin", "neither an ELF file nor", NULL), "corrupt: random bytes");
	write_file("prose.txt", "hello\nworld\n");
	check(load_fails("prose.txt", "neither an ELF file nor", NULL), "corrupt: unrelated text");
	run("head -c 2000 vmlinux > half.elf");
	check(load_fails("half.elf", "truncated", NULL), "corrupt: truncated ELF");
	run("head -c 40 vmlinux > tiny.elf");
	check(load_fails("tiny.elf", "not a valid ELF file", NULL), "corrupt: truncated ELF header");
	run("head -n -3 vmlinux.txt > short.txt");
	check(load_fails("short.txt", "truncated: '.symtab' declares", "found"),
	      "corrupt: truncated readelf text");
	run("sed '12s/FUNC /FUNKY/' vmlinux.txt > bad.txt");
	check(load_fails("bad.txt", "bad.txt:12:", "unknown symbol type"),
	      "corrupt: bad text line reported with file:line");
	write_file("narrow.txt",
		   "Symbol table '.symtab' contains 2 entries:\n"
		   "   Num:    Value          Size Type    Bind   Vis      Ndx Name\n"
		   "     0: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT  UND \n"
		   "     1: 0000000000000000     0 FUNC    GLOBAL DEFAULT    2 a_very_long_name_c[...]\n");
	check(load_fails("narrow.txt", "readelf -s --wide", NULL), "corrupt: non --wide output");
	run("cat vmlinux.txt vmlinux.txt > twice.txt");
	check(load_fails("twice.txt", "second '.symtab'", NULL), "corrupt: two files' output");
}

/* Every prefix and a byte flip at every offset: errors, never crashes. */
static void test_no_crash(void)
{
	char err[512], cmd[256];
	long size = 0;
	int bad = 0;
	FILE *f = fopen(path_of("vmlinux"), "rb");

	if (f && !fseek(f, 0, SEEK_END))
		size = ftell(f);
	if (f)
		fclose(f);
	for (long n = 0; n < size; n += 97) {
		struct ksymtab *t;

		snprintf(cmd, sizeof(cmd),
			 "head -c %ld vmlinux > cut.elf && cp vmlinux flip.elf && "
			 "printf '\\377' | dd of=flip.elf bs=1 seek=%ld conv=notrunc",
			 n, n);
		run(cmd);
		err[0] = '\0';
		t = ksymtab_load(path_of("cut.elf"), err, sizeof(err));
		bad += !t && !err[0];
		ksymtab_free(t);
		err[0] = '\0';
		t = ksymtab_load(path_of("flip.elf"), err, sizeof(err));
		bad += !t && !err[0];
		ksymtab_free(t);
	}
	check(size > 0 && bad == 0, "corrupt: %ld bytes of prefixes and flips, no crash, always a message",
	      size);
}

static void test_unstable_names(void)
{
	check(ksym_is_unstable_local("foo.cold") && ksym_is_unstable_local(".LC1") &&
	      ksym_is_unstable_local("__func__.5") && ksym_is_unstable_local("__already_done.2") &&
	      ksym_is_unstable_local("__UNIQUE_ID_license123") &&
	      ksym_is_unstable_local("__ksymtab_foo") && ksym_is_unstable_local("") &&
	      !ksym_is_unstable_local("copy_process") && !ksym_is_unstable_local("__warned"),
	      "names the link may drop are recognised");
}

int main(void)
{
	if (!tap_begin("test_symtab"))
		return 1;
	check(build_fixtures(), "fixtures compile and link with gcc/ld/readelf");
	test_vmlinux();
	test_module();
	test_text_dialects();
	test_corrupt_files();
	test_no_crash();
	test_unstable_names();
	return tap_end();
}
