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

#endif
