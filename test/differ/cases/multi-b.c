/* The other unit of multi-a.c's object; the patch changes b_entry(). */
static int counter = 2;

static __attribute__((noinline)) int bump(int x)
{
	counter -= x;
	return counter;
}

int b_entry(int x)
{
#ifdef PATCHED
	return bump(x) * 3 + counter;
#else
	return bump(x) * 2 + counter;
#endif
}
