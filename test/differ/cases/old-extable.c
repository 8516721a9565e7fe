/*
 * Exception table entries as kernels 4.6 to 5.15 wrote them: insn, fixup
 * and a handler function, three relative ints.  load_b's patch changes
 * only the handler its entry names.
 */
// EXPORTS: ex_handler_default ex_handler_uaccess
#define EXTABLE(from, to, handler)					\
	".pushsection __ex_table, \"a\"\n .balign 4\n"			\
	" .long " #from " - ., " #to " - ., " #handler " - .\n"		\
	".popsection\n"

int load_a(const int *p)
{
	int v = 0;

	asm volatile("1: movl (%1), %0\n2:\n"
		     EXTABLE(1b, 2b, ex_handler_default)
		     : "+r" (v) : "r" (p));
#ifdef PATCHED
	return v + 1;
#else
	return v;
#endif
}

int load_b(const int *p)
{
	int v = 0;

	asm volatile("1: movl (%1), %0\n2:\n"
#ifdef PATCHED
		     EXTABLE(1b, 2b, ex_handler_uaccess)
#else
		     EXTABLE(1b, 2b, ex_handler_default)
#endif
		     : "+r" (v) : "r" (p));
	return v;
}

int load_c(const int *p)
{
	int v = 0;

	asm volatile("1: movl (%1), %0\n2:\n"
		     EXTABLE(1b, 2b, ex_handler_default)
		     : "+r" (v) : "r" (p));
	return v;
}
