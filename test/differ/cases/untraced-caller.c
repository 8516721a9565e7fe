/*
 * A changed helper without __fentry__ (notrace, kept out of line): carried
 * as a new local function, its one traced caller replaced instead.
 */
#define notrace __attribute__((no_instrument_function))
static int __attribute__((noinline, noclone)) notrace scale(int x)
{
#ifdef PATCHED
	return x * 3 + 1;
#else
	return x * 2 + 1;
#endif
}
int use_scale(int x)
{
	return scale(x) + scale(x + 1);
}
int unrelated(int x)
{
	return x - 1;
}
