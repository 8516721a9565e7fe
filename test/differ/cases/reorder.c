/* The same functions in another order: no change. */
#ifdef PATCHED
int two(int x) { return x * 2; }
int one(int x) { return x + 1; }
#else
int one(int x) { return x + 1; }
int two(int x) { return x * 2; }
#endif
