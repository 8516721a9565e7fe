/*
 * Alternatives as kernels to 5.x wrote them: 13-byte alt_instr entries
 * (instr, repl, cpuid, instrlen, replacementlen, padlen).  tuned()'s patch
 * changes only the replacement's immediate, the same length: the entry
 * reads alike, its replacementlen (byte 11, not the last byte) says how
 * much replacement to compare.
 */
#define ALT(oldinsn, newinsn, feature)					\
	"661: " oldinsn "\n662:\n"					\
	".pushsection .altinstructions, \"a\"\n"			\
	" .long 661b - ., 6641f - .\n .word " #feature "\n"		\
	" .byte 662b - 661b, 6651f - 6641f, 0\n"			\
	".popsection\n"							\
	".pushsection .altinstr_replacement, \"ax\"\n"			\
	"6641: " newinsn "\n6651:\n"					\
	".popsection\n"

int tuned(int x)
{
#ifdef PATCHED
	asm volatile(ALT("addl $1, %0", "addl $3, %0", 5) : "+r" (x));
#else
	asm volatile(ALT("addl $1, %0", "addl $2, %0", 5) : "+r" (x));
#endif
	return x;
}

int steady(int x)
{
	asm volatile(ALT("addl $1, %0", "addl $4, %0", 7) : "+r" (x));
	return x;
}
