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
};

static bool is_known_rela_type(uint32_t type)
{
	return type == R_X86_64_NONE || rela_width(type) > 0;
}

static void open_file(struct reader *r)
{
	struct stat st;

	r->fd = open(r->path, O_RDONLY);
	if (r->fd < 0)
		ERROR("%s: cannot open: %s", r->path, strerror(errno));
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode))
		ERROR("%s: not a regular file", r->path);
	r->file_size = (uint64_t)st.st_size;
	if (elf_version(EV_CURRENT) == EV_NONE)
		ERROR_ELF(r->path, "libelf initialisation");
	r->e = elf_begin(r->fd, ELF_C_READ_MMAP, NULL);
	if (!r->e)
		ERROR_ELF(r->path, "cannot read");
	if (elf_kind(r->e) != ELF_K_ELF)
		ERROR("%s: not an ELF file", r->path);
}

static void check_header(struct reader *r)
{
	GElf_Ehdr eh;
	char *ident = elf_getident(r->e, NULL);

	if (!ident || !gelf_getehdr(r->e, &eh))
		ERROR_ELF(r->path, "truncated or corrupt ELF header");
	if (ident[EI_CLASS] != ELFCLASS64)
		ERROR("%s: not a 64-bit ELF object", r->path);
	if (ident[EI_DATA] != ELFDATA2LSB)
		ERROR("%s: not a little-endian ELF object", r->path);
	if (eh.e_machine != EM_X86_64)
		ERROR("%s: not an x86_64 object (e_machine %u)", r->path, eh.e_machine);
	r->elf->linked = r->allow_linked && (eh.e_type == ET_EXEC || eh.e_type == ET_DYN);
	if (eh.e_type != ET_REL && !r->elf->linked)
		ERROR("%s: not a relocatable object (e_type %u, expected ET_REL%s)",
		      r->path, eh.e_type, r->allow_linked ? ", ET_EXEC or ET_DYN" : "");
	if (elf_getshdrnum(r->e, &r->shnum) || elf_getshdrstrndx(r->e, &r->shstrndx))
		ERROR_ELF(r->path, "bad section header table");
	if (r->shnum < 2 || r->shstrndx == SHN_UNDEF || r->shstrndx >= r->shnum)
		ERROR("%s: bad section header table (%zu sections, names in %zu)",
		      r->path, r->shnum, r->shstrndx);
	r->elf->osabi = (uint8_t)ident[EI_OSABI];
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

static void copy_section_data(struct reader *r, Elf_Scn *scn, struct section *sec)
{
	Elf_Data *d;

	if (sec->sh.sh_type == SHT_NOBITS) {
		sec->size = sec->sh.sh_size;
		return;
	}
	if (sec->sh.sh_offset > r->file_size ||
	    sec->sh.sh_size > r->file_size - sec->sh.sh_offset)
		ERROR("%s: section %s: contents extend past the end of the file",
		      r->path, sec->name);
	d = elf_getdata(scn, NULL);
	if (!d && sec->sh.sh_size)
		ERROR_ELF(r->path, "cannot read section contents");
	sec->size = d ? d->d_size : 0;
	if (r->elf->linked) {
		/* An image is only looked at: its contents stay mapped (vmlinux's -dbg is 590 MB). */
		sec->data = sec->size ? d->d_buf : NULL;
		return;
	}
	sec->data = xmalloc(sec->size);
	if (sec->size)
		memcpy(sec->data, d->d_buf, sec->size);
}

static void read_sections(struct reader *r)
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
			ERROR_ELF(r->path, "bad section header");
		name = elf_strptr(r->e, r->shstrndx, sec->sh.sh_name);
		if (!name)
			ERROR("%s: section %zu: name offset %u out of range",
			      r->path, i, sec->sh.sh_name);
		sec->name = xstrdup(name);
		copy_section_data(r, scn, sec);
		if (sec->sh.sh_type == SHT_SYMTAB_SHNDX)
			r->shndx = sec;
		htable_add(&elf->sec_names, &sec->name_node, hash_str(sec->name));
	}
}

static struct section *section_by_index(struct reader *r, const struct section *from,
					const char *what, size_t idx)
{
	if (idx == 0 || idx >= r->elf->nr_sections)
		ERROR("%s: section %s: %s %zu out of range (%zu sections)",
		      r->path, from->name, what, idx, r->elf->nr_sections);
	return r->elf->sections[idx];
}

static void link_sections(struct reader *r)
{
	struct section *sec;

	for_each_section(r->elf, sec) {
		uint32_t type = sec->sh.sh_type;

		if (type == SHT_REL)
			ERROR("%s: section %s: SHT_REL is not used on x86_64", r->path, sec->name);
		if (type == SHT_SYMTAB) {
			if (r->elf->symtab)
				ERROR("%s: more than one symbol table", r->path);
			r->elf->symtab = sec;
		}
		if (type == SHT_SYMTAB || type == SHT_RELA || type == SHT_GROUP ||
		    type == SHT_SYMTAB_SHNDX)
			sec->link = section_by_index(r, sec, "sh_link", sec->sh.sh_link);
		if (type != SHT_RELA)
			continue;
		sec->base = section_by_index(r, sec, "sh_info", sec->sh.sh_info);
		if (sec->base == sec || is_rela_section(sec->base) || sec->base->rela)
			ERROR("%s: section %s: bad relocation target %s",
			      r->path, sec->name, sec->base->name);
		sec->base->rela = sec;
	}
	if (!r->elf->symtab)
		ERROR("%s: no symbol table", r->path);
	if (r->elf->symtab->link->sh.sh_type != SHT_STRTAB)
		ERROR("%s: symbol table's string table is not SHT_STRTAB", r->path);
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

static uint32_t symbol_shndx(struct reader *r, const Elf64_Sym *s, size_t i)
{
	const struct section *x = r->shndx;

	if (s->st_shndx != SHN_XINDEX)
		return s->st_shndx;
	if (!x || (i + 1) * sizeof(uint32_t) > x->size)
		ERROR("%s: symbol %zu uses SHN_XINDEX without a valid .symtab_shndx",
		      r->path, i);
	return ((const uint32_t *)x->data)[i];
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

static void bind_symbol_section(struct reader *r, struct symbol *sym, uint32_t shndx)
{
	if (shndx == SHN_UNDEF || (shndx >= SHN_LORESERVE && shndx <= SHN_HIRESERVE)) {
		sym->shndx = (uint16_t)shndx;
		return;
	}
	if (shndx >= r->elf->nr_sections)
		ERROR("%s: symbol %s: section index %u out of range", r->path,
		      sym->name, shndx);
	sym->sec = r->elf->sections[shndx];
	if (!is_data_section(sym->sec))
		ERROR("%s: symbol %s is defined in section %s, which holds no code or data",
		      r->path, *sym->name ? sym->name : "(section)", sym->sec->name);
	if (sym->type != STT_SECTION && !r->elf->linked && sym->sec->sh.sh_type != SHT_NOBITS &&
	    (sym->value > sym->sec->size || sym->size > sym->sec->size - sym->value))
		ERROR("%s: symbol %s extends past the end of section %s", r->path,
		      sym->name, sym->sec->name);
	if (sym->type == STT_SECTION && !sym->sec->secsym)
		sym->sec->secsym = sym;
}

static void read_symbols(struct reader *r)
{
	struct section *symtab = r->elf->symtab;
	size_t n = symtab->size / sizeof(Elf64_Sym);

	if (symtab->sh.sh_entsize != sizeof(Elf64_Sym) || symtab->size % sizeof(Elf64_Sym) || !n)
		ERROR("%s: malformed symbol table", r->path);
	htable_init(&r->elf->sym_names, n);
	/* An image's 200,000 symbols: one allocation, names left in the mapped .strtab. */
	if (r->elf->linked)
		r->elf->sym_block = xcalloc(n, sizeof(*r->elf->sym_block));
	for (size_t i = 0; i < n; i++) {
		struct symbol *sym = r->elf->linked ? &r->elf->sym_block[i] : xcalloc(1, sizeof(*sym));
		Elf64_Sym s;
		char *name;

		add_symbol_slot(r->elf, sym);	/* a refusal below frees it with the rest */
		memcpy(&s, symtab->data + i * sizeof(s), sizeof(s));
		name = elf_strptr(r->e, symtab->link->index, s.st_name);
		if (!name)
			ERROR("%s: symbol %zu: name offset %u out of range", r->path, i, s.st_name);
		sym->name = r->elf->linked ? name : xstrdup(name);
		sym->type = GELF_ST_TYPE(s.st_info);
		sym->bind = GELF_ST_BIND(s.st_info);
		sym->other = s.st_other;
		sym->value = s.st_value;
		sym->size = s.st_size;
		if (i == 0)
			continue;
		bind_symbol_section(r, sym, symbol_shndx(r, &s, i));
		htable_add(&r->elf->sym_names, &sym->name_node, hash_str(sym->name));
	}
}

static void read_relas_of(struct reader *r, struct section *sec)
{
	size_t n = sec->size / sizeof(Elf64_Rela);
	unsigned char *p = sec->data;

	if (sec->sh.sh_entsize != sizeof(Elf64_Rela) || sec->size % sizeof(Elf64_Rela))
		ERROR("%s: section %s: malformed relocation section", r->path, sec->name);
	if (sec->link != r->elf->symtab)
		ERROR("%s: section %s: relocations refer to a section other than .symtab",
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
			ERROR("%s: section %s: relocation %zu: symbol index %zu out of range",
			      r->path, sec->name, i, symi);
		if (!is_known_rela_type(rel->type))
			ERROR("%s: section %s: relocation %zu: unsupported type %u",
			      r->path, sec->name, i, rel->type);
		if (sec->base->sh.sh_type != SHT_NOBITS &&
		    (rel->offset > sec->base->size ||
		     rela_width(rel->type) > sec->base->size - rel->offset))
			ERROR("%s: section %s: relocation at offset 0x%lx is outside %s",
			      r->path, sec->name, (unsigned long)rel->offset, sec->base->name);
		rel->sym = r->elf->symbols[symi];
	}
	free(sec->data);
	sec->data = NULL;
	section_sort_relas(sec);
}

/* An image's relocations (--emit-relocs) are at addresses, not offsets: not read. */
static void read_relocations(struct reader *r)
{
	struct section *sec;

	if (r->elf->linked)
		return;
	for_each_section(r->elf, sec)
		if (is_rela_section(sec))
			read_relas_of(r, sec);
}

/*
 * The file being read: a refusal (die) closes it and frees what was read
 * of it, so that a caller that goes on after die() (the fuzzer's longjmp)
 * keeps no descriptor, mapping or half-read model of each file it refused.
 */
static struct reader *reading;

static void close_reading(void)
{
	if (!reading)
		return;
	if (reading->e)
		elf_end(reading->e);
	if (reading->fd >= 0)
		close(reading->fd);
	elf_free(reading->elf);
	reading = NULL;
}

static struct elf_obj *read_file(const char *path, bool allow_linked)
{
	struct reader r = { .path = path, .fd = -1, .allow_linked = allow_linked };

	r.elf = xcalloc(1, sizeof(*r.elf));
	r.elf->path = xstrdup(path);
	reading = &r;
	log_push_die_hook(close_reading);
	open_file(&r);
	check_header(&r);
	htable_init(&r.elf->sec_names, r.shnum);
	read_sections(&r);
	link_sections(&r);
	read_symbols(&r);
	read_relocations(&r);
	section_index_symbols(r.elf);
	log_pop_die_hook();
	reading = NULL;
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

struct elf_obj *elf_read(const char *path)
{
	return read_file(path, false);
}

struct elf_obj *elf_read_image(const char *path)
{
	return read_file(path, true);
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
