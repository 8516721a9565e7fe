/* A changed constant table: the function using it must be replaced too. */
static const int weights[4] = { 1, 2, 3,
#ifdef PATCHED
	5
#else
	4
#endif
};
int weigh(unsigned int i) { return weights[i & 3]; }
