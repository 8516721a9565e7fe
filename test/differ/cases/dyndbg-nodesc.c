/*
 * print_hex_dump_debug() as CONFIG_DYNAMIC_DEBUG with jump labels builds it
 * (the kernel's _dynamic_func_call_no_desc): a struct _ddebug in __dyndbg
 * that the code never names; only the __jump_table entry's key points into
 * it.  The patch adds such a call to changed_dump, a new descriptor reached
 * through its jump label alone.
 */
// EXPORTS: dump_bytes
#include "ddebug.h"

extern void dump_bytes(const void *buf, int len);

#define __dump_debug(id, fmt, buf, len) do {					\
	static struct _ddebug __attribute__((aligned(8), section("__dyndbg"))) id = {	\
		"dyndbg", __func__, __FILE__, fmt, __LINE__, 63, 0, { 0, { 0 } } };	\
	if (branch_unlikely(&id.key))						\
		dump_bytes(buf, len);						\
} while (0)
#define dump_debug(fmt, buf, len) __dump_debug(__UNIQUE_ID(ddebug), fmt, buf, len)

int changed_dump(const char *buf, int len)
{
	dump_debug("head", buf, len);
#ifdef PATCHED
	dump_debug("tail", buf + len / 2, len / 2);
	len += 1;
#endif
	return len * 3;
}

int quiet_dump(const char *buf, int len)
{
	dump_debug("quiet", buf, len);
	return len - 1;
}
