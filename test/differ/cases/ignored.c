/* A change the author marked to be ignored. */
int noisy(int x)
{
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}
#ifdef PATCHED
static void *__attribute__((used, section(".kpatch.ignore.functions"))) ignore_noisy = (void *)noisy;
#endif
