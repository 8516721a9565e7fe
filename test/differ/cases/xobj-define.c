/*
 * A changed global function without __fentry__ (lib/ is built without
 * ftrace): with --untraced-out it is carried as __kpb_untraced.scale_all,
 * its traced caller here replaced, its callers in xobj-caller.c patched by
 * a second run of the differ on that object with --untraced-in.
 */
#define notrace __attribute__((no_instrument_function))
int __attribute__((noinline, noclone)) notrace scale_all(int x)
{
#ifdef PATCHED
	return x * 3 + 1;
#else
	return x * 2 + 1;
#endif
}
int scale_here(int x)
{
	return scale_all(x) - 1;
}
int unrelated_here(int x)
{
	return x - 1;
}
