/*
 * A static local that moves into a subfunction: bump() is inlined into
 * tally() in the original, so tally() names bump's "count"; the patch
 * makes GCC keep bump() as a function of its own (noinline here), which
 * now names the variable.  Other functions' statics called "count" make
 * the name ambiguous, and a new one in a function placed last renumbers
 * them all (GCC numbers the last function's first).  The output's bump() must use the kernel's count.
 */
#ifdef PATCHED
#define BUMP_INLINE __attribute__((noinline))
#else
#define BUMP_INLINE inline __attribute__((always_inline))
#endif

int __attribute__((noinline)) alpha(void) { static int count; return ++count; }

static BUMP_INLINE int bump(int x)
{
	static int count;

	count += x;
	return count;
}

int __attribute__((noinline)) tally(int x)
{
#ifdef PATCHED
	x *= 2;
#endif
	return bump(x) + 1;
}

int __attribute__((noinline)) gamma_fn(void) { static int count; return count--; }
#ifdef PATCHED
int __attribute__((noinline)) first(void) { static int count; return ++count * 7; }
#endif
