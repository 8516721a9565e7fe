/*
 * An object of the module mymod: the changed gated_count() has a jump label
 * on the module's own key, mod_key (module-key-rest.c), which the output can
 * only reach as .klp.sym.mymod.mod_key: refused, naming gated_count.
 */
#include "jump-key.h"

extern struct static_key mod_key;

int gated_count(int x)
{
	JUMP_LABEL(mod_key, l_yes);
#ifdef PATCHED
	return x * 3;
#else
	return x;
#endif
l_yes:
	return x + 1;
}
