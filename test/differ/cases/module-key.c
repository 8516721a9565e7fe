/*
 * An object of the module mymod: the changed gated_count() has a jump label
 * on the module's own key, mod_key, and the changed traced_count() one on
 * the key of the module's tracepoint kpb_probe (module-key-rest.c).  The
 * output could only reach them as .klp.sym.mymod.*: both refused, each
 * naming its function and its key.
 */
#include "jump-key.h"

struct tracepoint { const char *name; struct static_key key; };
extern struct static_key mod_key;
extern struct tracepoint __tracepoint_kpb_probe;

#ifdef PATCHED
#define PATCHED_SUM(x) ((x) + 5)
#else
#define PATCHED_SUM(x) (x)
#endif

int gated_count(int x)
{
	JUMP_LABEL(mod_key, l_yes);
	x += 10;
#ifdef PATCHED
	x <<= 1;
#endif
	return x;
l_yes:
	return -x;
}

int traced_count(int x)
{
	JUMP_LABEL(__tracepoint_kpb_probe.key, l_yes);
	return PATCHED_SUM(x);
l_yes:
	return x & 7;
}
