/* A changed untraced helper called from vmlinux __init code and from a traced function. */
#define notrace __attribute__((no_instrument_function))
static int __attribute__((noinline, noclone)) notrace parse_limit(int x)
{
#ifdef PATCHED
	return x > 100 ? 100 : x;
#else
	return x > 200 ? 200 : x;
#endif
}
__attribute__((section(".init.text"))) int setup_limit(int x)
{
	return parse_limit(x) + 1;
}
int read_limit(int x)
{
	return parse_limit(x) + 2;
}
