/* module_init(fn) style: a global alias of a changed static function. */
static int real_init(void)
{
#ifdef PATCHED
	return 2;
#else
	return 1;
#endif
}
int init_module(void) __attribute__((alias("real_init")));
