/* A function without the __fentry__ call cannot be redirected by ftrace. */
__attribute__((no_instrument_function)) int untraced(int x)
{
#ifdef PATCHED
	return x * 3;
#else
	return x * 2;
#endif
}
