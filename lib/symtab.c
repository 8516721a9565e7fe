// SPDX-License-Identifier: GPL-2.0
/*
 * Parent symbol tables: load, number like kallsyms, look up.  See symtab.h.
 *
 * Loading fills one array of struct ksym in .symtab order from either
 * libelf or readelf text; everything after that (file blocks, sympos,
 * indexes) is shared, so both inputs give identical answers.
 */
#include "log.h"
#include "symtab.h"
#include "symtab_text.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Scope of a symbol in by_scope: a file block id, or one of these. */
#define SCOPE_GLOBAL	UINT32_MAX
#define SCOPE_NO_FILE	(UINT32_MAX - 1)

/*
 * Open addressing over uint32 indices (stored +1, 0 = empty).  Private
 * until lib/hash.h lands; callers supply the hash and the equality test.
 */
struct slots {
	uint32_t *v;
	size_t mask;
};

struct ksymtab {
	char *path;
	enum ksym_order order;
	char *strings;			/* owns every name */
	struct ksym *syms;
	size_t nr_syms;
	struct ksym_file *files;
	size_t nr_files;
	uint32_t *files_by_base;	/* file ids sorted by basename, id */
	uint32_t *by_name;		/* kallsyms entries by name, then order */
	uint32_t *group_end;		/* by_name pos of a group's start -> end */
	size_t nr_by_name;
	struct slots groups;		/* name -> by_name pos of group start */
	struct slots by_scope;		/* (scope, name) -> symtab index */
};


static void __attribute__((format(printf, 3, 4)))
append_err(char *err, size_t errlen, const char *fmt, ...)
{
	size_t used = err ? strnlen(err, errlen) : errlen;
	va_list ap;

	if (used + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, errlen - used, fmt, ap);
	va_end(ap);
}

/* ---- small hash -------------------------------------------------------- */

static uint64_t hash_str(const char *s, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static bool init_slots(struct slots *s, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap <<= 1;
	s->v = calloc(cap, sizeof(*s->v));
	s->mask = cap - 1;
	return s->v != NULL;
}

/* The slot holding an entry EQ accepts, or the empty slot ending the run. */
static uint32_t *probe_slots(const struct slots *s, uint64_t h,
			     bool (*eq)(const void *ctx, uint32_t v,
					const void *key),
			     const void *ctx, const void *key)
{
	size_t i = h & s->mask;

	for (;; i = (i + 1) & s->mask) {
		uint32_t *slot = &s->v[i];

		if (!*slot || eq(ctx, *slot - 1, key))
			return slot;
	}
}

/* ---- classification ---------------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool ksym_is_unstable_local(const char *name)
{
	static const char *const dropped[] = {
		"__UNIQUE_ID_", "__ksymtab_", "__kstrtab_", "__kstrtabns_",
		"__crc_", "__export_symbol_",
	};

	if (!name[0] || strchr(name, '.'))
		return true;
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		if (starts_with(name, dropped[i]))
			return true;
	return false;
}

/*
 * What kallsyms lists: scripts/kallsyms drops absolute symbols, the module
 * loader (is_core_symbol) drops undefined and unnamed ones; neither has
 * STT_FILE/STT_SECTION entries because those are unnamed or absolute.
 */
static bool is_in_kallsyms(const struct ksym *s)
{
	return s->place == KSYM_IN_SECTION && s->type != KSYM_FILE &&
	       s->type != KSYM_SECTION && s->name[0];
}

static bool is_indexed(const struct ksym *s)
{
	return s->name[0] && s->type != KSYM_FILE && s->type != KSYM_SECTION;
}

static uint32_t scope_of(const struct ksym *s)
{
	if (s->bind != KSYM_LOCAL)
		return SCOPE_GLOBAL;
	return s->file ? s->file->id : SCOPE_NO_FILE;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* ---- file blocks ------------------------------------------------------- */

/*
 * The linker copies each input's locals after that input's STT_FILE
 * symbol, and all locals precede the globals, so a block runs up to the
 * next STT_FILE or the first non-local.
 */
static bool build_file_blocks(struct ksymtab *t)
{
	struct ksym_file *cur = NULL;

	for (size_t i = 0; i < t->nr_syms; i++)
		t->nr_files += t->syms[i].type == KSYM_FILE;
	t->files = calloc(t->nr_files ? t->nr_files : 1, sizeof(*t->files));
	if (!t->files)
		return false;
	t->nr_files = 0;
	for (size_t i = 0; i < t->nr_syms; i++) {
		struct ksym *s = &t->syms[i];

		if (s->type == KSYM_FILE) {
			cur = &t->files[t->nr_files];
			*cur = (struct ksym_file){ .name = s->name,
				.id = t->nr_files++, .index = i,
				.first = i + 1, .end = i + 1 };
		} else if (s->bind != KSYM_LOCAL) {
			cur = NULL;
		} else if (cur) {
			s->file = cur;
			cur->end = i + 1;
		}
	}
	return true;
}

static int compare_file_bases(const void *a, const void *b, void *ctx)
{
	const struct ksymtab *t = ctx;
	const struct ksym_file *fa = &t->files[*(const uint32_t *)a];
	const struct ksym_file *fb = &t->files[*(const uint32_t *)b];
	int c = strcmp(base_name(fa->name), base_name(fb->name));

	return c ? c : (fa->id > fb->id) - (fa->id < fb->id);
}

static bool index_file_bases(struct ksymtab *t)
{
	t->files_by_base = malloc((t->nr_files ? t->nr_files : 1) *
				  sizeof(uint32_t));
	if (!t->files_by_base)
		return false;
	for (size_t i = 0; i < t->nr_files; i++)
		t->files_by_base[i] = i;
	qsort_r(t->files_by_base, t->nr_files, sizeof(uint32_t),
		compare_file_bases, t);
	return true;
}

/* ---- sympos ------------------------------------------------------------ */

static int compare_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Sorting by_name: each symbol's name hashed once (by symtab index). */
struct name_order {
	const struct ksymtab *t;
	const uint64_t *hash;
};

/*
 * scripts/kallsyms sorts same-name symbols by address, keeping the
 * previous (address, then link) order on ties; modules keep .symtab order.
 * Only the order within a name matters (by_name is read group by group),
 * so names are ordered by their hash first: one strcmp per equal hash.
 */
static int compare_kallsyms_order(const void *a, const void *b, void *ctx)
{
	const struct name_order *o = ctx;
	const struct ksymtab *t = o->t;
	uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
	const struct ksym *sa = &t->syms[ia];
	const struct ksym *sb = &t->syms[ib];
	int c = compare_u64(o->hash[ia], o->hash[ib]);

	if (!c)
		c = strcmp(sa->name, sb->name);

	if (!c && t->order == KSYM_ORDER_ADDRESS)
		c = compare_u64(sa->value, sb->value);
	return c ? c : compare_u64(sa->index, sb->index);
}

static bool group_eq(const void *ctx, uint32_t pos, const void *key)
{
	const struct ksymtab *t = ctx;

	return strcmp(t->syms[t->by_name[pos]].name, key) == 0;
}

static void number_group(struct ksymtab *t, const uint64_t *hash, size_t start, size_t end)
{
	uint32_t *slot = probe_slots(&t->groups, hash[t->by_name[start]], group_eq, t,
				     t->syms[t->by_name[start]].name);

	*slot = start + 1;
	t->group_end[start] = end;
	for (size_t i = start; end - start > 1 && i < end; i++)
		t->syms[t->by_name[i]].sympos = i - start + 1;
}

static bool compute_sympos(struct ksymtab *t)
{
	uint64_t *hash = malloc((t->nr_syms ? t->nr_syms : 1) * sizeof(*hash));
	struct name_order order = { t, hash };
	size_t n = 0;

	t->by_name = malloc((t->nr_syms ? t->nr_syms : 1) * sizeof(uint32_t));
	t->group_end = malloc((t->nr_syms ? t->nr_syms : 1) * sizeof(uint32_t));
	if (!hash || !t->by_name || !t->group_end || !init_slots(&t->groups, t->nr_syms)) {
		free(hash);
		return false;
	}
	for (size_t i = 0; i < t->nr_syms; i++)
		if (is_in_kallsyms(&t->syms[i])) {
			t->by_name[n++] = i;
			hash[i] = hash_str(t->syms[i].name, 0);
		}
	t->nr_by_name = n;
	qsort_r(t->by_name, n, sizeof(uint32_t), compare_kallsyms_order, &order);
	for (size_t start = 0, end; start < n; start = end) {
		const char *name = t->syms[t->by_name[start]].name;

		for (end = start + 1; end < n; end++)
			if (hash[t->by_name[end]] != hash[t->by_name[start]] ||
			    strcmp(t->syms[t->by_name[end]].name, name))
				break;
		number_group(t, hash, start, end);
	}
	free(hash);
	return true;
}

static size_t find_group(const struct ksymtab *t, const char *name,
			 size_t *end)
{
	uint32_t *slot = probe_slots(&t->groups, hash_str(name, 0), group_eq,
				     t, name);

	if (!*slot)
		return SIZE_MAX;
	*end = t->group_end[*slot - 1];
	return *slot - 1;
}

/* ---- (scope, name) index ------------------------------------------------ */

struct scope_key {
	uint32_t scope;
	const char *name;
};

static bool scope_eq(const void *ctx, uint32_t index, const void *key)
{
	const struct ksym *s = &((const struct ksymtab *)ctx)->syms[index];
	const struct scope_key *k = key;

	return scope_of(s) == k->scope && strcmp(s->name, k->name) == 0;
}

static uint32_t *probe_scope(const struct ksymtab *t, uint32_t scope,
			     const char *name)
{
	struct scope_key key = { scope, name };

	return probe_slots(&t->by_scope, hash_str(name, scope), scope_eq, t,
			   &key);
}

/* First one wins: a block never defines a name twice, a symtab has one global. */
static bool index_scopes(struct ksymtab *t)
{
	if (!init_slots(&t->by_scope, t->nr_syms))
		return false;
	for (size_t i = 0; i < t->nr_syms; i++) {
		const struct ksym *s = &t->syms[i];
		uint32_t *slot;

		if (!is_indexed(s))
			continue;
		slot = probe_scope(t, scope_of(s), s->name);
		if (!*slot)
			*slot = i + 1;
	}
	return true;
}

static bool index_symtab(struct ksymtab *t)
{
	return build_file_blocks(t) && index_file_bases(t) &&
	       compute_sympos(t) && index_scopes(t);
}

/* ---- ELF input ---------------------------------------------------------- */

static enum ksym_type type_from_elf(unsigned char type)
{
	switch (type) {
	case STT_NOTYPE:	return KSYM_NOTYPE;
	case STT_OBJECT:	return KSYM_OBJECT;
	case STT_FUNC:		return KSYM_FUNC;
	case STT_SECTION:	return KSYM_SECTION;
	case STT_FILE:		return KSYM_FILE;
	case STT_TLS:		return KSYM_TLS;
	default:		return KSYM_TYPE_OTHER;
	}
}

static enum ksym_bind bind_from_elf(unsigned char bind)
{
	switch (bind) {
	case STB_LOCAL:		return KSYM_LOCAL;
	case STB_GLOBAL:	return KSYM_GLOBAL;
	case STB_WEAK:		return KSYM_WEAK;
	default:		return KSYM_BIND_OTHER;
	}
}

static enum ksym_place place_from_shndx(uint32_t shndx)
{
	if (shndx == SHN_UNDEF)
		return KSYM_UNDEF;
	if (shndx == SHN_COMMON)
		return KSYM_COMMON;
	if (shndx >= SHN_LORESERVE && shndx <= SHN_HIRESERVE)
		return KSYM_ABS;	/* SHN_ABS and processor specials */
	return KSYM_IN_SECTION;
}

/* What the ELF reader needs, validated against the file size up front. */
struct elf_symtab {
	const char *path;
	off_t file_size;
	Elf *elf;
	Elf_Data *syms, *strs, *xndx;
	size_t count;
};

static bool check_in_file(const struct elf_symtab *e, const GElf_Shdr *sh,
			  const char *what, char *err, size_t errlen)
{
	if (sh->sh_type != SHT_NOBITS &&
	    (sh->sh_offset > (uint64_t)e->file_size ||
	     sh->sh_size > (uint64_t)e->file_size - sh->sh_offset)) {
		format_error(err, errlen,
			"%s: truncated: %s (offset %#llx, size %#llx) extends past the end of the file (%lld bytes)",
			e->path, what, (unsigned long long)sh->sh_offset,
			(unsigned long long)sh->sh_size,
			(long long)e->file_size);
		return false;
	}
	return true;
}

static Elf_Data *get_section_data(const struct elf_symtab *e, Elf_Scn *scn,
				  const char *what, char *err, size_t errlen)
{
	GElf_Shdr sh;
	Elf_Data *d;

	if (!scn || !gelf_getshdr(scn, &sh)) {
		format_error(err, errlen, "%s: bad %s section header: %s", e->path,
			what, elf_errmsg(-1));
		return NULL;
	}
	if (!check_in_file(e, &sh, what, err, errlen))
		return NULL;
	d = elf_getdata(scn, NULL);
	if (!d || (sh.sh_size && !d->d_buf)) {
		format_error(err, errlen, "%s: cannot read %s: %s", e->path, what,
			elf_errmsg(-1));
		return NULL;
	}
	return d;
}

static bool find_elf_symtab(struct elf_symtab *e, char *err, size_t errlen)
{
	Elf_Scn *scn = NULL, *symscn = NULL, *xscn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB && symscn) {
			format_error(err, errlen, "%s: more than one SHT_SYMTAB section", e->path);
			return false;
		}
		if (sh.sh_type == SHT_SYMTAB)
			symscn = scn;
		else if (sh.sh_type == SHT_SYMTAB_SHNDX)
			xscn = scn;
	}
	if (!symscn) {
		format_error(err, errlen, "%s: no .symtab section (stripped?)", e->path);
		return false;
	}
	gelf_getshdr(symscn, &sh);
	if (sh.sh_entsize != gelf_fsize(e->elf, ELF_T_SYM, 1, EV_CURRENT)) {
		format_error(err, errlen, "%s: .symtab has entry size %llu", e->path,
			(unsigned long long)sh.sh_entsize);
		return false;
	}
	e->syms = get_section_data(e, symscn, ".symtab", err, errlen);
	if (!e->syms)
		return false;
	e->count = sh.sh_size / sh.sh_entsize;
	e->strs = get_section_data(e, elf_getscn(e->elf, sh.sh_link),
				   ".strtab", err, errlen);
	if (!e->strs)
		return false;
	e->xndx = xscn ? get_section_data(e, xscn, ".symtab_shndx", err, errlen)
		       : NULL;
	return !xscn || e->xndx;
}

static bool convert_elf_sym(struct ksymtab *t, const struct elf_symtab *e,
			    size_t i, char *err, size_t errlen)
{
	GElf_Sym sym;
	Elf32_Word xshndx = 0;
	uint32_t shndx;

	if (!gelf_getsymshndx(e->syms, e->xndx, i, &sym, &xshndx)) {
		format_error(err, errlen, "%s: cannot read symbol %zu: %s", e->path,
			i, elf_errmsg(-1));
		return false;
	}
	if (sym.st_name >= e->strs->d_size) {
		format_error(err, errlen, "%s: symbol %zu: name offset %u is outside .strtab (%zu bytes)",
			e->path, i, sym.st_name, e->strs->d_size);
		return false;
	}
	shndx = sym.st_shndx == SHN_XINDEX ? xshndx : sym.st_shndx;
	t->syms[i] = (struct ksym){
		.name = t->strings + sym.st_name,
		.value = sym.st_value, .size = sym.st_size,
		.type = type_from_elf(GELF_ST_TYPE(sym.st_info)),
		.bind = bind_from_elf(GELF_ST_BIND(sym.st_info)),
		.place = sym.st_shndx == SHN_XINDEX ? KSYM_IN_SECTION
						    : place_from_shndx(shndx),
		.shndx = shndx, .index = i,
	};
	return true;
}

static bool copy_elf_symbols(struct ksymtab *t, const struct elf_symtab *e,
			     char *err, size_t errlen)
{
	/* +1 NUL so a .strtab lacking its final terminator stays in bounds. */
	t->strings = calloc(1, e->strs->d_size + 1);
	t->syms = calloc(e->count ? e->count : 1, sizeof(*t->syms));
	if (!t->strings || !t->syms) {
		format_error(err, errlen, "%s: out of memory", e->path);
		return false;
	}
	memcpy(t->strings, e->strs->d_buf, e->strs->d_size);
	t->nr_syms = e->count;
	for (size_t i = 0; i < e->count; i++)
		if (!convert_elf_sym(t, e, i, err, errlen))
			return false;
	return true;
}

/* libelf silently sees no sections past EOF; say "truncated" instead. */
static bool check_section_headers(const struct elf_symtab *e,
				  const GElf_Ehdr *eh, char *err, size_t errlen)
{
	size_t shnum;

	if (elf_getshdrnum(e->elf, &shnum)) {
		format_error(err, errlen, "%s: bad section header count: %s",
			e->path, elf_errmsg(-1));
		return false;
	}
	if (eh->e_shoff > (uint64_t)e->file_size ||
	    (uint64_t)shnum * eh->e_shentsize >
	    (uint64_t)e->file_size - eh->e_shoff) {
		format_error(err, errlen,
			"%s: truncated: section header table (offset %#llx, %zu entries) extends past the end of the file (%lld bytes)",
			e->path, (unsigned long long)eh->e_shoff,
			shnum ? shnum : (size_t)eh->e_shnum,
			(long long)e->file_size);
		return false;
	}
	return true;
}

static enum ksym_order order_from_etype(unsigned type)
{
	switch (type) {
	case ET_REL:	return KSYM_ORDER_SYMTAB;
	case ET_EXEC:
	case ET_DYN:	return KSYM_ORDER_ADDRESS;
	default:	return KSYM_ORDER_AUTO;
	}
}

static bool read_elf(struct ksymtab *t, int fd, off_t size, char *err,
		     size_t errlen)
{
	struct elf_symtab e = { .path = t->path, .file_size = size };
	GElf_Ehdr eh;
	bool ok = false;

	elf_version(EV_CURRENT);
	e.elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e.elf || elf_kind(e.elf) != ELF_K_ELF || !gelf_getehdr(e.elf, &eh)) {
		int why = elf_errno();

		format_error(err, errlen, "%s: not a valid ELF file: %s", t->path,
			why ? elf_errmsg(why) : "truncated or malformed ELF header");
		goto out;
	}
	if (order_from_etype(eh.e_type) == KSYM_ORDER_AUTO) {
		format_error(err, errlen, "%s: ELF type %u is neither vmlinux (ET_EXEC) nor a module (ET_REL)",
			t->path, eh.e_type);
		goto out;
	}
	if (t->order == KSYM_ORDER_AUTO)
		t->order = order_from_etype(eh.e_type);
	ok = check_section_headers(&e, &eh, err, errlen) &&
	     find_elf_symtab(&e, err, errlen) &&
	     copy_elf_symbols(t, &e, err, errlen);
out:
	elf_end(e.elf);
	return ok;
}

/* A module imports something; a fully linked vmlinux cannot. */
static enum ksym_order guess_text_order(const struct ksymtab *t)
{
	for (size_t i = 1; i < t->nr_syms; i++)
		if (t->syms[i].place == KSYM_UNDEF &&
		    t->syms[i].bind == KSYM_GLOBAL)
			return KSYM_ORDER_SYMTAB;
	return KSYM_ORDER_ADDRESS;
}

static bool read_all(int fd, const char *path, off_t size, char **out,
		     char *err, size_t errlen)
{
	char *buf = malloc((size_t)size + 1);
	size_t got = 0;

	if (!buf) {
		format_error(err, errlen, "%s: out of memory", path);
		return false;
	}
	while (got < (size_t)size) {
		ssize_t n = pread(fd, buf + got, size - got, got);

		if (n <= 0) {
			format_error(err, errlen, "%s: read: %s", path,
				n ? strerror(errno) : "unexpected end of file");
			free(buf);
			return false;
		}
		got += n;
	}
	buf[got] = '\0';
	*out = buf;
	return true;
}

static bool read_text(struct ksymtab *t, int fd, off_t size, char *err,
		      size_t errlen)
{
	struct ksym_list list = { .path = t->path };
	bool ok;

	if (!read_all(fd, t->path, size, &t->strings, err, errlen))
		return false;
	if (memchr(t->strings, '\0', size)) {
		format_error(err, errlen, "%s: neither an ELF file nor `readelf -s --wide` output (binary data)",
			t->path);
		return false;
	}
	ok = parse_readelf_symtab(&list, t->strings, err, errlen);
	t->syms = list.syms;
	t->nr_syms = list.nr_syms;
	if (!ok)
		return false;
	if (t->order == KSYM_ORDER_AUTO)
		t->order = guess_text_order(t);
	return true;
}

/* ---- load / free --------------------------------------------------------- */

static bool is_elf_file(int fd, off_t size)
{
	char magic[SELFMAG];

	return size >= SELFMAG && pread(fd, magic, SELFMAG, 0) == SELFMAG &&
	       !memcmp(magic, ELFMAG, SELFMAG);
}

static bool read_symbols(struct ksymtab *t, char *err, size_t errlen)
{
	struct stat st;
	bool ok;
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		format_error(err, errlen, "%s: %s", t->path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		format_error(err, errlen, "%s: not a regular file", t->path);
		close(fd);
		return false;
	}
	if (st.st_size == 0)
		format_error(err, errlen, "%s: empty file", t->path);
	ok = st.st_size && (is_elf_file(fd, st.st_size)
			    ? read_elf(t, fd, st.st_size, err, errlen)
			    : read_text(t, fd, st.st_size, err, errlen));
	close(fd);
	return ok;
}

struct ksymtab *ksymtab_load_as(const char *path, enum ksym_order order,
				char *err, size_t errlen)
{
	struct ksymtab *t = calloc(1, sizeof(*t));

	if (!t || !(t->path = strdup(path))) {
		format_error(err, errlen, "%s: out of memory", path);
		free(t);
		return NULL;
	}
	t->order = order;
	if (!read_symbols(t, err, errlen))
		goto fail;
	if (!index_symtab(t)) {
		format_error(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	return t;
fail:
	ksymtab_free(t);
	return NULL;
}

struct ksymtab *ksymtab_load(const char *path, char *err, size_t errlen)
{
	return ksymtab_load_as(path, KSYM_ORDER_AUTO, err, errlen);
}

void ksymtab_free(struct ksymtab *t)
{
	if (!t)
		return;
	free(t->by_scope.v);
	free(t->groups.v);
	free(t->group_end);
	free(t->by_name);
	free(t->files_by_base);
	free(t->files);
	free(t->syms);
	free(t->strings);
	free(t->path);
	free(t);
}

/* ---- queries ------------------------------------------------------------- */

enum ksym_order ksymtab_order(const struct ksymtab *t)
{
	return t->order;
}

const char *ksymtab_path(const struct ksymtab *t)
{
	return t->path;
}

size_t ksymtab_nr_syms(const struct ksymtab *t)
{
	return t->nr_syms;
}

const struct ksym *ksymtab_sym(const struct ksymtab *t, size_t index)
{
	return index < t->nr_syms ? &t->syms[index] : NULL;
}

size_t ksymtab_nr_files(const struct ksymtab *t)
{
	return t->nr_files;
}

const struct ksym_file *ksymtab_file(const struct ksymtab *t, size_t id)
{
	return id < t->nr_files ? &t->files[id] : NULL;
}

const struct ksym *ksymtab_find_global(const struct ksymtab *t,
				       const char *name)
{
	uint32_t *slot = probe_scope(t, SCOPE_GLOBAL, name);

	return *slot ? &t->syms[*slot - 1] : NULL;
}

const struct ksym *ksymtab_find_local(const struct ksymtab *t,
				      const struct ksym_file *file,
				      const char *name)
{
	uint32_t *slot = probe_scope(t, file ? file->id : SCOPE_NO_FILE, name);

	return *slot ? &t->syms[*slot - 1] : NULL;
}

size_t ksymtab_count_name(const struct ksymtab *t, const char *name)
{
	size_t end, start = find_group(t, name, &end);

	return start == SIZE_MAX ? 0 : end - start;
}

/* Mirrors klp_match_callback: sympos 0 demands a unique name. */
const struct ksym *ksymtab_resolve(const struct ksymtab *t, const char *name,
				   unsigned long sympos)
{
	size_t end, start = find_group(t, name, &end);

	if (start == SIZE_MAX)
		return NULL;
	if (sympos == 0)
		return end - start == 1 ? &t->syms[t->by_name[start]] : NULL;
	if (sympos > end - start)
		return NULL;
	return &t->syms[t->by_name[start + sympos - 1]];
}

/* ---- which block is this translation unit -------------------------------- */

struct block_score {
	const struct ksym_file *file;
	size_t missing, extra;
};

static bool local_name_eq(const void *ctx, uint32_t i, const void *key)
{
	return strcmp(((const char *const *)ctx)[i], key) == 0;
}

static bool index_local_names(struct slots *set, const char *const *names,
			      size_t n)
{
	if (!init_slots(set, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint32_t *slot = probe_slots(set, hash_str(names[i], 0),
					     local_name_eq, names, names[i]);
		if (!*slot)
			*slot = i + 1;
	}
	return true;
}

static bool is_comparable_local(const struct ksym *s)
{
	return s->bind == KSYM_LOCAL &&
	       (s->type == KSYM_FUNC || s->type == KSYM_OBJECT) &&
	       !ksym_is_unstable_local(s->name);
}

static struct block_score score_block(const struct ksymtab *t,
				      const struct ksym_file *f,
				      const char *const *names, size_t n,
				      const struct slots *set)
{
	struct block_score sc = { .file = f };

	for (size_t i = 0; i < n; i++)
		if (!ksym_is_unstable_local(names[i]) &&
		    !ksymtab_find_local(t, f, names[i]))
			sc.missing++;
	for (size_t i = f->first; i < f->end; i++) {
		const struct ksym *s = &t->syms[i];

		if (is_comparable_local(s) &&
		    !*probe_slots(set, hash_str(s->name, 0), local_name_eq,
				  names, s->name))
			sc.extra++;
	}
	return sc;
}

static int compare_scores(const struct block_score *a,
			  const struct block_score *b)
{
	int c = compare_u64(a->missing, b->missing);

	return c ? c : compare_u64(a->extra, b->extra);
}

/* First file id whose basename is BASE, or nr_files. */
static size_t lower_bound_base(const struct ksymtab *t, const char *base)
{
	size_t lo = 0, hi = t->nr_files;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *b = base_name(t->files[t->files_by_base[mid]].name);

		if (strcmp(b, base) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void report_tie(const struct ksymtab *t, const char *source,
		       const struct block_score *sc, size_t n,
		       const struct block_score *best, char *err, size_t errlen)
{
	const char *sep = "";

	format_error(err, errlen,
		"%s: cannot tell which '%s' block is %s; equally good STT_FILE symbols at symtab index",
		t->path, base_name(source), source);
	for (size_t i = 0; i < n; i++) {
		if (compare_scores(&sc[i], best))
			continue;
		append_err(err, errlen, "%s %u (%zu missing, %zu extra locals)",
			   sep, sc[i].file->index, sc[i].missing, sc[i].extra);
		sep = ",";
	}
}

static const struct ksym_file *pick_block(const struct ksymtab *t,
					  const char *source,
					  const struct block_score *sc,
					  size_t n, char *err, size_t errlen)
{
	const struct block_score *best = &sc[0];
	size_t ties = 0;

	for (size_t i = 1; i < n; i++)
		if (compare_scores(&sc[i], best) < 0)
			best = &sc[i];
	for (size_t i = 0; i < n; i++)
		ties += !compare_scores(&sc[i], best);
	if (ties == 1)
		return best->file;
	report_tie(t, source, sc, n, best, err, errlen);
	return NULL;
}

const struct ksym_file *ksymtab_find_file(const struct ksymtab *t,
					  const char *source,
					  const char *const *locals,
					  size_t nr_locals,
					  char *err, size_t errlen)
{
	const char *base = base_name(source);
	size_t first = lower_bound_base(t, base), n = 0;
	const struct ksym_file *found = NULL;
	struct block_score *sc;
	struct slots set;

	while (first + n < t->nr_files &&
	       !strcmp(base_name(t->files[t->files_by_base[first + n]].name), base))
		n++;
	if (!n) {
		format_error(err, errlen, "%s: no STT_FILE symbol named '%s'", t->path, base);
		return NULL;
	}
	sc = calloc(n, sizeof(*sc));
	if (!sc || !index_local_names(&set, locals, nr_locals)) {
		format_error(err, errlen, "%s: out of memory", t->path);
		free(sc);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		sc[i] = score_block(t, &t->files[t->files_by_base[first + i]],
				    locals, nr_locals, &set);
	found = pick_block(t, source, sc, n, err, errlen);
	free(set.v);
	free(sc);
	return found;
}
