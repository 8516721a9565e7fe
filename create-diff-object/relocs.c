// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0, relocation facts: where a relocation really points (the symbol
 * a section-symbol reference lands in, the addend relative to it), the
 * x86_64 bias of a PC-relative field, which relocation types are the same
 * displacement, and whether a function calls __fentry__.  Knows no phase.
 */
#include "cdo.h"
#include "x86.h"

#include <string.h>

/*
 * A PC-relative relocation's addend is "target - 4" when the 32-bit field
 * ends the instruction (the common case: call, jmp, mov sym(%rip)).
 */
int64_t pcrel_bias(const struct section *from, uint32_t type)
{
	/* In data (".long target - ."), the addend is the target itself. */
	if (!is_text_section(from))
		return 0;
	/* A jump label's NOP (x86.h): the jmp it was, gated.cold - 4. */
	if (rela_is_nopped_jump(type))
		return X86_REL32_PC_BIAS;
	switch (type) {
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		return X86_REL32_PC_BIAS;
	default:
		return 0;
	}
}

/*
 * "addl $1, count(%rip)" puts an immediate after the displacement, so the
 * addend is "target - 5" (up to -8 with an imm32).  The instruction says
 * how long its immediate is (x86_imm_after_disp32()); only code of another
 * shape is searched up to 4 bytes on.  A search would be wrong where two
 * symbols are that close: Debian 6.1's nfsd4_setclientid() sets its once
 * flag with "movb $1, .data.once-4(%rip)" (offset 1) after a pr_info_once()
 * elsewhere put a new flag at offset 0, which a bias of 4 lands in.
 */
static struct symbol *symbol_near(const struct section *from, const struct rela *r,
				  const struct section *sec, int64_t off, int64_t bias)
{
	int64_t extra = bias ? X86_MAX_IMM_AFTER_DISP : 0;

	if (bias && from->data && r->offset + 4 <= from->size) {
		int imm = x86_imm_after_disp32(from->data, r->offset);

		if (imm >= 0)
			return off + imm < 0 ? NULL :
			       find_symbol_containing(sec, (uint64_t)(off + imm));
	}

	for (int64_t d = 0; d <= extra; d++) {
		struct symbol *t;

		if (off + d < 0)
			continue;
		t = find_symbol_containing(sec, (uint64_t)(off + d));
		if (t)
			return t;
	}
	return NULL;
}

/*
 * The object @off is one past the end of: "for (p = table; p < table + N;
 * p++)" makes GCC refer to &table[N], the end of the table's section
 * (.rodata.xstats.0 + 0x170 in fs/xfs/xfs_stats.c), where no symbol is.
 * Only where nothing but the object's alignment padding follows it up to
 * the next symbol or the section's end: bytes of their own there (an
 * assembler's symbol-less data) could be what is meant, and are not
 * guessed at.  In the running kernel, as in the output, the object's end
 * is its address plus its size, wherever its section went.
 */
static struct symbol *object_ending_at(const struct section *sec, int64_t off)
{
	uint64_t align = sec->sh.sh_addralign ? sec->sh.sh_addralign : 1, padded;
	struct symbol *end, *next;

	if (off <= 0 || (uint64_t)off > sec->size)
		return NULL;
	end = find_symbol_ending_at(sec, (uint64_t)off);
	if (!end || end->type != STT_OBJECT)
		return NULL;
	padded = ((uint64_t)off + align - 1) / align * align;
	next = find_symbol_after(sec, (uint64_t)off);
	return next ? (next->value == padded ? end : NULL) : (padded >= sec->size ? end : NULL);
}

struct symbol *resolve_reloc(const struct section *from, const struct rela *r,
			     int64_t *sym_addend)
{
	struct symbol *target, *sym = r->sym;
	int64_t bias = pcrel_bias(from, r->type), addend = r->addend;

	*sym_addend = addend;
	if (!is_section_sym(sym) || !sym->sec || is_string_section(sym->sec))
		return sym;
	target = symbol_near(from, r, sym->sec, addend + bias, bias);
	if (!target)
		target = object_ending_at(sym->sec, addend + bias);
	if (!target)
		return sym;
	*sym_addend = addend - (int64_t)target->value;
	return target;
}

/*
 * The function whose code @r points into (a special-section entry's code
 * field: a jump label's site) and the offset in it; NULL when no function
 * holds that byte (*@off is then the offset in the section).
 */
struct symbol *function_containing(const struct section *from, const struct rela *r,
				   uint64_t *off)
{
	int64_t add;
	struct symbol *t = resolve_reloc(from, r, &add);

	*off = (uint64_t)(add + pcrel_bias(from, r->type));
	return t->type == STT_FUNC ? t : NULL;
}

/*
 * A call to a global is R_X86_64_PLT32, to a static R_X86_64_PC32 (GCC):
 * the kernel has no PLT, both resolve to the same displacement.
 */
uint32_t plain_reloc_type(uint32_t type)
{
	return type == R_X86_64_PLT32 ? R_X86_64_PC32 : type;
}

bool is_fentry_traced(const struct symbol *func)
{
	/* __fentry__ is the first call, after an ENDBR64 at most. */
	for (struct rela *r = find_rela_from(func->sec, func->value);
	     r && func->sec->rela && r < func->sec->rela->relas + func->sec->rela->nr_relas &&
	     r->offset < func->value + X86_FENTRY_WINDOW; r++)
		if (!strcmp(r->sym->name, "__fentry__"))
			return true;
	return false;
}

/* Relocations of [start, end) of @sec, or NULL/NULL. */
const struct rela *relas_in(const struct section *sec, uint64_t start, uint64_t end,
				   const struct rela **stop)
{
	const struct rela *r = sec->rela ? find_rela_from(sec, start) : NULL;
	const struct rela *last = sec->rela ? sec->rela->relas + sec->rela->nr_relas : NULL;

	*stop = r;
	while (*stop && *stop < last && (*stop)->offset < end)
		(*stop)++;
	return r;
}

/* The function an entry describes (through its first field), or NULL. */
struct symbol *entry_function(const struct section *sec, uint64_t start)
{
	struct rela *r = find_rela_at(sec, start);
	struct symbol *t;
	int64_t add;

	if (!r)
		return NULL;
	t = resolve_reloc(sec, r, &add);
	if (is_section_sym(t) && t->sec && cold_section_parent(t->sec))
		return cold_section_parent(t->sec);
	return t->type == STT_FUNC ? t : NULL;
}
