/*
 * static_cpu_has() as arch/x86/include/asm/cpufeature.h builds it
 * (ALTERNATIVE_TERNARY): the function jumps into .altinstr_aux, a code
 * section without symbols, whose test of boot_cpu_data jumps back into the
 * function.  The patch adds a use to tuned(), before steady()'s, so
 * steady()'s piece moves.
 */
// EXPORTS: boot_cpu_data
struct cpuinfo_x86 { unsigned int x86_capability[24]; };
extern struct cpuinfo_x86 boot_cpu_data;

static inline __attribute__((always_inline)) _Bool static_cpu_has(unsigned short bit)
{
	asm goto("1: jmp 6f\n"
		 "2:\n"
		 ".pushsection .altinstructions,\"a\"\n"
		 " .long 1b - ., 3f - .\n .word %c[feature]\n .byte 2b - 1b, 4f - 3f\n"
		 ".popsection\n"
		 ".pushsection .altinstr_replacement,\"ax\"\n"
		 "3: jmp %l[t_no]\n4:\n"
		 ".popsection\n"
		 ".pushsection .altinstr_aux,\"ax\"\n"
		 "6:\n"
		 " testb %[bitnum], %P[cap_byte](%%rip)\n"
		 " jnz %l[t_yes]\n"
		 " jmp %l[t_no]\n"
		 ".popsection\n"
		 : : [feature] "i" (bit), [bitnum] "i" (1 << (bit & 7)),
		     [cap_byte] "i" (&((const char *)boot_cpu_data.x86_capability)[bit >> 3])
		 : : t_yes, t_no);
	return 1;
t_yes:
	return 1;
t_no:
	return 0;
}

int tuned(int x)
{
#ifdef PATCHED
	if (static_cpu_has(3 * 32 + 5))
		x += 7;
#endif
	if (static_cpu_has(5))
		return x + 1;
	return x;
}

int steady(int x)
{
	if (static_cpu_has(12))
		return x * 2;
	return x;
}
