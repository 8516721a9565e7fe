// SPDX-License-Identifier: GPL-2.0
/*
 * The target's binary for kpb-origcheck (origcheck-binary.h): opening a
 * linked image or a module, finding a function as the livepatch core does,
 * and the lookups the comparison needs.
 */
#include "origcheck-binary.h"
#include "log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int cmp_bsec(const void *a, const void *b)
{
	const struct bsec *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_baddr(const void *a, const void *b)
{
	const struct baddr *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* A linked image's allocated sections and symbols, by address. */
static void index_linked(struct binary *b)
{
	const struct section *sec;

	b->secs = xcalloc(b->obj->nr_sections, sizeof(*b->secs));
	for_each_section(b->obj, sec) {
		if (!(sec->sh.sh_flags & SHF_ALLOC) || !sec->sh.sh_size)
			continue;
		if (sec->sh.sh_type == SHT_NOBITS)
			b->secs[b->nr_secs++] = (struct bsec){ sec->sh.sh_addr, sec->sh.sh_size, NULL };
		else if (sec->data && sec->size == sec->sh.sh_size)
			b->secs[b->nr_secs++] = (struct bsec){ sec->sh.sh_addr, sec->size, sec->data };
	}
	qsort(b->secs, b->nr_secs, sizeof(*b->secs), cmp_bsec);
	b->syms = xcalloc(ksymtab_nr_syms(b->kt) + 1, sizeof(*b->syms));
	for (size_t i = 0; i < ksymtab_nr_syms(b->kt); i++) {
		const struct ksym *k = ksymtab_sym(b->kt, i);

		if (k->place == KSYM_IN_SECTION && k->type != KSYM_SECTION &&
		    k->type != KSYM_FILE && k->name[0])
			b->syms[b->nr_syms++] = (struct baddr){ k->value, k->name };
	}
	qsort(b->syms, b->nr_syms, sizeof(*b->syms), cmp_baddr);
}

/* The file is opened once for its sections (lib's reader), once for its symbol table. */
void open_binary(struct binary *b, const char *path)
{
	char err[512];

	b->path = path;
	b->obj = elf_read_image(path);
	b->linked = b->obj->linked;
	b->kt = ksymtab_load_as(path, b->linked ? KSYM_ORDER_ADDRESS : KSYM_ORDER_SYMTAB,
				err, sizeof(err));
	if (!b->kt)
		ERROR("%s", err);
	if (b->linked)
		index_linked(b);
}

void close_binary(struct binary *b)
{
	free(b->secs);
	free(b->syms);
	elf_free(b->obj);
	ksymtab_free(b->kt);
}

/* The allocated section of a linked image holding [addr, addr + len). */
const struct bsec *bsec_at(const struct binary *b, uint64_t addr, uint64_t len)
{
	size_t lo = 0, hi = b->nr_secs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->secs[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct bsec *s = &b->secs[lo - 1];

	return addr - s->addr + len <= s->size ? s : NULL;
}

/* Is there a symbol NAME at ADDR in the linked image? */
bool linked_has_symbol(const struct binary *b, const char *name, uint64_t addr)
{
	struct baddr key = { .addr = addr };
	struct baddr *hit = bsearch(&key, b->syms, b->nr_syms, sizeof(*b->syms), cmp_baddr);

	if (!hit)
		return false;
	while (hit > b->syms && hit[-1].addr == addr)
		hit--;
	for (; hit < b->syms + b->nr_syms && hit->addr == addr; hit++)
		if (!strcmp(hit->name, name))
			return true;
	return false;
}

/* "name+0x10" for ADDR of the linked image, for messages. */
char *describe_linked_addr(const struct binary *b, uint64_t addr)
{
	size_t lo = 0, hi = b->nr_syms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr - b->syms[lo - 1].addr > (1u << 20))
		return xasprintf("0x%" PRIx64, addr);
	if (addr == b->syms[lo - 1].addr)
		return xasprintf("%s (0x%" PRIx64 ")", b->syms[lo - 1].name, addr);
	return xasprintf("%s+0x%" PRIx64 " (0x%" PRIx64 ")", b->syms[lo - 1].name,
			 addr - b->syms[lo - 1].addr, addr);
}

/* Is there a symbol NAME at OFF of SEC (a module's section)? */
bool section_has_symbol(const struct section *sec, const char *name, int64_t off)
{
	return off >= 0 && find_symbol_named_at(sec, name, (uint64_t)off);
}

/* The function NAME,SYMPOS of the binary, as the livepatch core finds it. */
struct bplace binary_function(const struct binary *b, const char *name,
				     unsigned long sympos)
{
	const struct ksym *k = ksymtab_resolve(b->kt, name, sympos);
	struct bplace p = { 0 };

	if (!k || k->type != KSYM_FUNC || k->place != KSYM_IN_SECTION)
		ERROR("%s: no function %s,%lu", b->path, name, sympos);
	p.size = k->size;
	if (b->linked) {
		const struct bsec *s = bsec_at(b, k->value, k->size);

		if (!s || !s->data)
			ERROR("%s: %s is outside the image's sections", b->path, name);
		p.addr = k->value;
		p.data = s->data + (k->value - s->addr);
	} else {
		struct symbol *sym = k->index < b->obj->nr_symbols ? b->obj->symbols[k->index] : NULL;

		if (!sym || !sym->sec || !sym->sec->data || sym->value + sym->size > sym->sec->size)
			ERROR("%s: %s is outside its section", b->path, name);
		p.sec = sym->sec;
		p.off = sym->value;
		p.data = sym->sec->data + sym->value;
	}
	return p;
}
