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

typedef enum kpb_status phase_fn(struct cdo *c);

static char msg[4096];		/* what the last captured() phase printed */

/* @phase on @c, what it printed in msg[]. */
static enum kpb_status captured(phase_fn *phase, struct cdo *c)
{
	enum kpb_status st;

	capture_begin();
	st = phase(c);
	capture_end(msg, sizeof(msg));
	return st;
}

/* Every phase on a fresh run of @f, what they printed in msg[], the status recorded. */
static enum kpb_status run_all(const struct fixture *f, enum kpb_status *recorded)
{
	struct cdo c;
	enum kpb_status st;

	setup(&c, f);
	st = captured(run_phases, &c);
	*recorded = c.status;
	free_cdo(&c);
	return st;
}

/* A fresh run of @f stops with @expected, recorded, @lines printed, no output. */
static void check_run_stops(const struct fixture *f, const char *name, enum kpb_status expected,
			    size_t lines)
{
	enum kpb_status recorded, st = run_all(f, &recorded);

	check(st == expected && recorded == st && access(f->out, F_OK) && count_lines(msg) == lines,
	      "%s: run_phases stops with status %d (%d), recorded, %zu line(s) printed, no output",
	      name, st, expected, lines);
}

/*
 * A phase failed with @st: @expected, recorded in c->status, and one line
 * printed, "test_phase_cases: error: " (or "unsupported: ") and @a and @b.
 */
static void check_failure(const struct cdo *c, enum kpb_status st, enum kpb_status expected,
			  const char *a, const char *b, const char *what)
{
	const char *prefix = expected == KPB_UNSUPPORTED ? "test_phase_cases: unsupported: "
							 : "test_phase_cases: error: ";

	check(st == expected && c->status == expected && count_lines(msg) == 1 &&
	      !strncmp(msg, prefix, strlen(prefix)) && strstr(msg, a) && strstr(msg, b),
	      "%s: status %d (%d), recorded, one message: %s", what, st, expected, msg);
}

/* The case built and @c set up on it, else a failing test. */
static bool open_case(const char *name, struct fixture *f, struct cdo *c)
{
	if (!build_fixture(name, f)) {
		check(false, "%s: built", name);
		return false;
	}
	setup(c, f);
	return true;
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

	if (!open_case("static-local", &f, &c))
		return;
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
	enum kpb_status recorded;

	if (!open_case("new-function", &f, &c))
		return;
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

	check(run_all(&f, &recorded) == KPB_OK && recorded == KPB_OK,
	      "new-function: run_phases: KPB_OK");
	out = elf_load(f.out, false, err, sizeof(err));
	check(out && find_symbol(out, "clamp_value") && find_symbol(out, "new_helper"),
	      "new-function: the output defines clamp_value and new_helper");
	elf_free(out);
}

static void test_no_change(void)
{
	struct fixture f;
	enum kpb_status recorded;

	if (!build_fixture("no-change", &f)) {
		check(false, "no-change: built");
		return;
	}
	check(run_all(&f, &recorded) == KPB_NO_CHANGE && recorded == KPB_OK &&
	      access(f.out, F_OK) && strstr(msg, "no-change.patched.o: no changed functions"),
	      "no-change: run_phases: KPB_NO_CHANGE, not an error, no output: %s", msg);
}

/* A new initial value: counted by check, the run stopped by stop_if_unsupported(). */
static void test_refused(void)
{
	struct fixture f;
	struct cdo c;
	enum kpb_status st;

	if (!open_case("data-change", &f, &c))
		return;
	check(read_and_compare(&c) == KPB_OK && patch_untraced_through_callers(&c) == KPB_OK,
	      "data-change: read to untraced: KPB_OK");
	st = captured(check_unsupported_changes, &c);
	check(st == KPB_OK && c.nr_unsupported == 1 && strstr(msg, "data object tunable") &&
	      strstr(msg, "new initial value"),
	      "check: the new initial value of tunable reported and counted, the phase goes on: %s",
	      msg);
	st = captured(stop_if_unsupported, &c);
	check_failure(&c, st, KPB_UNSUPPORTED, "data-change.patched.o: ",
		      "1 change(s) cannot be livepatched", "stop_if_unsupported: its summary");
	free_cdo(&c);
	check_run_stops(&f, "data-change", KPB_UNSUPPORTED, 2);
}

/* A __jump_table no layout fits: compare_objects() fails, nothing after it runs. */
static void test_compare_fails(void)
{
	struct fixture f;
	struct cdo c;

	if (!open_case("bad-short-entry", &f, &c))
		return;
	check_failure(&c, captured(read_and_compare, &c), KPB_ERROR,
		      "section __jump_table: size 28 fits no known entry layout",
		      "16 bytes (short by 4", "compare: no layout fits");
	free_cdo(&c);
	check_run_stops(&f, "bad-short-entry", KPB_ERROR, 1);
}

/* The reader refuses, it does not exit: the message, the status, nothing half read. */
static void test_read_fails(void)
{
	struct fixture f;
	struct cdo c;
	char bad[256];
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
	check_failure(&c, captured(read_objects, &c), KPB_ERROR, "not-elf.o: ", "not an ELF file",
		      "read_objects: a file that is not ELF");
	check(!c.elf[ORIG] && !c.elf[PATCHED], "read_objects: nothing kept of a refused file");
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
