/*
 * Strings with a "file:LINE" that the line map does not explain: a
 * header's line (the map has only the source file's lines), and a number
 * after the source's name that changed by another amount than its lines
 * moved.  Both functions are changed.
 */
// EXPORTS: __warn_printk
#include "line-forms.h"

#line LINE
void warn_header(int x)
{
	WARN(x, "at %s\n", "include/linux/fake.h:" __stringify(__LINE__));
}

void warn_number(int x)
{
#ifdef PATCHED
	WARN(x, "at %s\n", "line-string-change.c:7");
#else
	WARN(x, "at %s\n", "line-string-change.c:6");
#endif
}
