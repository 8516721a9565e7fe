/* Changing one string literal moves the others in .rodata.str1.1: the
 * functions using them are unchanged. */
// EXPORTS: printk
extern int printk(const char *fmt, ...);
int first(void)
{
#ifdef PATCHED
	printk("first, now with a much longer message\n");
#else
	printk("first\n");
#endif
	return 1;
}
int second(void) { printk("second\n"); return 2; }
int third(void) { printk("third %d\n", 3); return 3; }
