/*
 * A changed untraced helper whose address is taken: stored in a table and
 * passed as a callback.  Calls through those pointers cannot be redirected.
 */
#define notrace __attribute__((no_instrument_function))
extern void register_handler(int (*fn)(int));
static int __attribute__((noinline, noclone)) notrace handle(int x)
{
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}
int (*const handlers[])(int) = { handle };
int call_handle(int x)
{
	return handle(x) * 2;
}
void setup_handler(void)
{
	register_handler(handle);
}
