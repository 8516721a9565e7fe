/*
 * A changed untraced helper called from noinstr (entry) code, and changed
 * noinstr code itself: refused, though each has a traced caller.
 */
#define notrace __attribute__((no_instrument_function))
static int __attribute__((noinline, noclone)) notrace fixup_flags(int x)
{
#ifdef PATCHED
	return x & 0xf0;
#else
	return x & 0xff;
#endif
}
__attribute__((section(".noinstr.text"))) notrace int enter_from_user(int x)
{
	return fixup_flags(x) | 1;
}
int traced_user(int x)
{
	return fixup_flags(x) + 3;
}
__attribute__((section(".noinstr.text"), noinline, noclone)) notrace int exit_to_user(int x)
{
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}
int traced_exit(int x)
{
	return exit_to_user(x) * 5;
}
