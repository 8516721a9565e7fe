// SPDX-License-Identifier: GPL-2.0
/*
 * kpb-callsites: the functions of a built kernel image (or module) that
 * branch directly to given functions.
 *
 * kpatch-build finds the callers of a changed global function without
 * __fentry__ by searching the source (kpatch-build/lib/callers.sh); this
 * is the check against what the compiler and linker actually produced.  In
 * a linked image (vmlinux, ET_EXEC) every call, jmp and jcc whose target is
 * the function's address is a call site: the executable sections are
 * scanned byte by byte for E8/E9 and 0F 80..8F (rel32), EB and 70..7F
 * (rel8).
 * Every other use of the address is listed too: in code, any 4 bytes equal
 * to it sign-extended or RIP-relative (how -mcmodel=kernel code loads a
 * function's address), in data any 8 bytes equal to it (a pointer); calls through
 * such a pointer cannot be followed.  A byte sequence that happens to
 * encode exactly that address is possible but rare; it can only add a
 * site, never hide one.  In a relocatable object (a .ko) the sites are the
 * relocations against the function's symbol: a call when the operand
 * follows E8/E9/0F 8x, else an address use.
 *
 * Output: one line "NAME WHERE SECTION KIND" per distinct site, WHERE the
 * function (or, in data, object) symbol containing it (else its address,
 * 0x...), KIND "call" or "address".
 *
 * A front-end of lib/: the file is read by elf_read_image() (lib/elfobj.h),
 * the branch encodings are lib/x86.h's.
 */
#include "elfobj.h"
#include "log.h"
#include "x86.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: kpb-callsites ELF NAME...\n"
	"\n"
	"List the functions of ELF (vmlinux, or a module) that call, jump or\n"
	"branch directly to one of the functions NAME, and every other use of\n"
	"its address, in code or data: lines 'NAME WHERE SECTION call|address'.\n"
	"\n"
	"Exit status: 0 listed (possibly nothing); 1 error (unreadable ELF, no\n"
	"symbol table, an image that does not define a NAME).\n";

/* A function or object symbol: where it is and what it is called. */
struct func {
	uint64_t start, end;
	size_t shndx;
	const char *name;
};

struct image {
	struct elf_obj *elf;
	struct func *funcs;		/* FUNC and OBJECT symbols, by section then start */
	size_t nr_funcs;
};

/* One target: its name, and in an image its address. */
struct target {
	const char *name;
	uint64_t addr;
	bool found;
};

/* What was found: one line of output each, after sorting out repeats. */
struct site {
	const char *target, *caller, *section, *kind;	/* kind: "call" or "address" */
	uint64_t addr;					/* where, when no symbol holds it */
};

struct sites {
	struct site *v;
	size_t nr, cap;
};

static int cmp_func(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void read_funcs(struct image *im)
{
	struct symbol *sym;

	im->funcs = xcalloc(im->elf->nr_symbols, sizeof(*im->funcs));
	for_each_symbol(im->elf, sym) {
		if (!sym->sec || (sym->type != STT_FUNC && sym->type != STT_OBJECT))
			continue;
		im->funcs[im->nr_funcs++] = (struct func){
			.start = sym->value, .end = sym->value + (sym->size ? sym->size : 1),
			.shndx = sym->sec->index, .name = sym->name,
		};
	}
	qsort(im->funcs, im->nr_funcs, sizeof(*im->funcs), cmp_func);
}

/* The function (object, in data) of section SHNDX containing ADDR, or NULL. */
static const char *func_at(const struct image *im, size_t shndx, uint64_t addr)
{
	size_t lo = 0, hi = im->nr_funcs;
	const char *best = NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct func *f = &im->funcs[mid];

		if (f->shndx < shndx || (f->shndx == shndx && f->start <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The last function starting at or before ADDR; overlapping aliases share it. */
	for (size_t i = lo; i-- > 0 && im->funcs[i].shndx == shndx;) {
		if (addr < im->funcs[i].end) {
			best = im->funcs[i].name;
			break;
		}
		if (im->funcs[i].start + (1u << 20) < addr)
			break;
	}
	return best;
}

static void add_site(struct sites *out, const char *target, const char *caller,
		     const char *section, const char *kind, uint64_t addr)
{
	if (out->nr == out->cap) {
		out->cap = out->cap ? 2 * out->cap : 64;
		out->v = realloc(out->v, out->cap * sizeof(*out->v));
		if (!out->v)
			ERROR("out of memory");
	}
	/* Sites no symbol holds are told apart by their address alone. */
	out->v[out->nr++] = (struct site){ target, caller, section, kind, caller ? 0 : addr };
}

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	int d = strcmp(x->target, y->target);

	if (!d)
		d = strcmp(x->caller ? x->caller : "", y->caller ? y->caller : "");
	if (!d && x->addr != y->addr)
		d = x->addr < y->addr ? -1 : 1;
	if (!d)
		d = strcmp(x->section, y->section);
	return d ? d : strcmp(x->kind, y->kind);
}

static void print_sites(struct sites *out)
{
	qsort(out->v, out->nr, sizeof(*out->v), cmp_site);
	for (size_t i = 0; i < out->nr; i++)
		if (!i || cmp_site(&out->v[i - 1], &out->v[i])) {
			const struct site *w = &out->v[i];

			if (w->caller)
				printf("%s %s %s %s\n", w->target, w->caller, w->section, w->kind);
			else
				printf("%s 0x%llx %s %s\n", w->target, (unsigned long long)w->addr,
				       w->section, w->kind);
		}
}

static int cmp_target_addr(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The target at ADDR (targets sorted by address), or NULL. */
static const struct target *target_at(const struct target *t, size_t n, uint64_t addr)
{
	struct target key = { .addr = addr };

	return bsearch(&key, t, n, sizeof(*t), cmp_target_addr);
}

/*
 * The direct branch starting at P[I], if any: its length (the displacement
 * is its last DISP bytes), else 0.  rel32: call, jmp, jcc; rel8: jmp, jcc
 * (the assembler's short forms, within one section of one object).
 */
static size_t branch_len(const unsigned char *p, size_t i, size_t size, size_t *disp)
{
	*disp = 4;
	if (x86_is_call_or_jmp_rel32(p[i]) && i + X86_CALL_REL32_LEN <= size)
		return X86_CALL_REL32_LEN;
	if (i + X86_JCC_REL32_LEN <= size && x86_is_jcc_rel32(p[i], p[i + 1]))
		return X86_JCC_REL32_LEN;
	*disp = 1;
	if (x86_is_branch_rel8(p[i]) && i + X86_BRANCH_REL8_LEN <= size)
		return X86_BRANCH_REL8_LEN;
	return 0;
}

/* The displacement of a branch: little-endian, signed. */
static int64_t branch_disp(const unsigned char *p, size_t disp)
{
	int32_t rel32;

	if (disp == 1)
		return (int8_t)p[0];
	memcpy(&rel32, p, 4);
	return rel32;
}

/*
 * Code: branches to a target, and any other 4 bytes that hold a target's
 * address as -mcmodel=kernel code does: sign-extended ("mov $fn, %rdi",
 * "movq $fn, off(%rax)") or relative to the end of the 4 bytes
 * ("lea fn(%rip), %rax").
 */
static void scan_code(const struct image *im, const struct section *sec,
		      const struct target *t, size_t n, struct sites *out)
{
	const unsigned char *p = sec->data;
	uint64_t base = sec->sh.sh_addr;

	if (!p)
		return;
	for (size_t i = 0; i < sec->size; i++) {
		size_t disp, len = branch_len(p, i, sec->size, &disp);
		const struct target *hit = NULL;
		int32_t imm;

		if (len)
			hit = target_at(t, n, base + i + len +
					      (uint64_t)branch_disp(p + i + len - disp, disp));
		if (hit) {
			add_site(out, hit->name, func_at(im, sec->index, base + i),
				 sec->name, "call", base + i);
			i += len - 1;	/* its operand is no address use */
			continue;
		}
		if (i + 4 > sec->size)
			continue;
		memcpy(&imm, p + i, 4);
		hit = target_at(t, n, (uint64_t)(int64_t)imm);
		/* Zero: the padding before a function, not a load of its address. */
		if (!hit && imm)
			hit = target_at(t, n, base + i + 4 + (uint64_t)(int64_t)imm);
		if (hit)
			add_site(out, hit->name, func_at(im, sec->index, base + i),
				 sec->name, "address", base + i);
	}
}

/* Data: a pointer to a target (8 bytes, the link-time address). */
static void scan_data(const struct image *im, const struct section *sec,
		      const struct target *t, size_t n, struct sites *out)
{
	const unsigned char *p = sec->data;

	if (!p)
		return;
	for (size_t i = 0; i + 8 <= sec->size; i++) {
		uint64_t v;
		const struct target *hit;

		memcpy(&v, p + i, 8);
		hit = target_at(t, n, v);
		if (hit)
			add_site(out, hit->name, func_at(im, sec->index, sec->sh.sh_addr + i),
				 sec->name, "address", sec->sh.sh_addr + i);
	}
}

/* vmlinux: every allocated section with contents, code and data. */
static void scan_image(struct image *im, struct target *t, size_t n, struct sites *out)
{
	struct symbol *sym;
	struct section *sec;

	for_each_symbol(im->elf, sym) {
		if (sym->type != STT_FUNC || is_undefined(sym))
			continue;
		for (size_t k = 0; k < n; k++) {
			if (t[k].found || strcmp(sym->name, t[k].name))
				continue;
			t[k].addr = sym->value;
			t[k].found = true;
		}
	}
	for (size_t k = 0; k < n; k++)
		if (!t[k].found)
			ERROR("%s: defines no function %s", im->elf->path, t[k].name);
	qsort(t, n, sizeof(*t), cmp_target_addr);
	for_each_section(im->elf, sec) {
		if (sec->sh.sh_type != SHT_PROGBITS || !(sec->sh.sh_flags & SHF_ALLOC))
			continue;
		if (sec->sh.sh_flags & SHF_EXECINSTR)
			scan_code(im, sec, t, n, out);
		else
			scan_data(im, sec, t, n, out);
	}
}

static struct target *target_named(struct target *t, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(t[k].name, name))
			return &t[k];
	return NULL;
}

/* The relocation at OFF of code section SEC is a call, jmp or jcc operand. */
static bool is_branch_operand(const struct section *sec, uint64_t off)
{
	const unsigned char *p = sec->data;

	if (!p || off > sec->size)
		return false;
	return (off >= 1 && x86_is_call_or_jmp_rel32(p[off - 1])) ||
	       (off >= 2 && x86_is_jcc_rel32(p[off - 2], p[off - 1]));
}

/* A module: every relocation against a target in an allocated section. */
static void scan_relocatable(struct image *im, struct target *t, size_t n, struct sites *out)
{
	struct section *relasec;
	const struct rela *r;

	for_each_section(im->elf, relasec) {
		const struct section *to = relasec->base;

		if (!is_rela_section(relasec) || !(to->sh.sh_flags & SHF_ALLOC))
			continue;
		for_each_rela(relasec, r) {
			struct target *hit = target_named(t, n, r->sym->name);
			bool call;

			if (!hit)
				continue;
			call = (to->sh.sh_flags & SHF_EXECINSTR) && is_branch_operand(to, r->offset);
			add_site(out, hit->name, func_at(im, to->index, r->offset),
				 to->name, call ? "call" : "address", r->offset);
		}
	}
}

int main(int argc, char **argv)
{
	struct image im = { 0 };
	struct sites out = { 0 };
	struct target *t;
	size_t n;

	log_progname = "kpb-callsites";
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return KPB_OK;
	}
	if (argc < 3) {
		fputs(usage_text, stderr);
		return KPB_ERROR;
	}
	n = (size_t)argc - 2;
	t = xcalloc(n, sizeof(*t));
	for (size_t k = 0; k < n; k++)
		t[k].name = argv[k + 2];
	im.elf = elf_read_image(argv[1]);
	read_funcs(&im);
	if (im.elf->linked)
		scan_image(&im, t, n, &out);
	else
		scan_relocatable(&im, t, n, &out);
	print_sites(&out);
	free(out.v);
	free(im.funcs);
	free(t);
	elf_free(im.elf);
	return KPB_OK;
}
