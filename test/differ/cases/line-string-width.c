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
	return fortify_memcpy(dst, src, n, 16) ? -1 : 0;
}
