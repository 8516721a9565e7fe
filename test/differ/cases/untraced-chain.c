/*
 * Two untraced levels: top() (traced) calls mid() (notrace, unchanged),
 * which calls leaf() (notrace, changed).  Both are carried; top is replaced.
 */
#define notrace __attribute__((no_instrument_function))
#define out_of_line __attribute__((noinline, noclone))
static int out_of_line notrace leaf(int x)
{
#ifdef PATCHED
	return x ^ 0x55;
#else
	return x ^ 0x33;
#endif
}
static int out_of_line notrace mid(int x)
{
	return leaf(x) + leaf(x >> 1);
}
int top(int x)
{
	return mid(x) * 2 + mid(x + 7);
}
