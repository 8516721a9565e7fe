/* A changed untraced helper called from noinstr (entry) code: refused. */
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
