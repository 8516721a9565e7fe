/* Only comments and layout differ. */
int same(int x)
{
#ifdef PATCHED
	/* a comment */
	return x * 2;
#else
	return x * 2;
#endif
}
