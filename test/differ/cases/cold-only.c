/*
 * Only the unlikely path, which GCC moves into report_range.cold, changes:
 * the parent's own code is the same, yet it is replaced with its cold part.
 */
// EXPORTS: complain
extern void __attribute__((cold, noreturn)) complain(const char *why, int x);
int report_range(int *p, int n)
{
	int sum = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < 0)
#ifdef PATCHED
			complain("negative value in the range table", p[i]);
#else
			complain("negative value in table", p[i]);
#endif
		sum += p[i] * 3;
	}
	return sum;
}
