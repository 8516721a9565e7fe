/*
 * .parainstructions as kernels wrote them before paravirt_types.h gained an
 * _ASM_ALIGN after each entry: _ASM_ALIGN before it, then instr (.quad),
 * type and len bytes, so the last 16-byte entry lacks its 6 bytes of tail
 * padding (the section is 16k - 6 bytes).  The patch changes the last
 * site's function.
 */
#define PARA_SITE(type)							\
	"771: nop\n772:\n"						\
	".pushsection .parainstructions, \"a\"\n"			\
	" .balign 8\n .quad 771b\n .byte " #type "\n .byte 772b - 771b\n"	\
	".popsection\n"

int first_site(int x)
{
	asm volatile(PARA_SITE(1));
	return x + 1;
}

int last_site(int x)
{
	asm volatile(PARA_SITE(2));
#ifdef PATCHED
	return x + 3;
#else
	return x + 2;
#endif
}
