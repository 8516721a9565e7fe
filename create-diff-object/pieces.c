// SPDX-License-Identifier: GPL-2.0
/*
 * Code sections without symbols that functions jump into and that jump
 * back: static_cpu_has() (arch/x86/include/asm/cpufeature.h) assembles its
 * fallback, "testb $bit, boot_cpu_data+N(%rip); jnz t_yes; jmp t_no", into
 * .altinstr_aux, and the function's "jmp 6f" is the only way in.
 *
 * Such a section is cut into pieces at the offsets other code jumps to.  A
 * piece belongs to the functions that enter it: it is compared by its
 * bytes and by what its relocations point to, and the output carries the
 * pieces its functions enter, in a section of the same name, their jumps
 * back landing in the output's copy of each function.
 */
#include "cdo.h"

#include <stdlib.h>
#include <string.h>

struct piece_section {
	const struct section *sec;
	uint64_t *starts;	/* entry offsets, sorted, unique */
	size_t nr;
	bool *kept;		/* PATCHED side: [piece] carried by the output */
	uint64_t *out_off;	/* PATCHED side: [piece] offset in the output */
};

struct pieces {
	struct piece_section *secs;
	size_t nr;
};

static struct piece_section *find_piece_section(const struct pieces *ps, const struct section *sec)
{
	for (size_t i = 0; ps && i < ps->nr; i++)
		if (ps->secs[i].sec == sec)
			return &ps->secs[i];
	return NULL;
}

/* Where in a piece section relocation @r of @from lands, if it does. */
static bool piece_target(const struct section *from, const struct rela *r, uint64_t *off)
{
	int64_t at = r->addend + pcrel_bias(from, r->type);

	if (!is_section_sym(r->sym) || !r->sym->sec || !is_piece_section(r->sym->sec) ||
	    from == r->sym->sec || at < 0 || (uint64_t)at >= r->sym->sec->size)
		return false;
	*off = (uint64_t)at;
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void add_entry(struct pieces *ps, const struct section *sec, uint64_t off)
{
	struct piece_section *p = find_piece_section(ps, sec);

	if (!p) {
		ps->secs = xrealloc(ps->secs, (ps->nr + 1) * sizeof(*ps->secs));
		p = &ps->secs[ps->nr++];
		memset(p, 0, sizeof(*p));
		p->sec = sec;
	}
	p->starts = xrealloc(p->starts, (p->nr + 1) * sizeof(*p->starts));
	p->starts[p->nr++] = off;
}

/* One pass over the relocations of the code that enters piece sections. */
struct pieces *index_pieces(const struct elf_obj *elf)
{
	struct pieces *ps = xcalloc(1, sizeof(*ps));
	struct section *sec;

	for_each_section(elf, sec) {
		struct rela *r;
		uint64_t off;

		if (!is_rela_section(sec) || !is_text_section(sec->base))
			continue;
		for_each_rela(sec, r)
			if (piece_target(sec->base, r, &off))
				add_entry(ps, r->sym->sec, off);
	}
	for (size_t i = 0; i < ps->nr; i++) {
		struct piece_section *p = &ps->secs[i];
		size_t n = 0;

		qsort(p->starts, p->nr, sizeof(*p->starts), cmp_u64);
		for (size_t j = 0; j < p->nr; j++)
			if (!n || p->starts[n - 1] != p->starts[j])
				p->starts[n++] = p->starts[j];
		p->nr = n;
		p->kept = xcalloc(n, sizeof(bool));
		p->out_off = xcalloc(n, sizeof(uint64_t));
	}
	return ps;
}

void free_pieces(struct pieces *ps)
{
	for (size_t i = 0; ps && i < ps->nr; i++) {
		free(ps->secs[i].starts);
		free(ps->secs[i].kept);
		free(ps->secs[i].out_off);
	}
	if (ps)
		free(ps->secs);
	free(ps);
}

/* The piece starting at @off: its index, and its end (the next piece's start). */
static bool find_piece(const struct piece_section *p, uint64_t off, size_t *index, uint64_t *end)
{
	size_t lo = 0, hi = p->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (p->starts[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == p->nr || p->starts[lo] != off)
		return false;
	*index = lo;
	*end = lo + 1 < p->nr ? p->starts[lo + 1] : p->sec->size;
	return true;
}

/* Relocations of [start, end) of @sec, or NULL/NULL. */
static const struct rela *relas_in(const struct section *sec, uint64_t start, uint64_t end,
				   const struct rela **stop)
{
	const struct rela *r = sec->rela ? find_rela_from(sec, start) : NULL;
	const struct rela *last = sec->rela ? sec->rela->relas + sec->rela->nr_relas : NULL;

	*stop = r;
	while (*stop && *stop < last && (*stop)->offset < end)
		(*stop)++;
	return r;
}

bool same_piece(const struct cdo *c, const struct section *of, const struct rela *o,
		const struct section *pf, const struct rela *p)
{
	const struct piece_section *os, *ps;
	uint64_t ooff, poff, oend, pend;
	const struct rela *orr, *prr, *ostop, *pstop;
	size_t oi, pi;

	if (!piece_target(of, o, &ooff) || !piece_target(pf, p, &poff))
		return false;
	os = find_piece_section(c->pieces[ORIG], o->sym->sec);
	ps = find_piece_section(c->pieces[PATCHED], p->sym->sec);
	if (!os || !ps || !find_piece(os, ooff, &oi, &oend) || !find_piece(ps, poff, &pi, &pend) ||
	    oend - ooff != pend - poff ||
	    memcmp(os->sec->data + ooff, ps->sec->data + poff, pend - poff))
		return false;
	orr = relas_in(os->sec, ooff, oend, &ostop);
	prr = relas_in(ps->sec, poff, pend, &pstop);
	if (ostop - orr != pstop - prr)
		return false;
	for (; orr < ostop; orr++, prr++)
		if (orr->offset - ooff != prr->offset - poff ||
		    !same_target(c, os->sec, orr, ps->sec, prr))
			return false;
	return true;
}

/* A kept function enters a piece: the output carries it.  Returns its range. */
bool keep_piece(struct cdo *c, const struct section *from, const struct rela *r,
		const struct section **sec, uint64_t *start, uint64_t *end)
{
	struct piece_section *p;
	uint64_t off;
	size_t i;

	if (!piece_target(from, r, &off))
		return false;
	p = find_piece_section(c->pieces[PATCHED], r->sym->sec);
	if (!p || !find_piece(p, off, &i, end))
		return false;
	*sec = p->sec;
	*start = off;
	if (p->kept[i])
		return true;
	p->kept[i] = true;
	DEBUG(DBG_INCLUDE, "include %s+0x%lx..0x%lx", p->sec->name, (unsigned long)off,
	      (unsigned long)*end);
	return true;
}

/* Lay the kept pieces out in output sections of the same names. */
void clone_pieces(struct cdo *c)
{
	for (size_t s = 0; s < c->pieces[PATCHED]->nr; s++) {
		struct piece_section *p = &c->pieces[PATCHED]->secs[s];
		struct section *out = NULL;

		for (size_t i = 0; i < p->nr; i++) {
			uint64_t end = i + 1 < p->nr ? p->starts[i + 1] : p->sec->size;

			if (!p->kept[i])
				continue;
			if (!out) {
				out = section_new(c->out, p->sec->name, p->sec->sh.sh_type,
						  p->sec->sh.sh_flags, 0, p->sec->sh.sh_addralign);
				out->secsym = symbol_new(c->out, "", STB_LOCAL, STT_SECTION, out, 0, 0);
			}
			p->out_off[i] = section_append(out, p->sec->data + p->starts[i],
						       end - p->starts[i], 1);
		}
	}
}

/* After every function has its copy: the pieces' jumps back land in them. */
void copy_piece_relocations(struct cdo *c)
{
	for (size_t s = 0; s < c->pieces[PATCHED]->nr; s++) {
		struct piece_section *p = &c->pieces[PATCHED]->secs[s];
		struct section *out = find_section(c->out, p->sec->name);

		for (size_t i = 0; out && i < p->nr; i++) {
			uint64_t end = i + 1 < p->nr ? p->starts[i + 1] : p->sec->size;

			if (p->kept[i])
				copy_relocations(c, p->sec, p->starts[i], end, out, p->out_off[i]);
		}
	}
}

/* The output's place for what @r (a jump into a kept piece) pointed to. */
bool map_piece_target(struct cdo *c, const struct section *from, const struct rela *r,
		      struct symbol **sym, int64_t *addend)
{
	struct piece_section *p;
	struct section *out;
	uint64_t off, end;
	size_t i;

	if (!piece_target(from, r, &off))
		return false;
	p = find_piece_section(c->pieces[PATCHED], r->sym->sec);
	if (!p || !find_piece(p, off, &i, &end) || !p->kept[i])
		return false;
	out = find_section(c->out, p->sec->name);
	*sym = out->secsym;
	*addend = r->addend - (int64_t)off + (int64_t)p->out_off[i];
	return true;
}
