/* CALL_PADDING style: one __patchable_function_entries section for all functions,
 * linked to the first (an __init one): only the kept function's entry stays. */
// CFLAGS: -fpatchable-function-entry=16,16
// EXPORTS: printk
extern int printk(const char *fmt, ...);
__attribute__((section(".init.text"))) int setup_it(void) { printk("init\n"); return 0; }
int changed(int x)
{
#ifdef PATCHED
	return x * 9;
#else
	return x * 8;
#endif
}
int other(int x) { return x - 1; }
