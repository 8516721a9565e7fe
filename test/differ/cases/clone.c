/* A helper GCC specialises for a constant argument (helper.constprop.N /
 * helper.isra.N): the clone is what the kernel has and what gets patched. */
static __attribute__((noinline)) int helper(int x, int mode)
{
	if (mode == 3)
#ifdef PATCHED
		return x * 11;
#else
		return x * 7;
#endif
	return x - mode;
}
int caller_a(int x) { return helper(x, 3); }
int caller_b(int x) { return helper(x + 1, 3) + 1; }
