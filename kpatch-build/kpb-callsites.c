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
 */
#include "log.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	const char *path;
	Elf *elf;
	GElf_Ehdr ehdr;
	Elf_Scn *symtab;
	size_t strndx, nr_syms;
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

static const char *sym_name(const struct image *im, const GElf_Sym *s)
{
	const char *n = elf_strptr(im->elf, im->strndx, s->st_name);

	return n ? n : "";
}

static const char *section_name(const struct image *im, const GElf_Shdr *sh)
{
	const char *n = elf_strptr(im->elf, im->ehdr.e_shstrndx, sh->sh_name);

	return n ? n : "?";
}

static int cmp_func(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void open_image(struct image *im, const char *path)
{
	int fd = open(path, O_RDONLY);
	GElf_Shdr sh;

	im->path = path;
	if (fd < 0)
		ERROR("%s: cannot open", path);
	elf_version(EV_CURRENT);
	im->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!im->elf || !gelf_getehdr(im->elf, &im->ehdr))
		ERROR("%s: not an ELF file: %s", path, elf_errmsg(-1));
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(im->elf, scn));) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			im->symtab = scn;
			im->strndx = sh.sh_link;
			im->nr_syms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		}
	}
	if (!im->symtab)
		ERROR("%s: no symbol table (stripped?)", path);
}

static void read_funcs(struct image *im)
{
	Elf_Data *d = elf_getdata(im->symtab, NULL);
	GElf_Sym s;

	im->funcs = xcalloc(im->nr_syms ? im->nr_syms : 1, sizeof(*im->funcs));
	for (size_t i = 0; d && i < im->nr_syms; i++) {
		if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF ||
		    s.st_shndx >= SHN_LORESERVE ||
		    (GELF_ST_TYPE(s.st_info) != STT_FUNC && GELF_ST_TYPE(s.st_info) != STT_OBJECT))
			continue;
		im->funcs[im->nr_funcs++] = (struct func){
			.start = s.st_value, .end = s.st_value + (s.st_size ? s.st_size : 1),
			.shndx = s.st_shndx, .name = sym_name(im, &s),
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
	if ((p[i] == 0xe8 || p[i] == 0xe9) && i + 5 <= size)
		return 5;
	if (p[i] == 0x0f && i + 6 <= size && (p[i + 1] & 0xf0) == 0x80)
		return 6;
	*disp = 1;
	if ((p[i] == 0xeb || (p[i] & 0xf0) == 0x70) && i + 2 <= size)
		return 2;
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
static void scan_code(const struct image *im, Elf_Scn *scn, const GElf_Shdr *sh,
		      const struct target *t, size_t n, struct sites *out)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	const char *secname = section_name(im, sh);
	const unsigned char *p;

	if (!d || !d->d_buf)
		return;
	p = d->d_buf;
	for (size_t i = 0; i < d->d_size; i++) {
		size_t disp, len = branch_len(p, i, d->d_size, &disp);
		const struct target *hit = NULL;
		int32_t imm;

		if (len)
			hit = target_at(t, n, sh->sh_addr + i + len +
					      (uint64_t)branch_disp(p + i + len - disp, disp));
		if (hit) {
			add_site(out, hit->name, func_at(im, elf_ndxscn(scn), sh->sh_addr + i),
				 secname, "call", sh->sh_addr + i);
			i += len - 1;	/* its operand is no address use */
			continue;
		}
		if (i + 4 > d->d_size)
			continue;
		memcpy(&imm, p + i, 4);
		hit = target_at(t, n, (uint64_t)(int64_t)imm);
		/* Zero: the padding before a function, not a load of its address. */
		if (!hit && imm)
			hit = target_at(t, n, sh->sh_addr + i + 4 + (uint64_t)(int64_t)imm);
		if (hit)
			add_site(out, hit->name, func_at(im, elf_ndxscn(scn), sh->sh_addr + i),
				 secname, "address", sh->sh_addr + i);
	}
}

/* Data: a pointer to a target (8 bytes, the link-time address). */
static void scan_data(const struct image *im, Elf_Scn *scn, const GElf_Shdr *sh,
		      const struct target *t, size_t n, struct sites *out)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	const unsigned char *p;

	if (!d || !d->d_buf)
		return;
	p = d->d_buf;
	for (size_t i = 0; i + 8 <= d->d_size; i++) {
		uint64_t v;
		const struct target *hit;

		memcpy(&v, p + i, 8);
		hit = target_at(t, n, v);
		if (hit)
			add_site(out, hit->name, func_at(im, elf_ndxscn(scn), sh->sh_addr + i),
				 section_name(im, sh), "address", sh->sh_addr + i);
	}
}

/* vmlinux: every allocated section with contents, code and data. */
static void scan_image(struct image *im, struct target *t, size_t n, struct sites *out)
{
	Elf_Data *d = elf_getdata(im->symtab, NULL);
	GElf_Sym s;
	GElf_Shdr sh;

	for (size_t i = 0; d && i < im->nr_syms; i++) {
		if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (t[k].found || strcmp(sym_name(im, &s), t[k].name))
				continue;
			t[k].addr = s.st_value;
			t[k].found = true;
		}
	}
	for (size_t k = 0; k < n; k++)
		if (!t[k].found)
			ERROR("%s: defines no function %s", im->path, t[k].name);
	qsort(t, n, sizeof(*t), cmp_target_addr);
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(im->elf, scn));) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_ALLOC))
			continue;
		if (sh.sh_flags & SHF_EXECINSTR)
			scan_code(im, scn, &sh, t, n, out);
		else
			scan_data(im, scn, &sh, t, n, out);
	}
}

static struct target *target_named(struct target *t, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(t[k].name, name))
			return &t[k];
	return NULL;
}

/* The relocation at OFF of code section SCN is a call, jmp or jcc operand. */
static bool is_branch_operand(Elf_Scn *scn, uint64_t off)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	const unsigned char *p;

	if (!d || !d->d_buf || off > d->d_size)
		return false;
	p = d->d_buf;
	return (off >= 1 && (p[off - 1] == 0xe8 || p[off - 1] == 0xe9)) ||
	       (off >= 2 && p[off - 2] == 0x0f && (p[off - 1] & 0xf0) == 0x80);
}

/* A module: every relocation against a target in an allocated section. */
static void scan_relocatable(struct image *im, struct target *t, size_t n, struct sites *out)
{
	Elf_Data *syms = elf_getdata(im->symtab, NULL);
	GElf_Shdr sh, to;

	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(im->elf, scn));) {
		Elf_Scn *dst;
		Elf_Data *d;
		GElf_Rela r;
		GElf_Sym s;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize)
			continue;
		dst = elf_getscn(im->elf, sh.sh_info);
		if (!dst || !gelf_getshdr(dst, &to) || !(to.sh_flags & SHF_ALLOC))
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			struct target *hit;
			bool call;

			if (!gelf_getrela(d, (int)i, &r) ||
			    !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &s))
				continue;
			hit = target_named(t, n, sym_name(im, &s));
			if (!hit)
				continue;
			call = (to.sh_flags & SHF_EXECINSTR) && is_branch_operand(dst, r.r_offset);
			add_site(out, hit->name, func_at(im, sh.sh_info, r.r_offset),
				 section_name(im, &to), call ? "call" : "address", r.r_offset);
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
	open_image(&im, argv[1]);
	read_funcs(&im);
	if (im.ehdr.e_type == ET_REL)
		scan_relocatable(&im, t, n, &out);
	else
		scan_image(&im, t, n, &out);
	print_sites(&out);
	free(out.v);
	free(im.funcs);
	free(t);
	elf_end(im.elf);
	return KPB_OK;
}
