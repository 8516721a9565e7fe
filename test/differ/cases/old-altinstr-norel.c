/*
 * 13-byte alt_instr entries (kernels to 5.x) where one entry has no
 * relocation for its replacement offset: an alternative that replaces
 * its original instruction by nothing (replacementlen 0, padded with
 * NOPs), whose offset the kernel never reads.  tuned()'s patch changes
 * its code; its entries are kept, the empty one with its offset as it is.
 */
#define ALT_ENTRY(feature, repl, repllen)				\
	".pushsection .altinstructions, \"a\"\n"			\
	" .long 661b - ., " repl "\n .word " #feature "\n"		\
	" .byte 662b - 661b, " repllen ", 662b - 661b\n"		\
	".popsection\n"
#define ALT(oldinsn, newinsn, feature)					\
	"661: " oldinsn "\n662:\n"					\
	ALT_ENTRY(feature, "6641f - .", "6651f - 6641f")		\
	".pushsection .altinstr_replacement, \"ax\"\n"			\
	"6641: " newinsn "\n6651:\n"					\
	".popsection\n"
#ifdef BAD_ENTRY
#define EMPTY_LEN "3"
#else
#define EMPTY_LEN "0"
#endif
#define ALT_NOTHING(oldinsn, feature)					\
	"661: " oldinsn "\n662:\n" ALT_ENTRY(feature, "0", EMPTY_LEN)

int tuned(int x)
{
	asm volatile(ALT("addl $1, %0", "addl $2, %0", 5) : "+r" (x));
	asm volatile(ALT_NOTHING("lfence", 9));
#ifdef PATCHED
	x ^= 3;
#endif
	return x;
}

int steady(int x)
{
	asm volatile(ALT_NOTHING("lfence", 9));
	asm volatile(ALT("addl $1, %0", "addl $4, %0", 7) : "+r" (x));
	return x;
}
