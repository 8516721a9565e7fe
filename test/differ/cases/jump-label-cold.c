/*
 * A jump label as the kernel's build leaves it (Linux 6.1+, x86): the
 * "jmp l_yes" of arch_static_branch(), which objtool --hacks=jump_label
 * overwrites with a 5-byte NOP, keeping its relocation retyped
 * R_X86_64_NONE with the jmp's addend (target - 4).  l_yes is cold code at
 * the start of .text.unlikely.gated (gated.cold): read without the jmp's
 * 4 bytes, the relocation would point 4 bytes before its section.
 */
// EXPORTS: feature_key
struct static_key { int enabled; };
extern struct static_key feature_key;
extern void __attribute__((cold)) report(const char *what, int x);

int gated(int x)
{
	asm goto("1: .byte 0x0f\n"
		 ".reloc ., R_X86_64_NONE, %l[l_yes] - 4\n"
		 ".byte 0x1f, 0x44, 0x00, 0x00\n"
		 ".pushsection __jump_table, \"aw\"\n .balign 8\n"
		 " .long 1b - ., %l[l_yes] - .\n .quad %c0 + 2 - .\n"
		 ".popsection\n"
		 : : "i" (&feature_key) : : l_yes);
#ifdef PATCHED
	return x * 5;
#else
	return x * 3;
#endif
l_yes:
	report("gated", x);
	return x;
}
