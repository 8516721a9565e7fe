/*
 * Inconsistent: one relative 16-byte __jump_table entry and one absolute
 * 24-byte one in the same section (40 bytes).  No layout fits: refused.
 */
// EXPORTS: feature_key
struct static_key { int enabled; };
extern struct static_key feature_key;

int gated(int x)
{
	asm goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"
		 ".pushsection __jump_table, \"aw\"\n .balign 8\n"
		 " .long 1b - ., %l[l_yes] - .\n .quad %c0 - .\n"
		 " .quad 1b, %l[l_yes], %c0\n"
		 ".popsection\n"
		 : : "i" (&feature_key) : : l_yes);
#ifdef PATCHED
	return x * 3;
#else
	return x;
#endif
l_yes:
	return x + 1;
}
