/*
 * The patch makes a global function and a global variable static (the
 * rest of the kernel keeps calling and reading the globals) and changes
 * the function.
 */
#ifdef PATCHED
#define MAYBE_STATIC static
#else
#define MAYBE_STATIC
#endif

MAYBE_STATIC int limit_value = 40;

MAYBE_STATIC __attribute__((noinline)) int clamp_limit(int x)
{
#ifdef PATCHED
	return x > limit_value ? limit_value : x < 0 ? 0 : x;
#else
	return x > limit_value ? limit_value : x;
#endif
}

int use_limit(int x)
{
	return clamp_limit(x) + 1;
}

void set_limit(int v)
{
	limit_value = v;
}
