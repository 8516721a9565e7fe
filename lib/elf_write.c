// SPDX-License-Identifier: GPL-2.0
/*
 * Writing the model: string tables and the symbol table are generated,
 * locals ordered before globals, relocations encoded with the final symbol
 * indices.  The file appears under its name only once complete.
 */
#include "elfobj.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct strtab_entry {
	struct hnode node;
	const char *str;
	uint32_t offset;
};

/*
 * One write: its first error goes to the caller's @err (elf_save), and the
 * temporary, its libelf handle and descriptor are removed.  elf_write() is
 * the tools' wrapper that dies with the message.
 */
struct writer {
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
	char *tmp_path;
	int fd;
	Elf *e;
};

struct strtab_builder {
	struct writer *w;
	struct section *sec;
	struct htable seen;
	struct strtab_entry *entries;
	size_t nr, cap;
};

static bool __attribute__((format(printf, 2, 3))) wfail(struct writer *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->failed && w->err && w->errlen) {
		va_start(ap, fmt);
		vsnprintf(w->err, w->errlen, fmt, ap);
		va_end(ap);
	}
	w->failed = true;
	return false;
}

static bool wfail_elf(struct writer *w, const char *what)
{
	return wfail(w, "%s: %s: %s", w->path, what, elf_errmsg(-1));
}

static struct section *ensure_section(struct elf_obj *elf, const char *name, uint32_t type)
{
	struct section *sec = find_section(elf, name);

	if (!sec)
		sec = section_new(elf, name, type, 0, 0, 1);
	return sec;
}

static void strtab_init(struct strtab_builder *b, struct writer *w, struct section *sec,
			size_t expected)
{
	b->w = w;
	b->sec = sec;
	free(sec->data);
	sec->data = NULL;
	sec->size = 0;
	section_append(sec, "", 1, 1);
	htable_init(&b->seen, expected);
	b->nr = 0;
	b->cap = expected ? expected : 1;
	b->entries = xcalloc(b->cap, sizeof(*b->entries));
}

static uint32_t strtab_add(struct strtab_builder *b, const char *s)
{
	uint64_t h = hash_str(s);
	struct strtab_entry *e;

	if (!*s)
		return 0;
	htable_for_each_match(&b->seen, e, struct strtab_entry, node, h)
		if (!strcmp(e->str, s))
			return e->offset;
	if (b->nr == b->cap) {
		/* Entries are linked into the table by address: never realloc them. */
		wfail(b->w, "%s: internal error: string table sized for %zu strings",
		      b->sec->elf->path, b->cap);
		return 0;
	}
	e = &b->entries[b->nr++];
	e->str = s;
	e->offset = (uint32_t)section_append(b->sec, s, strlen(s) + 1, 1);
	htable_add(&b->seen, &e->node, h);
	return e->offset;
}

static void strtab_done(struct strtab_builder *b)
{
	htable_free(&b->seen);
	free(b->entries);
}

/* Locals first, as ELF requires; keep the relative order otherwise. */
static size_t order_symbols(struct elf_obj *elf)
{
	struct symbol **sorted = xcalloc(elf->nr_symbols, sizeof(*sorted));
	size_t n = 1, first_global;

	sorted[0] = elf->symbols[0];
	for (size_t i = 1; i < elf->nr_symbols; i++)
		if (elf->symbols[i] && elf->symbols[i]->bind == STB_LOCAL)
			sorted[n++] = elf->symbols[i];
	first_global = n;
	for (size_t i = 1; i < elf->nr_symbols; i++)
		if (elf->symbols[i] && elf->symbols[i]->bind != STB_LOCAL)
			sorted[n++] = elf->symbols[i];
	free(elf->symbols);
	elf->symbols = sorted;
	elf->nr_symbols = elf->cap_symbols = n;
	for (size_t i = 0; i < n; i++)
		sorted[i]->index = i;
	return first_global;
}

static uint16_t symbol_out_shndx(struct writer *w, const struct elf_obj *elf,
				 const struct symbol *sym)
{
	if (!sym->sec)
		return sym->shndx;
	if (sym->sec->index >= SHN_LORESERVE)
		wfail(w, "%s: %zu sections: too many for this writer", elf->path, elf->nr_sections);
	return (uint16_t)sym->sec->index;
}

static void build_symtab(struct writer *w, struct elf_obj *elf, struct section *symtab,
			 struct section *strtab)
{
	struct strtab_builder b;
	size_t first_global = order_symbols(elf);
	Elf64_Sym *out = xcalloc(elf->nr_symbols, sizeof(*out));

	strtab_init(&b, w, strtab, elf->nr_symbols);
	for (size_t i = 1; i < elf->nr_symbols; i++) {
		const struct symbol *sym = elf->symbols[i];

		out[i].st_name = strtab_add(&b, sym->name);
		out[i].st_info = ELF64_ST_INFO(sym->bind, sym->type);
		out[i].st_other = sym->other;
		out[i].st_shndx = symbol_out_shndx(w, elf, sym);
		out[i].st_value = sym->value;
		out[i].st_size = sym->size;
	}
	strtab_done(&b);
	free(symtab->data);
	symtab->data = (unsigned char *)out;
	symtab->size = elf->nr_symbols * sizeof(*out);
	symtab->sh.sh_type = SHT_SYMTAB;
	symtab->sh.sh_entsize = sizeof(Elf64_Sym);
	symtab->sh.sh_addralign = 8;
	symtab->sh.sh_link = (uint32_t)strtab->index;
	symtab->sh.sh_info = (uint32_t)first_global;
}

static void encode_relas(struct writer *w, struct elf_obj *elf, struct section *sec,
			 struct section *symtab)
{
	Elf64_Rela *out;

	if (!sec->base) {
		wfail(w, "%s: internal error: relocation section %s has no target section",
		      elf->path, sec->name);
		return;
	}
	out = xcalloc(sec->nr_relas, sizeof(*out));
	for (size_t i = 0; i < sec->nr_relas; i++) {
		const struct rela *r = &sec->relas[i];

		/* A transforming tool's bug must not become a corrupt object. */
		if (sec->base->sh.sh_type != SHT_NOBITS &&
		    r->offset + rela_width(r->type) > sec->base->size)
			wfail(w, "%s: internal error: relocation at 0x%lx is outside %s",
			      elf->path, (unsigned long)r->offset, sec->base->name);
		out[i].r_offset = r->offset;
		out[i].r_info = ELF64_R_INFO(r->sym->index, r->type);
		out[i].r_addend = r->addend;
	}
	free(sec->data);
	sec->data = (unsigned char *)out;
	sec->size = sec->nr_relas * sizeof(*out);
	sec->sh.sh_entsize = sizeof(Elf64_Rela);
	sec->sh.sh_link = (uint32_t)symtab->index;
	sec->sh.sh_info = (uint32_t)sec->base->index;
	sec->sh.sh_flags |= SHF_INFO_LINK;
}

static void build_shstrtab(struct writer *w, struct elf_obj *elf, struct section *shstrtab)
{
	struct strtab_builder b;
	struct section *sec;

	strtab_init(&b, w, shstrtab, elf->nr_sections);
	for_each_section(elf, sec)
		sec->sh.sh_name = strtab_add(&b, sec->name);
	strtab_done(&b);
	shstrtab->sh.sh_type = SHT_STRTAB;
}

/* The tables built; false if a check failed (w->err says which). */
static bool prepare_sections(struct writer *w, struct elf_obj *elf)
{
	struct section *symtab = elf->symtab ? elf->symtab : ensure_section(elf, ".symtab", SHT_SYMTAB);
	struct section *strtab = symtab->link ? symtab->link : ensure_section(elf, ".strtab", SHT_STRTAB);
	struct section *shstrtab = ensure_section(elf, ".shstrtab", SHT_STRTAB);
	struct section *sec;

	elf->symtab = symtab;
	symtab->link = strtab;
	strtab->sh.sh_type = SHT_STRTAB;
	elf_compact_sections(elf);
	build_symtab(w, elf, symtab, strtab);
	for_each_section(elf, sec) {
		if (is_rela_section(sec))
			encode_relas(w, elf, sec, symtab);
		else if (sec->link && sec != symtab)
			sec->sh.sh_link = (uint32_t)sec->link->index;
	}
	build_shstrtab(w, elf, shstrtab);
	return !w->failed;
}

static bool emit_section(struct writer *w, struct section *sec)
{
	Elf_Scn *scn = elf_newscn(w->e);
	Elf_Data *d;
	GElf_Shdr sh = sec->sh;

	if (!scn)
		return wfail_elf(w, "elf_newscn");
	d = elf_newdata(scn);
	if (!d)
		return wfail_elf(w, "elf_newdata");
	d->d_buf = sec->sh.sh_type == SHT_NOBITS ? NULL : sec->data;
	d->d_size = sec->size;
	d->d_type = ELF_T_BYTE;
	d->d_align = sec->sh.sh_addralign ? sec->sh.sh_addralign : 1;
	sh.sh_size = sec->size;
	sh.sh_offset = 0;
	sh.sh_addr = 0;
	if (!gelf_update_shdr(scn, &sh))
		return wfail_elf(w, "gelf_update_shdr");
	return true;
}

static bool emit_file(struct writer *w, struct elf_obj *elf)
{
	GElf_Ehdr eh;
	struct section *sec;

	w->e = elf_begin(w->fd, ELF_C_WRITE, NULL);
	if (!w->e || !gelf_newehdr(w->e, ELFCLASS64) || !gelf_getehdr(w->e, &eh))
		return wfail_elf(w, "cannot create ELF header");
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_OSABI] = elf->osabi;
	eh.e_type = ET_REL;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_shstrndx = (uint16_t)find_section(elf, ".shstrtab")->index;
	if (!gelf_update_ehdr(w->e, &eh))
		return wfail_elf(w, "gelf_update_ehdr");
	for_each_section(elf, sec)
		if (!emit_section(w, sec))
			return false;
	if (elf_update(w->e, ELF_C_WRITE) < 0)
		return wfail_elf(w, "cannot write");
	elf_end(w->e);
	w->e = NULL;
	return true;
}

/* The temporary written, closed and renamed to w->path. */
static bool write_tmp(struct writer *w, struct elf_obj *elf)
{
	w->tmp_path = xasprintf("%s.tmp.XXXXXX", w->path);
	w->fd = mkstemp(w->tmp_path);
	if (w->fd < 0)
		return wfail(w, "%s: cannot create: %s", w->tmp_path, strerror(errno));
	if (!emit_file(w, elf))
		return false;
	if (fchmod(w->fd, 0644) < 0)
		return wfail(w, "%s: cannot write: %s", w->tmp_path, strerror(errno));
	if (close(w->fd) < 0) {
		w->fd = -1;
		return wfail(w, "%s: cannot write: %s", w->tmp_path, strerror(errno));
	}
	w->fd = -1;
	if (rename(w->tmp_path, w->path) < 0)
		return wfail(w, "%s: cannot rename to %s: %s", w->tmp_path, w->path,
			     strerror(errno));
	return true;
}

/* A failed write: the temporary goes, its libelf handle and descriptor too. */
static void remove_tmp(struct writer *w)
{
	if (w->e)
		elf_end(w->e);
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp_path)
		unlink(w->tmp_path);
}

bool elf_save(struct elf_obj *elf, const char *path, char *err, size_t errlen)
{
	struct writer w = { .path = path, .err = err, .errlen = errlen, .fd = -1 };
	bool ok;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return wfail_elf(&w, "libelf initialisation");
	ok = prepare_sections(&w, elf) && write_tmp(&w, elf);
	if (!ok)
		remove_tmp(&w);
	free(w.tmp_path);
	if (ok)
		DEBUG(DBG_WRITE, "%s: wrote %zu sections, %zu symbols", path, elf->nr_sections,
		      elf->nr_symbols);
	return ok;
}

void elf_write(struct elf_obj *elf, const char *path)
{
	char err[ELF_ERRLEN];

	if (!elf_save(elf, path, err, sizeof(err)))
		ERROR("%s", err);
}
