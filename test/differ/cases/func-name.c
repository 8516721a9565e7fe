/* __func__ strings are copied, not referenced through klp relocations. */
// EXPORTS: printk
extern int printk(const char *fmt, ...);
int show(int x)
{
#ifdef PATCHED
	printk("%s: patched %d\n", __func__, x);
#else
	printk("%s: %d\n", __func__, x);
#endif
	return 0;
}
