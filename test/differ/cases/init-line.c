/*
 * __init code whose only difference is a shifted __LINE__ (here passed to
 * an ext4 helper) is unchanged: nothing to refuse.  A real change to
 * __init code still is refused (init-change.c).
 */
// EXPORTS: __might_sleep __ext4_warning
struct super_block;
extern void __might_sleep(const char *file, int line);
extern void __ext4_warning(struct super_block *sb, const char *function, unsigned int line,
			   const char *fmt, ...);
__attribute__((section(".init.text"))) int setup_early(struct super_block *sb)
{
#ifdef PATCHED
#line 300
#endif
	__might_sleep("init-line.c", __LINE__);
	if (!sb)
		__ext4_warning(sb, __func__, __LINE__, "no super block");
	return 0;
}

int runtime(int x)
{
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}
