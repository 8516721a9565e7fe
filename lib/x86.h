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
 * create-diff-object's x86_64 facts (create-diff-object/relocs.c, lines.c,
 * untraced.c): relocation biases, branch and move encodings, lengths.
 */
/* A PC-relative field that ends its instruction: the addend is "target - 4". */
#define X86_PCREL32_BIAS	4
/* An imm8..imm32 after a RIP-relative displacement moves the end up to 4 more bytes. */
#define X86_MAX_IMM_AFTER_DISP	4
/* __fentry__'s call is within this many bytes of the entry (after an ENDBR64). */
#define X86_FENTRY_WINDOW	16
/* jcc rel32 is 0F 80+cc; call and jmp rel32 are X86_CALL_REL32, X86_JMP_REL32. */
#define X86_JCC_REL32_ESCAPE	0x0f
#define X86_JCC_REL32_MASK	0xf0
#define X86_JCC_REL32_OP	0x80
#define X86_JMP_REL8_LEN	2	/* EB rel8 */
#define X86_BRANCH_REL32_LEN	5	/* E8/E9 rel32 */
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
