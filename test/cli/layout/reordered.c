/* Two members swapped. */
struct pair {
#ifdef PATCHED
	long second;
	long first;
#else
	long first;
	long second;
#endif
};

long pair_diff(struct pair *p) { return p->first - p->second; }
