/* __init code has run already; changing it cannot be livepatched. */
// EXPORTS: printk
extern int printk(const char *fmt, ...);
__attribute__((section(".init.text"))) int setup_thing(void)
{
#ifdef PATCHED
	printk("new setup\n");
#else
	printk("setup\n");
#endif
	return 0;
}
