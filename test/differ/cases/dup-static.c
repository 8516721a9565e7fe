/*
 * This unit's static helper() shares its name with kernel-rest.c's: the
 * reference from the changed function needs the right sympos.
 */
// EXPORTS: printk
static int __attribute__((noinline)) helper(int x) { return x + 100; }
extern int not_exported_counter;
int use_helper(int x)
{
#ifdef PATCHED
	return helper(x) * 2 + not_exported_counter;
#else
	return helper(x) + not_exported_counter;
#endif
}
