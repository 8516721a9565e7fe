/*
 * A moved line that gains a digit (9998 -> 10003): the strings differ in
 * length too.  With --line-map "9998 20000 5", no change.
 */
// EXPORTS: __warn_printk
#include "line-forms.h"

#ifdef PATCHED
#define WIDE_LINE 10003
#else
#define WIDE_LINE 9998
#endif
#line WIDE_LINE
int copy_wide(char *dst, const char *src, unsigned long n)
{
	if (WARN_ONCE(n > 16, "memcpy: detected field-spanning write (size %lu) of single %s (size %u)\n",
		      n, "field \"dst\" at " __FILE__ ":" __stringify(__LINE__), 16))
		return -1;
	__builtin_memcpy(dst, src, n & 15);
	return 0;
}
