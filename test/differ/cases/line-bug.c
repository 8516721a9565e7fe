/*
 * Lines added above every kind of bug-table user: BUG_ON(), WARN_ON(),
 * WARN(), WARN_ON_ONCE(), WARN_ONCE() (its once-flag in .data.once and its
 * __warn_printk()) and BUILD_BUG_ON().  Only each entry's line (and the
 * objects' numbering) moves: no change.
 */
// EXPORTS: __warn_printk
#include "line-forms.h"

#line LINE
int check_bug(int x)
{
	BUG_ON(x < -100);
	return x + 1;
}

int check_warn(int x)
{
	if (WARN_ON(x > 100))
		return 0;
	if (WARN(x == 42, "odd value %d\n", x))
		return 1;
	return x + 2;
}

int check_once(int x)
{
	BUILD_BUG_ON(sizeof(int) != 4);
	if (WARN_ON_ONCE(x > 4))
		return -1;
	if (WARN_ONCE(x < 0, "negative %d\n", x))
		return -2;
	return x + 3;
}

int check_once_again(int x)
{
	if (WARN_ONCE(x == 7, "seven\n"))
		return -3;
	return x * 2;
}
