/*
 * Two static locals called "count" move out of tally() at once: both
 * helpers are inlined in the original and functions of their own in the
 * patched build.  Which of the original's two is which helper's cannot be
 * told from the objects: refused, not guessed.
 */
#ifdef PATCHED
#define HELPER __attribute__((noinline))
#else
#define HELPER inline __attribute__((always_inline))
#endif

static HELPER int bump(int x)
{
	static int count;

	count += x;
	return count;
}

static HELPER int drop(int x)
{
	static int count;

	count -= x;
	return count;
}

int __attribute__((noinline)) tally(int x)
{
#ifdef PATCHED
	x *= 2;
#endif
	return bump(x) + drop(x + 1);
}
