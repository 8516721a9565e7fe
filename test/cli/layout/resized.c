/* A member widened from int to long: it grows, the next one moves. */
struct counter {
#ifdef PATCHED
	long hits;
#else
	int hits;
#endif
	int misses;
};

void count_hit(struct counter *c) { c->hits++; }
