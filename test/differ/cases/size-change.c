/* A data structure grows. */
struct stats { long a, b;
#ifdef PATCHED
	long c;
#endif
};
struct stats global_stats;
long read_stats(void) { return global_stats.a + global_stats.b; }
