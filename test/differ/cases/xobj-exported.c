/* A changed global untraced function that is exported: its callers may be in any module. */
// EXPORTS: scale_exported
#define notrace __attribute__((no_instrument_function))
int __attribute__((noinline, noclone)) notrace scale_exported(int x)
{
#ifdef PATCHED
	return x * 3;
#else
	return x * 2;
#endif
}
