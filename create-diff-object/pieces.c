// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0: the index of code sections without symbols that functions jump
 * into and that jump back (kinds.c: COMPARE_PIECES, EMIT_PIECES): static_cpu_has() (arch/x86/include/asm/cpufeature.h) assembles its
 * fallback, "testb $bit, boot_cpu_data+N(%rip); jnz t_yes; jmp t_no", into
 * .altinstr_aux, and the function's "jmp 6f" is the only way in.  Older
 * kernels' .fixup is entered by __ex_table entries instead.
 *
 * Such a section is cut into pieces at the offsets other code jumps to.  A
 * piece belongs to the functions that enter it: it is compared by its
 * bytes and by what its relocations point to, and the output carries the
 * pieces its functions enter, in a section of the same name, their jumps
 * back landing in the output's copy of each function.
 *
 * This file only cuts and finds pieces: same.c compares them, include.c
 * marks the kept ones (mark_piece_kept), output.c lays them out and records
 * where (set_piece_output_offset).
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

/*
 * What enters a piece: code (a function's "jmp 6f" into .altinstr_aux), or
 * the entries of a table compared with their functions (an __ex_table
 * entry's fixup field into .fixup).  Not ORC or the objtool site lists,
 * which point inside a piece, not at where it starts.
 */
static bool enters_pieces(const struct section *sec)
{
	const struct section_kind *k = section_kind(sec);

	return is_text_section(sec) || (k && k->compare == COMPARE_ENTRIES);
}

/* One pass over the relocations of the code and tables that enter piece sections. */
struct pieces *index_pieces(const struct elf_obj *elf)
{
	struct pieces *ps = xcalloc(1, sizeof(*ps));
	struct section *sec;

	for_each_section(elf, sec) {
		struct rela *r;
		uint64_t off;

		if (!is_rela_section(sec) || !enters_pieces(sec->base))
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
static bool locate_piece(const struct piece_section *p, uint64_t off, size_t *index, uint64_t *end)
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

/* The piece relocation @r of @from jumps to the start of, if it does. */
bool find_piece(const struct pieces *ps, const struct section *from, const struct rela *r,
		struct piece *out)
{
	uint64_t off;

	if (!piece_target(from, r, &off))
		return false;
	out->in = find_piece_section(ps, r->sym->sec);
	if (!out->in || !locate_piece(out->in, off, &out->index, &out->end))
		return false;
	out->sec = out->in->sec;
	out->start = off;
	return true;
}

size_t count_piece_sections(const struct pieces *ps)
{
	return ps->nr;
}

size_t count_pieces(const struct pieces *ps, size_t s)
{
	return ps->secs[s].nr;
}

/* Piece @i of piece section @s. */
struct piece piece_at(const struct pieces *ps, size_t s, size_t i)
{
	struct piece_section *p = &ps->secs[s];

	return (struct piece){
		.in = p, .sec = p->sec, .index = i, .start = p->starts[i],
		.end = i + 1 < p->nr ? p->starts[i + 1] : p->sec->size,
	};
}

bool is_piece_kept(const struct piece *p)
{
	return p->in->kept[p->index];
}

/* include.c's: the output carries @p.  False if it already did. */
bool mark_piece_kept(struct piece *p)
{
	if (p->in->kept[p->index])
		return false;
	p->in->kept[p->index] = true;
	return true;
}

uint64_t piece_output_offset(const struct piece *p)
{
	return p->in->out_off[p->index];
}

/* output.c's: where the output's copy of @p starts. */
void set_piece_output_offset(struct piece *p, uint64_t off)
{
	p->in->out_off[p->index] = off;
}
