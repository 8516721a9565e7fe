// SPDX-License-Identifier: GPL-2.0
/*
 * Reading and validating an ELF file into the model of elfobj.h: a
 * relocatable object (elf_read), or for looking at, a linked image too
 * (elf_read_image: vmlinux).  Every index, offset and name is checked
 * here, so the phases and tools that use the model can trust it.
 */
#include "elfobj.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct reader {
	const char *path;
	int fd;
	Elf *e;
	uint64_t file_size;
	size_t shnum, shstrndx;
	const struct section *shndx;	/* SHT_SYMTAB_SHNDX, if any */
	bool allow_linked;		/* elf_read_image: ET_EXEC/ET_DYN too */
	struct elf_obj *elf;
	char *err;			/* the refusal, for the caller */
	size_t errlen;
};

/*
 * Every check below that fails returns refuse(): the message goes to the
 * caller (elf_load's @err), and the reader frees what it read and returns
 * NULL.  The library decides no exit; elf_read() is the tools' wrapper
 * that dies with the message.
 */
static bool __attribute__((format(printf, 2, 3))) refuse(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err && r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* libelf failed: its own text after @what. */
static bool refuse_elf(struct reader *r, const char *what)
{
	return refuse(r, "%s: %s: %s", r->path, what, elf_errmsg(-1));
}

static bool is_known_rela_type(uint32_t type)
{
	return type == R_X86_64_NONE || rela_width(type) > 0;
}

static bool open_file(struct reader *r)
{
	struct stat st;

	r->fd = open(r->path, O_RDONLY);
	if (r->fd < 0)
		return refuse(r, "%s: cannot open: %s", r->path, strerror(errno));
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return refuse(r, "%s: not a regular file", r->path);
	r->file_size = (uint64_t)st.st_size;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return refuse_elf(r, "libelf initialisation");
	r->e = elf_begin(r->fd, ELF_C_READ_MMAP, NULL);
	if (!r->e)
		return refuse_elf(r, "cannot read");
	if (elf_kind(r->e) != ELF_K_ELF)
		return refuse(r, "%s: not an ELF file", r->path);
	return true;
}

static bool check_header(struct reader *r)
{
	GElf_Ehdr eh;
	char *ident = elf_getident(r->e, NULL);

	if (!ident || !gelf_getehdr(r->e, &eh))
		return refuse_elf(r, "truncated or corrupt ELF header");
	if (ident[EI_CLASS] != ELFCLASS64)
		return refuse(r, "%s: not a 64-bit ELF object", r->path);
	if (ident[EI_DATA] != ELFDATA2LSB)
		return refuse(r, "%s: not a little-endian ELF object", r->path);
	if (eh.e_machine != EM_X86_64)
		return refuse(r, "%s: not an x86_64 object (e_machine %u)", r->path, eh.e_machine);
	r->elf->linked = r->allow_linked && (eh.e_type == ET_EXEC || eh.e_type == ET_DYN);
	if (eh.e_type != ET_REL && !r->elf->linked)
		return refuse(r, "%s: not a relocatable object (e_type %u, expected ET_REL%s)",
		      r->path, eh.e_type, r->allow_linked ? ", ET_EXEC or ET_DYN" : "");
	if (elf_getshdrnum(r->e, &r->shnum) || elf_getshdrstrndx(r->e, &r->shstrndx))
		return refuse_elf(r, "bad section header table");
	if (r->shnum < 2 || r->shstrndx == SHN_UNDEF || r->shstrndx >= r->shnum)
		return refuse(r, "%s: bad section header table (%zu sections, names in %zu)",
		      r->path, r->shnum, r->shstrndx);
	r->elf->osabi = (uint8_t)ident[EI_OSABI];
	return true;
}

static void add_section_slot(struct elf_obj *elf, struct section *sec)
{
	if (elf->nr_sections == elf->cap_sections) {
		elf->cap_sections = elf->cap_sections ? elf->cap_sections * 2 : 64;
		elf->sections = xrealloc(elf->sections,
					 elf->cap_sections * sizeof(*elf->sections));
	}
	if (sec)
		sec->index = elf->nr_sections;
	elf->sections[elf->nr_sections++] = sec;
}

static bool copy_section_data(struct reader *r, Elf_Scn *scn, struct section *sec)
{
	Elf_Data *d;

	if (sec->sh.sh_type == SHT_NOBITS) {
		sec->size = sec->sh.sh_size;
		return true;
	}
	if (sec->sh.sh_offset > r->file_size ||
	    sec->sh.sh_size > r->file_size - sec->sh.sh_offset)
		return refuse(r, "%s: section %s: contents extend past the end of the file",
		      r->path, sec->name);
	d = elf_getdata(scn, NULL);
	if (!d && sec->sh.sh_size)
		return refuse_elf(r, "cannot read section contents");
	sec->size = d ? d->d_size : 0;
	if (r->elf->linked) {
		/* An image is only looked at: its contents stay mapped (vmlinux's -dbg is 590 MB). */
		sec->data = sec->size ? d->d_buf : NULL;
		return true;
	}
	sec->data = xmalloc(sec->size);
	if (sec->size)
		memcpy(sec->data, d->d_buf, sec->size);
	return true;
}

static bool read_sections(struct reader *r)
{
	struct elf_obj *elf = r->elf;

	add_section_slot(elf, NULL);
	for (size_t i = 1; i < r->shnum; i++) {
		Elf_Scn *scn = elf_getscn(r->e, i);
		struct section *sec = xcalloc(1, sizeof(*sec));
		const char *name;

		/* In the model from the start: a refusal below frees it with the rest. */
		sec->elf = elf;
		add_section_slot(elf, sec);
		if (!scn || !gelf_getshdr(scn, &sec->sh))
			return refuse_elf(r, "bad section header");
		name = elf_strptr(r->e, r->shstrndx, sec->sh.sh_name);
		if (!name)
			return refuse(r, "%s: section %zu: name offset %u out of range",
			      r->path, i, sec->sh.sh_name);
		sec->name = xstrdup(name);
		if (!copy_section_data(r, scn, sec))
			return false;
		if (sec->sh.sh_type == SHT_SYMTAB_SHNDX)
			r->shndx = sec;
		htable_add(&elf->sec_names, &sec->name_node, hash_str(sec->name));
	}
	return true;
}

static struct section *section_by_index(struct reader *r, const struct section *from,
					const char *what, size_t idx)
{
	if (idx == 0 || idx >= r->elf->nr_sections) {
		refuse(r, "%s: section %s: %s %zu out of range (%zu sections)",
		       r->path, from->name, what, idx, r->elf->nr_sections);
		return NULL;
	}
	return r->elf->sections[idx];
}

static bool link_sections(struct reader *r)
{
	struct section *sec;

	for_each_section(r->elf, sec) {
		uint32_t type = sec->sh.sh_type;

		if (type == SHT_REL)
			return refuse(r, "%s: section %s: SHT_REL is not used on x86_64", r->path, sec->name);
		if (type == SHT_SYMTAB) {
			if (r->elf->symtab)
				return refuse(r, "%s: more than one symbol table", r->path);
			r->elf->symtab = sec;
		}
		if (type == SHT_SYMTAB || type == SHT_RELA || type == SHT_GROUP ||
		    type == SHT_SYMTAB_SHNDX) {
			sec->link = section_by_index(r, sec, "sh_link", sec->sh.sh_link);
			if (!sec->link)
				return false;
		}
		if (type != SHT_RELA)
			continue;
		sec->base = section_by_index(r, sec, "sh_info", sec->sh.sh_info);
		if (!sec->base)
			return false;
		if (sec->base == sec || is_rela_section(sec->base) || sec->base->rela)
			return refuse(r, "%s: section %s: bad relocation target %s",
			      r->path, sec->name, sec->base->name);
		sec->base->rela = sec;
	}
	if (!r->elf->symtab)
		return refuse(r, "%s: no symbol table", r->path);
	if (r->elf->symtab->link->sh.sh_type != SHT_STRTAB)
		return refuse(r, "%s: symbol table's string table is not SHT_STRTAB", r->path);
	return true;
}

static void add_symbol_slot(struct elf_obj *elf, struct symbol *sym)
{
	if (elf->nr_symbols == elf->cap_symbols) {
		elf->cap_symbols = elf->cap_symbols ? elf->cap_symbols * 2 : 256;
		elf->symbols = xrealloc(elf->symbols, elf->cap_symbols * sizeof(*elf->symbols));
	}
	sym->index = elf->nr_symbols;
	elf->symbols[elf->nr_symbols++] = sym;
}

static bool symbol_shndx(struct reader *r, const Elf64_Sym *s, size_t i, uint32_t *shndx)
{
	const struct section *x = r->shndx;

	*shndx = s->st_shndx;
	if (s->st_shndx != SHN_XINDEX)
		return true;
	if (!x || (i + 1) * sizeof(uint32_t) > x->size)
		return refuse(r, "%s: symbol %zu uses SHN_XINDEX without a valid .symtab_shndx",
			      r->path, i);
	*shndx = ((const uint32_t *)x->data)[i];
	return true;
}

static bool is_data_section(const struct section *sec)
{
	switch (sec->sh.sh_type) {
	case SHT_RELA:
	case SHT_REL:
	case SHT_SYMTAB:
	case SHT_STRTAB:
	case SHT_SYMTAB_SHNDX:
	case SHT_GROUP:
		return false;
	default:
		return true;
	}
}

static bool bind_symbol_section(struct reader *r, struct symbol *sym, uint32_t shndx)
{
	if (shndx == SHN_UNDEF || (shndx >= SHN_LORESERVE && shndx <= SHN_HIRESERVE)) {
		sym->shndx = (uint16_t)shndx;
		return true;
	}
	if (shndx >= r->elf->nr_sections)
		return refuse(r, "%s: symbol %s: section index %u out of range", r->path,
		      sym->name, shndx);
	sym->sec = r->elf->sections[shndx];
	if (!is_data_section(sym->sec))
		return refuse(r, "%s: symbol %s is defined in section %s, which holds no code or data",
		      r->path, *sym->name ? sym->name : "(section)", sym->sec->name);
	if (sym->type != STT_SECTION && !r->elf->linked && sym->sec->sh.sh_type != SHT_NOBITS &&
	    (sym->value > sym->sec->size || sym->size > sym->sec->size - sym->value))
		return refuse(r, "%s: symbol %s extends past the end of section %s", r->path,
		      sym->name, sym->sec->name);
	if (sym->type == STT_SECTION && !sym->sec->secsym)
		sym->sec->secsym = sym;
	return true;
}

static bool read_symbols(struct reader *r)
{
	struct section *symtab = r->elf->symtab;
	size_t n = symtab->size / sizeof(Elf64_Sym);

	if (symtab->sh.sh_entsize != sizeof(Elf64_Sym) || symtab->size % sizeof(Elf64_Sym) || !n)
		return refuse(r, "%s: malformed symbol table", r->path);
	htable_init(&r->elf->sym_names, n);
	/* An image's 200,000 symbols: one allocation, names left in the mapped .strtab. */
	if (r->elf->linked)
		r->elf->sym_block = xcalloc(n, sizeof(*r->elf->sym_block));
	for (size_t i = 0; i < n; i++) {
		struct symbol *sym = r->elf->linked ? &r->elf->sym_block[i] : xcalloc(1, sizeof(*sym));
		Elf64_Sym s;
		uint32_t shndx;
		char *name;

		add_symbol_slot(r->elf, sym);	/* a refusal below frees it with the rest */
		memcpy(&s, symtab->data + i * sizeof(s), sizeof(s));
		name = elf_strptr(r->e, symtab->link->index, s.st_name);
		if (!name)
			return refuse(r, "%s: symbol %zu: name offset %u out of range", r->path, i, s.st_name);
		sym->name = r->elf->linked ? name : xstrdup(name);
		sym->type = GELF_ST_TYPE(s.st_info);
		sym->bind = GELF_ST_BIND(s.st_info);
		sym->other = s.st_other;
		sym->value = s.st_value;
		sym->size = s.st_size;
		if (i == 0)
			continue;
		if (!symbol_shndx(r, &s, i, &shndx) || !bind_symbol_section(r, sym, shndx))
			return false;
		htable_add(&r->elf->sym_names, &sym->name_node, hash_str(sym->name));
	}
	return true;
}

static bool read_relas_of(struct reader *r, struct section *sec)
{
	size_t n = sec->size / sizeof(Elf64_Rela);
	unsigned char *p = sec->data;

	if (sec->sh.sh_entsize != sizeof(Elf64_Rela) || sec->size % sizeof(Elf64_Rela))
		return refuse(r, "%s: section %s: malformed relocation section", r->path, sec->name);
	if (sec->link != r->elf->symtab)
		return refuse(r, "%s: section %s: relocations refer to a section other than .symtab",
		      r->path, sec->name);
	sec->relas = xcalloc(n, sizeof(*sec->relas));
	sec->nr_relas = sec->cap_relas = n;
	for (size_t i = 0; i < n; i++, p += sizeof(Elf64_Rela)) {
		Elf64_Rela raw;
		struct rela *rel = &sec->relas[i];
		size_t symi;

		memcpy(&raw, p, sizeof(raw));
		symi = ELF64_R_SYM(raw.r_info);
		rel->type = ELF64_R_TYPE(raw.r_info);
		rel->offset = raw.r_offset;
		rel->addend = raw.r_addend;
		if (symi == 0 || symi >= r->elf->nr_symbols)
			return refuse(r, "%s: section %s: relocation %zu: symbol index %zu out of range",
			      r->path, sec->name, i, symi);
		if (!is_known_rela_type(rel->type))
			return refuse(r, "%s: section %s: relocation %zu: unsupported type %u",
			      r->path, sec->name, i, rel->type);
		if (sec->base->sh.sh_type != SHT_NOBITS &&
		    (rel->offset > sec->base->size ||
		     rela_width(rel->type) > sec->base->size - rel->offset))
			return refuse(r, "%s: section %s: relocation at offset 0x%lx is outside %s",
			      r->path, sec->name, (unsigned long)rel->offset, sec->base->name);
		rel->sym = r->elf->symbols[symi];
	}
	free(sec->data);
	sec->data = NULL;
	section_sort_relas(sec);
	return true;
}

/* An image's relocations (--emit-relocs) are at addresses, not offsets: not read. */
static bool read_relocations(struct reader *r)
{
	struct section *sec;

	if (r->elf->linked)
		return true;
	for_each_section(r->elf, sec)
		if (is_rela_section(sec) && !read_relas_of(r, sec))
			return false;
	return true;
}

/* A refusal: what was read of the file is freed with it, the caller has the message. */
static struct elf_obj *close_refused(struct reader *r)
{
	if (r->e)
		elf_end(r->e);
	if (r->fd >= 0)
		close(r->fd);
	elf_free(r->elf);
	return NULL;
}

static struct elf_obj *read_file(const char *path, bool allow_linked, char *err, size_t errlen)
{
	struct reader r = { .path = path, .fd = -1, .allow_linked = allow_linked,
			    .err = err, .errlen = errlen };

	r.elf = xcalloc(1, sizeof(*r.elf));
	r.elf->path = xstrdup(path);
	if (!open_file(&r) || !check_header(&r))
		return close_refused(&r);
	htable_init(&r.elf->sec_names, r.shnum);
	if (!read_sections(&r) || !link_sections(&r) || !read_symbols(&r) ||
	    !read_relocations(&r))
		return close_refused(&r);
	section_index_symbols(r.elf);
	if (r.elf->linked) {
		r.elf->map = r.e;
		r.elf->map_fd = r.fd;
	} else {
		elf_end(r.e);
		close(r.fd);
	}
	DEBUG(DBG_READ, "%s: %zu sections, %zu symbols", path, r.elf->nr_sections,
	      r.elf->nr_symbols);
	return r.elf;
}

struct elf_obj *elf_load(const char *path, bool allow_linked, char *err, size_t errlen)
{
	return read_file(path, allow_linked, err, errlen);
}

static struct elf_obj *read_or_die(const char *path, bool allow_linked)
{
	char err[ELF_ERRLEN];
	struct elf_obj *elf = read_file(path, allow_linked, err, sizeof(err));

	if (!elf)
		ERROR("%s", err);
	return elf;
}

struct elf_obj *elf_read(const char *path)
{
	return read_or_die(path, false);
}

struct elf_obj *elf_read_image(const char *path)
{
	return read_or_die(path, true);
}

void elf_free(struct elf_obj *elf)
{
	if (!elf)
		return;
	for (size_t i = 0; i < elf->nr_sections; i++) {
		struct section *sec = elf->sections[i];

		if (!sec)
			continue;
		free(sec->name);
		if (!elf->linked)
			free(sec->data);
		free(sec->syms);
		free(sec->relas);
		free(sec);
	}
	for (size_t i = 0; !elf->linked && i < elf->nr_symbols; i++) {
		if (elf->symbols[i])
			free(elf->symbols[i]->name);
		free(elf->symbols[i]);
	}
	free(elf->sym_block);
	free(elf->sections);
	free(elf->symbols);
	htable_free(&elf->sec_names);
	htable_free(&elf->sym_names);
	if (elf->map) {
		elf_end(elf->map);
		close(elf->map_fd);
	}
	free(elf->path);
	free(elf);
}
