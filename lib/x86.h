/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 instruction encodings the tools look for in code: the opcodes of
 * direct branches and the NOPs the kernel's build writes over them.
 */
#ifndef KPB_X86_H
#define KPB_X86_H

#define X86_CALL_REL32	0xe8	/* call rel32 */
#define X86_JMP_REL32	0xe9	/* jmp rel32 */
#define X86_JMP_REL8	0xeb	/* jmp rel8 */

/*
 * The NOPs objtool writes (tools/arch/x86/include/asm/nops.h, BYTES_NOP5
 * and BYTES_NOP2): over `call __fentry__` (--mnop) and over a jump label's
 * `jmp` (--hack=jump_label), one of the same length.
 */
#define X86_NOP5	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 }
#define X86_NOP2	{ 0x66, 0x90 }

/*
 * The direct branches' encodings and lengths, where a PC-relative operand
 * counts from, and the relocation types' widths: for every C tool
 * (create-diff-object, kpb-callsites, kpb-origcheck) and lib's reader.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>

#define X86_JCC_REL32_ESC	0x0f	/* 0f 80..8f: jcc rel32 */
#define X86_JCC_REL32_OP	0x80	/* its second byte; the low nibble is the condition */
#define X86_JCC_REL8		0x70	/* 70..7f: jcc rel8 */
#define X86_CC_MASK		0xf0	/* the opcode without its condition */

#define X86_CALL_REL32_LEN	5	/* e8/e9 + rel32 */
#define X86_JCC_REL32_LEN	6	/* 0f 8x + rel32 */
#define X86_BRANCH_REL8_LEN	2	/* eb/7x + rel8 */
#define X86_NOP5_LEN		5
#define X86_NOP2_LEN		2

/*
 * A 32-bit PC-relative operand that ends its instruction counts from the
 * next instruction, 4 bytes on: `call foo` is R_X86_64_PLT32 foo-4.
 */
#define X86_REL32_PC_BIAS	4

/*
 * objtool --hacks=jump_label (Linux 6.1+) writes a NOP5 over the
 * "jmp l_yes" of arch_static_branch() and keeps the jmp's relocation,
 * retyped R_X86_64_NONE: its addend is still the rel32's, "l_yes - 4"
 * (tools/objtool/check.c, handle_jump_alt()).
 */
static inline bool rela_is_nopped_jump(uint32_t type)
{
	return type == R_X86_64_NONE;
}

/* Number of bytes an x86_64 relocation type patches; 0 if unknown. */
static inline unsigned int rela_width(uint32_t type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
	case R_X86_64_PC64:
	case R_X86_64_GOTOFF64:
	case R_X86_64_GOTPC64:
		return 8;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
	case R_X86_64_GOTPC32:
		return 4;
	case R_X86_64_16:
	case R_X86_64_PC16:
		return 2;
	case R_X86_64_8:
	case R_X86_64_PC8:
		return 1;
	default:
		return 0;
	}
}

/* The relocation stores S + A - P (relative to its place), not S + A. */
static inline bool rela_is_pcrel(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64 ||
	       type == R_X86_64_PC16 || type == R_X86_64_PC8;
}

/* R_X86_64_32 is zero-extended where it is used; every other 4-byte type is signed. */
static inline bool rela_is_zero_extended(uint32_t type)
{
	return type == R_X86_64_32;
}

static inline bool x86_is_call_or_jmp_rel32(unsigned char op)
{
	return op == X86_CALL_REL32 || op == X86_JMP_REL32;
}

static inline bool x86_is_jcc_rel32(unsigned char op0, unsigned char op1)
{
	return op0 == X86_JCC_REL32_ESC && (op1 & X86_CC_MASK) == X86_JCC_REL32_OP;
}

static inline bool x86_is_branch_rel8(unsigned char op)
{
	return op == X86_JMP_REL8 || (op & X86_CC_MASK) == X86_JCC_REL8;
}

/*
 * The instruction shapes create-diff-object reads around a relocation
 * (create-diff-object/lines.c, untraced.c, relocs.c).
 */
/* An imm8..imm32 after a RIP-relative displacement moves the end up to 4 more bytes. */
#define X86_MAX_IMM_AFTER_DISP	4
/*
 * The immediate that follows the disp32 of a RIP-relative operand whose
 * field starts at code[off] (code[off - 1] its ModRM, mod 00 r/m 101), in
 * bytes, read from the opcode before the ModRM: "movb $1, flag(%rip)" is
 * C6 05 disp32 imm8 (1), "cmpl $0, x(%rip)" 83 3D disp32 imm8 (1), "movl
 * $5, x(%rip)" C7 05 disp32 imm32 (4, imm16 after a 66 prefix); a call or
 * jmp rel32 and a jcc rel32 end with the field (0).  -1 when the bytes
 * before the field are none of these shapes.  The one-byte opcodes that
 * take a ModRM and an immediate are 69 6B 80 81 83 C0 C1 C6 C7 F6 F7; after
 * 0F the same bytes are xadd (0F C0/C1, no immediate) or opcodes without a
 * ModRM (jcc), MMX and SSE ones the kernel's C does not emit, or invalid
 * (0F C7 /0), so only those three are read as two-byte opcodes, with the
 * two-byte ones that do take an imm8 (0F BA bt*, 0F A4/AC shld/shrd).
 */
static inline int x86_imm_after_disp32(const unsigned char *code, uint64_t off)
{
	unsigned char modrm, op, reg;
	bool two, op16 = false;

	if (off >= 1 && (code[off - 1] == X86_CALL_REL32 || code[off - 1] == X86_JMP_REL32))
		return 0;
	if (off >= 2 && x86_is_jcc_rel32(code[off - 2], code[off - 1]))
		return 0;
	if (off < 2 || (code[off - 1] & 0xc7) != 0x05)
		return -1;
	modrm = code[off - 1];
	reg = (modrm >> 3) & 7;
	op = code[off - 2];
	two = off >= 3 && code[off - 3] == 0x0f;
	if (two && (op == 0xc0 || op == 0xc1 || (op == 0xc7 && reg != 0)))
		return 0;
	if (two && (op == 0xba || op == 0xa4 || op == 0xac))
		return 1;
	/* Prefixes: REX (40-4F) right before the opcode, 66 before it or the REX. */
	for (uint64_t i = off - 2, n = 0; i > 0 && n < 2; i--, n++) {
		unsigned char b = code[i - 1];

		if (b == 0x66)
			op16 = true;
		else if ((b & 0xf0) != 0x40)
			break;
	}
	switch (op) {
	case 0x6b: case 0x80: case 0x83: case 0xc0: case 0xc1: case 0xc6:
		return 1;
	case 0x69: case 0x81:
		return op16 ? 2 : 4;
	case 0xc7:
		return reg == 0 ? (op16 ? 2 : 4) : -1;
	case 0xf6:
		return reg <= 1 ? 1 : 0;
	case 0xf7:
		return reg <= 1 ? (op16 ? 2 : 4) : 0;
	default:
		return 0;
	}
}

/* __fentry__'s call is within this many bytes of the entry (after an ENDBR64). */
#define X86_FENTRY_WINDOW	16
/* "mov $imm32, %r32": B8+r imm32 (5 bytes); REX.B (41) selects r8..r15. */
#define X86_MOV_IMM32_REG	0xb8
#define X86_MOV_IMM32_LEN	5
#define X86_REX_B		0x41
/* REX.W prefixes (48..4F): B8+r takes a 64-bit immediate. */
#define X86_REX_W_FIRST		0x48
#define X86_REX_W_LAST		0x4f
/* "push $imm32"; "movl $imm32, (%rsp)" is C7 04 24, with a disp8 C7 44 24. */
#define X86_PUSH_IMM32		0x68
#define X86_MOVL_IMM32_RM	0xc7
#define X86_MODRM_SIB_RSP	0x04
#define X86_MODRM_SIB_RSP_D8	0x44
#define X86_SIB_RSP		0x24

#endif
