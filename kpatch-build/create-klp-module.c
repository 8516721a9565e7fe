// SPDX-License-Identifier: GPL-2.0
/*
 * create-klp-module: the post-link step.  kbuild and modpost cannot produce
 * the livepatch module ELF format, so the patch module is linked with
 * ordinary relocations against undefined ".klp.sym.<obj>.<name>,<pos>"
 * symbols and converted here: those relocations move into
 * ".klp.rela.<obj>.<section>" sections (SHF_RELA_LIVEPATCH | SHF_ALLOC) and
 * the symbols get st_shndx SHN_LIVEPATCH, as
 * Documentation/livepatch/module-elf-format.rst requires.
 */
#include "elfobj.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KLP_SYM_PREFIX ".klp.sym."

static const char usage_text[] =
	"Usage: create-klp-module IN.ko OUT.ko\n"
	"\n"
	"Move the relocations against .klp.sym.<obj>.<name>,<pos> symbols of IN.ko\n"
	"into .klp.rela.<obj>.<section> livepatch relocation sections and mark those\n"
	"symbols SHN_LIVEPATCH; write the result to OUT.ko.\n"
	"\n"
	"Exit status: 0 written; 1 error (bad input, malformed .klp.sym name).\n";

static bool is_klp_symbol(const struct symbol *sym)
{
	return !strncmp(sym->name, KLP_SYM_PREFIX, strlen(KLP_SYM_PREFIX));
}

/* ".klp.sym.vmlinux.foo,0" -> "vmlinux"; checks the whole name's shape. */
static char *klp_symbol_objname(const struct elf_obj *elf, const struct symbol *sym)
{
	const char *obj = sym->name + strlen(KLP_SYM_PREFIX);
	const char *dot = strchr(obj, '.'), *comma = strrchr(obj, ',');
	char *end;

	if (!dot || dot == obj || !comma || comma < dot + 2 || !comma[1])
		ERROR("%s: symbol %s: expected .klp.sym.<obj>.<name>,<sympos>", elf->path,
		      sym->name);
	strtoul(comma + 1, &end, 10);
	if (*end)
		ERROR("%s: symbol %s: sympos '%s' is not a number", elf->path, sym->name,
		      comma + 1);
	if (!is_undefined(sym))
		ERROR("%s: symbol %s is defined; livepatch symbols must be undefined",
		      elf->path, sym->name);
	return strndup(obj, (size_t)(dot - obj));
}

static struct section *klp_rela_section(struct elf_obj *elf, const char *obj,
					struct section *base)
{
	const char *secname = base->name[0] == '.' ? base->name + 1 : base->name;
	char *name = xasprintf(".klp.rela.%s.%s", obj, secname);
	struct section *sec = find_section(elf, name);

	if (!sec) {
		sec = section_new(elf, name, SHT_RELA,
				  SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH,
				  sizeof(Elf64_Rela), 8);
		sec->base = base;
		sec->link = elf->symtab;
	}
	free(name);
	return sec;
}

/* Split one relocation section: klp relocations out, the rest stays. */
static size_t convert_rela_section(struct elf_obj *elf, struct section *rs)
{
	size_t kept = 0, moved = 0;

	for (size_t i = 0; i < rs->nr_relas; i++) {
		struct rela r = rs->relas[i];
		char *obj;

		if (!is_klp_symbol(r.sym)) {
			rs->relas[kept++] = r;
			continue;
		}
		obj = klp_symbol_objname(elf, r.sym);
		rela_add(klp_rela_section(elf, obj, rs->base), r.offset, r.type, r.sym, r.addend);
		free(obj);
		moved++;
	}
	rs->nr_relas = kept;
	return moved;
}

static void drop_empty_rela_sections(struct elf_obj *elf)
{
	for (size_t i = 1; i < elf->nr_sections; i++) {
		struct section *sec = elf->sections[i];

		if (!sec || !is_rela_section(sec) || sec->nr_relas ||
		    (sec->sh.sh_flags & SHF_RELA_LIVEPATCH))
			continue;
		sec->base->rela = NULL;
		htable_del(&elf->sec_names, &sec->name_node);
		free(sec->name);
		free(sec->data);
		free(sec->relas);
		free(sec->syms);
		free(sec);
		elf->sections[i] = NULL;
	}
}

static size_t convert_relocations(struct elf_obj *elf)
{
	size_t n = elf->nr_sections, moved = 0;

	/* New sections are appended while walking: only visit the original ones. */
	for (size_t i = 1; i < n; i++) {
		struct section *sec = elf->sections[i];

		if (sec && is_rela_section(sec) && !(sec->sh.sh_flags & SHF_RELA_LIVEPATCH))
			moved += convert_rela_section(elf, sec);
	}
	drop_empty_rela_sections(elf);
	return moved;
}

static size_t mark_livepatch_symbols(struct elf_obj *elf)
{
	struct symbol *sym;
	size_t n = 0;

	for_each_symbol(elf, sym) {
		if (!is_klp_symbol(sym))
			continue;
		free(klp_symbol_objname(elf, sym));
		sym->shndx = SHN_LIVEPATCH;
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct elf_obj *elf;
	size_t relas, syms;

	log_progname = "create-klp-module";
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return KPB_OK;
	}
	if (argc != 3) {
		fputs(usage_text, stderr);
		return KPB_ERROR;
	}
	elf = elf_read(argv[1]);
	relas = convert_relocations(elf);
	syms = mark_livepatch_symbols(elf);
	elf_write(elf, argv[2]);
	DEBUG(DBG_WRITE, "%s: %zu livepatch relocations, %zu livepatch symbols", argv[2],
	      relas, syms);
	elf_free(elf);
	return KPB_OK;
}
