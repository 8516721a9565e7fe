/*
 * pr_debug() as CONFIG_DYNAMIC_DEBUG with jump labels builds it: a struct
 * _ddebug in __dyndbg named __UNIQUE_ID_ddebugN, and a __jump_table entry
 * whose key is the descriptor's static key.  The patch adds a pr_debug to
 * changed_fn, which renumbers and moves the descriptors after it, and
 * rewords the one of reworded (whose code is the same).
 */
// EXPORTS: __dynamic_pr_debug
#include "ddebug.h"

extern void __dynamic_pr_debug(struct _ddebug *descriptor, const char *fmt, ...);

#define __pr_debug(id, fmt, ...) do {						\
	static struct _ddebug __attribute__((aligned(8), section("__dyndbg"))) id = {	\
		"dyndbg", __func__, __FILE__, fmt, __LINE__, 63, 0, { 0, { 0 } } };	\
	if (branch_unlikely(&id.key))						\
		__dynamic_pr_debug(&id, fmt, ##__VA_ARGS__);			\
} while (0)
#define pr_debug(fmt, ...) __pr_debug(__UNIQUE_ID(ddebug), fmt, ##__VA_ARGS__)

int changed_fn(int x)
{
	pr_debug("start %d\n", x);
#ifdef PATCHED
	pr_debug("new message %d\n", x);
	x += 1;
#endif
	return x * 3;
}

int quiet(int x)
{
	pr_debug("quiet %d\n", x);
	return x - 1;
}

int reworded(int x)
{
#ifdef PATCHED
	pr_debug("reworded %d\n", x);
#else
	pr_debug("original %d\n", x);
#endif
	return x + 5;
}
