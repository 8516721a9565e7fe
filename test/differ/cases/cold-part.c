/* An unlikely path GCC moves into check_range.cold: it goes along with check_range. */
extern void __attribute__((cold, noreturn)) die_hard(const char *why, int x);
int check_range(int *p, int n)
{
	int sum = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < 0)
			die_hard("negative value in table", p[i]);
#ifdef PATCHED
		sum += p[i] * 5;
#else
		sum += p[i] * 3;
#endif
	}
	return sum;
}
