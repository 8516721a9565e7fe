/* A changed initial value of data the running kernel already uses. */
int tunable = 
#ifdef PATCHED
	20;
#else
	10;
#endif
int read_tunable(void) { return tunable; }
