/*
 * __init code whose only difference is the __LINE__ it passes to printk
 * (kernel/params.c's param_sysfs_init()): with --line-map saying the line
 * moved it is unchanged, nothing to refuse; without, it is changed __init
 * code and refused.
 */
// EXPORTS: _printk
extern int _printk(const char *fmt, ...);

#ifdef PATCHED
#define FIRST_LINE 53	/* as if 3 lines were added above */
#else
#define FIRST_LINE 50
#endif
#line FIRST_LINE
__attribute__((section(".init.text"))) int setup_kset(int err)
{
	if (err)
		_printk("\0014%s (%d): error creating kset\n", "printk-init-line.c", __LINE__);
	return err;
}

int runtime(int x)
{
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}
