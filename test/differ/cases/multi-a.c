/*
 * One of two translation units linked into one object with "ld -r", as a
 * multi-object module is: multi-a.c and multi-b.c each have a static
 * "counter" and a static "bump"; the patch changes only multi-b.c.
 */
static int counter = 1;

static __attribute__((noinline)) int bump(int x)
{
	counter += x;
	return counter;
}

int a_entry(int x)
{
	return bump(x) + 1;
}
