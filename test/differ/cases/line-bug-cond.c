/*
 * Lines added above, and one WARN_ON_ONCE() condition changed: that is a
 * change (its function only), whatever moved with it.
 */
// EXPORTS: __warn_printk
#include "line-forms.h"

#line LINE
int check_limit(int x)
{
#ifdef PATCHED
	if (WARN_ON_ONCE(x > 8))
#else
	if (WARN_ON_ONCE(x > 4))
#endif
		return -1;
	return x + 3;
}

int check_other(int x)
{
	if (WARN_ONCE(x < 0, "negative %d\n", x))
		return -2;
	return x;
}
