/*
 * Jump labels as kernels before 5.0 wrote them: absolute 24-byte
 * __jump_table entries (code, target, key as .quad, R_X86_64_64).  Two
 * entries make 48 bytes, which the relative 16-byte layout would also
 * divide: only the relocation types tell them apart.
 */
// EXPORTS: feature_key
struct static_key { int enabled; };
extern struct static_key feature_key;

static inline __attribute__((always_inline)) _Bool key_on(struct static_key *key)
{
	asm goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"
		 ".pushsection __jump_table, \"aw\"\n"
		 " .balign 8\n"
		 " .quad 1b, %l[l_yes], %c0\n"
		 ".popsection\n"
		 : : "i" (key) : : l_yes);
	return 0;
l_yes:
	return 1;
}

int gated(int x)
{
	if (key_on(&feature_key))
#ifdef PATCHED
		return x * 3;
#else
		return x * 2;
#endif
	return x;
}

int steady(int x)
{
	if (key_on(&feature_key))
		return x + 1;
	return x;
}
