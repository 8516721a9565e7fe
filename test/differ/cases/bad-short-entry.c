/*
 * Not a missing tail padding: the last __jump_table entry has a 4-byte key
 * where the relative layout has an 8-byte one (a 28-byte section).  The
 * differ must refuse it, not pad it.
 */
// EXPORTS: feature_key
struct static_key { int enabled; };
extern struct static_key feature_key;

int gated(int x)
{
	asm goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"
		 ".pushsection __jump_table, \"aw\"\n"
		 " .long 1b - ., %l[l_yes] - .\n .quad %c0 - .\n"
		 " .long 1b - ., %l[l_yes] - .\n .long %c0 - .\n"
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
