/* A new static helper and a new global variable used by a changed function. */
// EXPORTS: printk
extern int printk(const char *fmt, ...);
#ifdef PATCHED
int new_global_limit = 42;
static int __attribute__((noinline)) new_helper(int x)
{
	printk("helper %d\n", x);
	return x < new_global_limit ? x : new_global_limit;
}
#endif
int clamp_value(int x)
{
#ifdef PATCHED
	return new_helper(x) + 1;
#else
	return x + 1;
#endif
}
