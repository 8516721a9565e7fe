/* Code above moved: only the __LINE__ passed to __might_sleep() differs. */
// EXPORTS: __might_sleep
extern void __might_sleep(const char *file, int line);
int sleeper(int x)
{
#ifdef PATCHED
#line 400
#endif
	__might_sleep("line-only.c", __LINE__);
	return x + 3;
}
