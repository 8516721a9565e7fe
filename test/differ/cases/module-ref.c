/* An object of a module: its own exports and non-exported globals are
 * reached through .klp.sym.<module>.*, the kernel's exports stay plain. */
// EXPORTS: printk
extern int printk(const char *fmt, ...);
extern int mod_exported(int);
extern int mod_internal(int);
int mod_entry(int x)
{
#ifdef PATCHED
	printk("entry %d\n", x);
#endif
	return mod_exported(x) + mod_internal(x);
}
