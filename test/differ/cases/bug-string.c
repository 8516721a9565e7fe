/*
 * A __bug_table entry names its file through a string label (.LCn) that the
 * patch renumbers by adding a string before it; nothing but the entry uses it.
 */
// EXPORTS: printk
extern int printk(const char *fmt, ...);
#define MY_BUG_ON(cond)								\
	do {									\
		if (cond)							\
			asm volatile("1: ud2\n"					\
				     ".pushsection __bug_table,\"aw\"\n"	\
				     "2: .long 1b - 2b\n"			\
				     ".long %c0 - 2b\n"				\
				     ".word %c1\n"				\
				     ".word 0\n"				\
				     ".org 2b + 12\n"				\
				     ".popsection" :: "i"("include/fake/file.h"), "i"(__LINE__)); \
	} while (0)

int check_task(int pid)
{
#ifdef PATCHED
	printk("checking %d\n", pid);
#endif
	MY_BUG_ON(pid < 0);
	return pid + 1;
}
