/*
 * The patch adds __UNIQUE_ID descriptors: a static the changed function
 * uses, and one kept only by __used in a .discard section (as
 * __ADDRESSABLE() makes them).  Both shift the counter of the old one.
 */
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

int report(int x);

#ifdef PATCHED
static void *__UNIQUE_ID(__addressable_report) __attribute__((used, section(".discard.addressable"))) = (void *)&report;
static const char __UNIQUE_ID(reason)[] = "clamped";
#define REASON __UNIQUE_ID_reason1
#endif
static int __UNIQUE_ID(count) = 3;
#ifdef PATCHED
#define COUNT __UNIQUE_ID_count2
#else
#define COUNT __UNIQUE_ID_count0
#endif

int report(int x)
{
#ifdef PATCHED
	if (x > 9)
		return REASON[x & 3] + COUNT;
#endif
	return x + COUNT++;
}
