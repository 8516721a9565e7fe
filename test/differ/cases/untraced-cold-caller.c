/*
 * The traced caller replaced for an untraced helper has a .cold part: it
 * comes along, since the old one jumps back into the old caller.
 */
// EXPORTS: complain
#define notrace __attribute__((no_instrument_function))
extern void __attribute__((cold, noreturn)) complain(const char *why, int x);
static int __attribute__((noinline, noclone)) notrace weight(int x)
{
#ifdef PATCHED
	return x * 7;
#else
	return x * 5;
#endif
}
int total_weight(int *p, int n)
{
	int sum = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < 0)
			complain("negative weight", p[i]);
		sum += weight(p[i]);
	}
	return sum;
}
