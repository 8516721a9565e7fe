// SPDX-License-Identifier: GPL-2.0
/*
 * create-diff-object's phases in process on cases of the differ corpus
 * (test/differ/cases, each compiled here twice, once with -DPATCHED, as
 * test/differ/helpers.bash does): the status each phase returns, what
 * correlate_objects(), compare_objects() and include_changed_functions()
 * found, and the failures: the status returned and recorded, the message
 * printed once, no output file.  create-diff-object itself is not run.
 */
#include "../../create-diff-object/cdo.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#ifndef DIFFER_CASES
#error "DIFFER_CASES: the directory of the differ corpus (the Makefile sets it)"
#endif

#define KFLAGS "-O2 -ffunction-sections -fdata-sections -mfentry -pg -mrecord-mcount " \
	"-fno-pic -mcmodel=kernel -mno-red-zone -fno-asynchronous-unwind-tables " \
	"-fno-common -fno-stack-protector -fno-jump-tables -nostdinc -w"

/* One case's objects, its parent and Module.symvers, in the scratch directory. */
struct fixture {
	char orig[256], patched[256], vmlinux[256], symvers[256], out[256];
};

static bool run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0;
}

/* The case's "// EXPORTS: a b" names, and the two every case uses, one line each. */
static bool write_symvers(const char *src, const char *path)
{
	FILE *in = fopen(src, "r"), *out = fopen(path, "w");
	char line[512], *tok;
	bool ok = in && out;

	while (ok && fgets(line, sizeof(line), in)) {
		if (strncmp(line, "// EXPORTS: ", 12))
			continue;
		for (tok = strtok(line + 12, " \n"); tok; tok = strtok(NULL, " \n"))
			fprintf(out, "0x00000000\t%s\tvmlinux\tEXPORT_SYMBOL\t\n", tok);
	}
	if (out)
		fputs("0x00000000\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n"
		      "0x00000000\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\t\n", out);
	if (in)
		fclose(in);
	return out && !fclose(out) && ok;
}

static bool build_fixture(const char *name, struct fixture *f)
{
	char src[256];

	snprintf(src, sizeof(src), "%s/%s.c", DIFFER_CASES, name);
	snprintf(f->orig, sizeof(f->orig), "%s/%s.orig.o", dir, name);
	snprintf(f->patched, sizeof(f->patched), "%s/%s.patched.o", dir, name);
	snprintf(f->vmlinux, sizeof(f->vmlinux), "%s/%s.vmlinux", dir, name);
	snprintf(f->symvers, sizeof(f->symvers), "%s/%s.symvers", dir, name);
	snprintf(f->out, sizeof(f->out), "%s/%s.out.o", dir, name);
	return run("gcc " KFLAGS " -c '%s' -o '%s'", src, f->orig) &&
	       run("gcc " KFLAGS " -DPATCHED -c '%s' -o '%s'", src, f->patched) &&
	       run("ld -o '%s' -e 0 --unresolved-symbols=ignore-all '%s'", f->vmlinux, f->orig) &&
	       write_symvers(src, f->symvers);
}

static void setup(struct cdo *c, const struct fixture *f)
{
	memset(c, 0, sizeof(*c));
	c->args.path[ORIG] = f->orig;
	c->args.path[PATCHED] = f->patched;
	c->args.parent = "vmlinux";
	c->args.symtab_path = f->vmlinux;
	c->args.symvers_path = f->symvers;
	c->args.patch_name = "test";
	c->args.output = f->out;
}

/* read, correlate, markers and compare, as run_phases() starts; KPB_OK or the first failure. */
static enum kpb_status read_and_compare(struct cdo *c)
{
	enum kpb_status st;

	if ((st = read_objects(c)) || (st = read_parent(c)) || (st = correlate_objects(c)) ||
	    (st = read_markers(c)))
		return st;
	return compare_objects(c);
}

/* stderr into @buf while a phase runs (begin, then end), its last newline cut. */
static int saved_stderr = -1;

static void capture_begin(void)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/stderr", dir);
	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
}

static void capture_end(char *buf, size_t len)
{
	char path[128];
	FILE *f;
	size_t n = 0;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	snprintf(path, sizeof(path), "%s/stderr", dir);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	if (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
}

static size_t count_lines(const char *s)
{
	size_t n = *s != '\0';

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static struct symbol *sym(const struct cdo *c, enum side s, const char *name)
{
	return find_symbol(c->elf[s], name);
}

/* The OBJECT a relocation of @func's code points to (section symbols resolved). */
static struct symbol *object_used_by(const struct symbol *func)
{
	const struct section *rs = func->sec->rela;
	int64_t add;

	for (size_t i = 0; rs && i < rs->nr_relas; i++) {
		struct symbol *t = resolve_reloc(func->sec, &rs->relas[i], &add);

		if (t->type == STT_OBJECT)
			return t;
	}
	return NULL;
}

/* Three "count" statics renumbered by a fourth: beta's is still the kernel's. */
static void test_correlate_renumbered(void)
{
	struct fixture f;
	struct cdo c;
	struct symbol *o, *p;

	if (!build_fixture("static-local", &f)) {
		check(false, "static-local: built");
		return;
	}
	setup(&c, &f);
	check(read_and_compare(&c) == KPB_OK && c.status == KPB_OK,
	      "static-local: read, correlate and compare return KPB_OK");
	o = object_used_by(sym(&c, ORIG, "beta"));
	p = object_used_by(sym(&c, PATCHED, "beta"));
	check(o && p && strcmp(o->name, p->name) && sym_twin(&c, PATCHED, p) == o,
	      "correlate: beta's %s is the original's %s, renumbered", p ? p->name : "?",
	      o ? o->name : "?");
	check(change_of(&c, sym(&c, PATCHED, "beta")) == CHANGED &&
	      change_of(&c, sym(&c, PATCHED, "alpha")) == SAME &&
	      change_of(&c, sym(&c, PATCHED, "first")) == NEW,
	      "compare: beta CHANGED, alpha SAME, first NEW");
	check(include_changed_functions(&c) == KPB_OK && is_included(&c, sym(&c, PATCHED, "beta")) &&
	      !is_included(&c, sym(&c, PATCHED, "alpha")) && !is_included(&c, p),
	      "include: beta, not alpha, not the kernel's own %s", p ? p->name : "?");
	free_cdo(&c);
}

/* A changed function calling a new helper; then every phase, to the output. */
static void test_new_function(void)
{
	struct fixture f;
	struct cdo c;
	struct elf_obj *out;
	char err[ELF_ERRLEN];

	if (!build_fixture("new-function", &f)) {
		check(false, "new-function: built");
		return;
	}
	setup(&c, &f);
	check(read_and_compare(&c) == KPB_OK, "new-function: read, correlate and compare: KPB_OK");
	check(change_of(&c, sym(&c, PATCHED, "clamp_value")) == CHANGED &&
	      change_of(&c, sym(&c, PATCHED, "new_helper")) == NEW &&
	      c.cmp.nr_changed == 1 && c.cmp.nr_new >= 1,
	      "compare: clamp_value CHANGED, new_helper NEW (%zu changed, %zu new)",
	      c.cmp.nr_changed, c.cmp.nr_new);
	check(patch_untraced_through_callers(&c) == KPB_OK &&
	      check_unsupported_changes(&c) == KPB_OK && stop_if_unsupported(&c) == KPB_OK,
	      "new-function: nothing refused");
	check(include_changed_functions(&c) == KPB_OK &&
	      is_included(&c, sym(&c, PATCHED, "clamp_value")) &&
	      is_included(&c, sym(&c, PATCHED, "new_helper")),
	      "include: clamp_value and the new_helper it calls");
	free_cdo(&c);

	setup(&c, &f);
	check(run_phases(&c) == KPB_OK && c.status == KPB_OK, "new-function: run_phases: KPB_OK");
	free_cdo(&c);
	out = elf_load(f.out, false, err, sizeof(err));
	check(out && find_symbol(out, "clamp_value") && find_symbol(out, "new_helper"),
	      "new-function: the output defines clamp_value and new_helper");
	elf_free(out);
}

static void test_no_change(void)
{
	struct fixture f;
	struct cdo c;

	if (!build_fixture("no-change", &f)) {
		check(false, "no-change: built");
		return;
	}
	setup(&c, &f);
	check(run_phases(&c) == KPB_NO_CHANGE && c.status == KPB_OK && access(f.out, F_OK),
	      "no-change: run_phases: KPB_NO_CHANGE, not an error, no output");
	free_cdo(&c);
}

/* A new initial value: counted by check, the run stopped by stop_if_unsupported(). */
static void test_refused(void)
{
	struct fixture f;
	struct cdo c;
	char msg[4096];
	enum kpb_status st;

	if (!build_fixture("data-change", &f)) {
		check(false, "data-change: built");
		return;
	}
	setup(&c, &f);
	check(read_and_compare(&c) == KPB_OK && patch_untraced_through_callers(&c) == KPB_OK,
	      "data-change: read to untraced: KPB_OK");
	capture_begin();
	st = check_unsupported_changes(&c);
	capture_end(msg, sizeof(msg));
	check(st == KPB_OK && c.nr_unsupported == 1 && strstr(msg, "data object tunable") &&
	      strstr(msg, "new initial value"),
	      "check: the new initial value of tunable reported and counted, the phase goes on: %s",
	      msg);
	capture_begin();
	st = stop_if_unsupported(&c);
	capture_end(msg, sizeof(msg));
	check(st == KPB_UNSUPPORTED && c.status == KPB_UNSUPPORTED &&
	      strstr(msg, "test_phase_cases: unsupported: ") &&
	      strstr(msg, "1 change(s) cannot be livepatched"),
	      "stop_if_unsupported: KPB_UNSUPPORTED, recorded, its summary line: %s", msg);
	free_cdo(&c);

	setup(&c, &f);
	capture_begin();
	st = run_phases(&c);
	capture_end(msg, sizeof(msg));
	check(st == KPB_UNSUPPORTED && access(f.out, F_OK) && count_lines(msg) == 2,
	      "data-change: run_phases stops with KPB_UNSUPPORTED, no output, two lines");
	free_cdo(&c);
}

/* A __jump_table no layout fits: compare_objects() fails, nothing after it runs. */
static void test_compare_fails(void)
{
	struct fixture f;
	struct cdo c;
	char msg[4096];
	enum kpb_status st;

	if (!build_fixture("bad-short-entry", &f)) {
		check(false, "bad-short-entry: built");
		return;
	}
	setup(&c, &f);
	capture_begin();
	st = read_and_compare(&c);
	capture_end(msg, sizeof(msg));
	check(st == KPB_ERROR && c.status == KPB_ERROR && count_lines(msg) == 1 &&
	      strstr(msg, "test_phase_cases: error: ") == msg &&
	      strstr(msg, "section __jump_table: size 28 fits no known entry layout") &&
	      strstr(msg, "16 bytes (short by 4"),
	      "compare: KPB_ERROR returned and recorded, one message: %s", msg);
	free_cdo(&c);

	setup(&c, &f);
	capture_begin();
	st = run_phases(&c);
	capture_end(msg, sizeof(msg));
	check(st == KPB_ERROR && access(f.out, F_OK) && count_lines(msg) == 1,
	      "bad-short-entry: run_phases stops at compare with KPB_ERROR, no output");
	free_cdo(&c);
}

/* The reader refuses, it does not exit: the message, the status, nothing half read. */
static void test_read_fails(void)
{
	struct fixture f;
	struct cdo c;
	char msg[4096], bad[256];
	enum kpb_status st;
	FILE *fp;

	snprintf(bad, sizeof(bad), "%s/not-elf.o", dir);
	fp = fopen(bad, "w");
	if (fp) {
		fputs("not an object\n", fp);
		fclose(fp);
	}
	memset(&f, 0, sizeof(f));
	snprintf(f.orig, sizeof(f.orig), "%s", bad);
	snprintf(f.patched, sizeof(f.patched), "%s", bad);
	setup(&c, &f);
	capture_begin();
	st = read_objects(&c);
	capture_end(msg, sizeof(msg));
	check(st == KPB_ERROR && c.status == KPB_ERROR && !c.elf[ORIG] &&
	      strstr(msg, "not-elf.o: not an ELF file") && count_lines(msg) == 1,
	      "read_objects: a file that is not ELF: KPB_ERROR, nothing kept: %s", msg);
	free_cdo(&c);
}

int main(void)
{
	if (!tap_begin("test_phase_cases"))
		return 1;
	log_progname = "test_phase_cases";
	test_correlate_renumbered();
	test_new_function();
	test_no_change();
	test_refused();
	test_compare_fails();
	test_read_fails();
	return tap_end();
}
