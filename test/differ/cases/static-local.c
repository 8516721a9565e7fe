/*
 * Static locals called "count" in three functions: GCC numbers them
 * count.0, count.1, ... (the last function first).  The patch adds one more in a
 * function placed last,
 * which renumbers every other; the changed function must still refer to
 * the kernel's own variable, by its original name.
 */
int __attribute__((noinline)) alpha(void) { static int count; return ++count; }
int __attribute__((noinline)) beta(void)
{
	static int count;
#ifdef PATCHED
	count += 2;
#else
	count += 1;
#endif
	return count;
}
int __attribute__((noinline)) gamma_fn(void) { static int count; return count--; }
#ifdef PATCHED
int __attribute__((noinline)) first(void) { static int count; return ++count * 7; }
#endif
