/*
 * A static function renamed: its __func__ string is a new constant of
 * another size, not the old one changed.  GCC numbers both "__func__.0".
 */
// EXPORTS: printk
extern int printk(const char *fmt, ...);
#ifdef PATCHED
static __attribute__((noinline)) void report_state_verbosely(int x)
#else
static __attribute__((noinline)) void report(int x)
#endif
{
	printk("%s: %d\n", __func__, x);
}

int caller(int x)
{
#ifdef PATCHED
	report_state_verbosely(x);
#else
	report(x);
#endif
	return 0;
}
