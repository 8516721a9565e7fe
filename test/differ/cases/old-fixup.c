/*
 * Exception fixup code as x86 kernels before 5.17 wrote it (get_user()
 * and friends): the fixup in one .fixup section of the whole object, with
 * no symbols, entered only through an __ex_table entry (insn, fixup,
 * handler) and jumping back into its function.  The patch changes
 * load_a's fixup value alone and load_b's code alone; load_c keeps both.
 */
// EXPORTS: ex_handler_default
#define LOAD(p, v, err)							\
	asm volatile("1: movl (%2), %0\n2:\n"				\
		     ".pushsection .fixup, \"ax\"\n"			\
		     "3: movl $" #err ", %1\n jmp 2b\n"			\
		     ".popsection\n"					\
		     ".pushsection __ex_table, \"a\"\n .balign 4\n"	\
		     " .long 1b - ., 3b - ., ex_handler_default - .\n"	\
		     ".popsection\n"					\
		     : "+r" (v), "+r" (e) : "r" (p))

int load_a(const int *p)
{
	int v = 0, e = 0;

#ifdef PATCHED
	LOAD(p, v, -14);
#else
	LOAD(p, v, -22);
#endif
	return v + e;
}

int load_b(const int *p)
{
	int v = 0, e = 0;

	LOAD(p, v, -14);
#ifdef PATCHED
	return v + e + 1;
#else
	return v + e;
#endif
}

int load_c(const int *p)
{
	int v = 0, e = 0;

	LOAD(p, v, -14);
	return v - e;
}
