/*
 * An object of the module mymod.  The patch gives told_once() a once flag
 * (what pr_info_once() adds), which GCC places first in .data.once, so the
 * flag of the unchanged warn_once_keyed() moves from offset 0 to 1.  That
 * function sets it with "movb $1, flag(%rip)": the imm8 after the
 * displacement makes the addend "flag - 5" (before) and ".data.once - 4"
 * (after), which is the new flag at offset 0 for a bias of 4 and the same
 * flag for the instruction's real bias of 5.  warn_once_keyed() is the same,
 * and so is its jump label on the module's key mod_key (module-key-rest.c),
 * which the output could not keep; told_once()'s own jump label is on the
 * kernel's feature_key and is kept.  As nfsd4_setclientid() of Debian 6.1's
 * fs/nfsd/nfs4state.c, beside a pr_info_once() added to
 * nfsd4_destroy_session().
 */
// EXPORTS: printk feature_key
#include "jump-key.h"

extern struct static_key mod_key, feature_key;
extern int printk(const char *fmt, ...);

int warn_once_keyed(int x)
{
	static _Bool __attribute__((section(".data.once"))) warned;

	JUMP_LABEL(mod_key, l_yes);
	if (x > 100 && !warned) {
		warned = 1;
		printk("warned once\n");
	}
	return x;
l_yes:
	return x - 1;
}

int told_once(int x)
{
#ifdef PATCHED
	static _Bool __attribute__((section(".data.once"))) told;

	if (!told) {
		told = 1;
		printk("told once\n");
	}
#endif
	JUMP_LABEL(feature_key, l_yes);
	return x;
l_yes:
	return x + 1;
}
