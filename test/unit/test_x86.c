// SPDX-License-Identifier: GPL-2.0
/*
 * lib/x86.h: the immediate after a RIP-relative disp32, read from the
 * bytes before the field (x86_imm_after_disp32()), on encodings as GAS
 * writes them, each followed by its 4-byte field (and immediate).
 */
#include "x86.h"

#include "tap.h"

struct shape {
	const char *what;
	unsigned char bytes[8];
	unsigned int field;		/* where the disp32 starts */
	int imm;
};

static const struct shape shapes[] = {
	{ "movb $1, x(%rip)", { 0xc6, 0x05 }, 2, 1 },
	{ "cmpb $0, x(%rip)", { 0x80, 0x3d }, 2, 1 },
	{ "addl $1, x(%rip)", { 0x83, 0x05 }, 2, 1 },
	{ "movl $5, x(%rip)", { 0xc7, 0x05 }, 2, 4 },
	{ "movq $5, x(%rip)", { 0x48, 0xc7, 0x05 }, 3, 4 },
	{ "movw $5, x(%rip)", { 0x66, 0xc7, 0x05 }, 3, 2 },
	{ "addw $300, x(%rip)", { 0x66, 0x81, 0x05 }, 3, 2 },
	{ "testb $1, x(%rip)", { 0xf6, 0x05 }, 2, 1 },
	{ "testl $1, x(%rip)", { 0xf7, 0x05 }, 2, 4 },
	{ "notl x(%rip)", { 0xf7, 0x15 }, 2, 0 },
	{ "shll $3, x(%rip)", { 0xc1, 0x25 }, 2, 1 },
	{ "btsl $3, x(%rip)", { 0x0f, 0xba, 0x2d }, 3, 1 },
	{ "lock xaddl %eax, x(%rip)", { 0xf0, 0x0f, 0xc1, 0x05 }, 4, 0 },
	{ "movb $1, x(%rip) after \"and $0xf, %eax\"", { 0x83, 0xe0, 0x0f, 0xc6, 0x05 }, 5, 1 },
	{ "mov x(%rip), %eax", { 0x8b, 0x05 }, 2, 0 },
	{ "lea x(%rip), %rdi", { 0x48, 0x8d, 0x3d }, 3, 0 },
	{ "call rel32", { 0xe8 }, 1, 0 },
	{ "jmp rel32", { 0xe9 }, 1, 0 },
	{ "jne rel32", { 0x0f, 0x85 }, 2, 0 },
	{ "c7 /1, no such instruction", { 0xc7, 0x0d }, 2, -1 },
	{ "no RIP-relative ModRM before the field", { 0x90 }, 1, -1 },
	{ "a field at the start of the code", { 0 }, 0, -1 },
};

int main(void)
{
	if (!tap_begin("test_x86"))
		return 1;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const struct shape *s = &shapes[i];
		int imm = x86_imm_after_disp32(s->bytes, s->field);

		check(imm == s->imm, "%s: %d byte(s) of immediate (read %d)", s->what, s->imm, imm);
	}
	return tap_end();
}
