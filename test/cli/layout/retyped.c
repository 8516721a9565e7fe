/* A member of another type of the same size, at the same offset. */
struct sample {
#ifdef PATCHED
	unsigned int value;
#else
	int value;
#endif
	int weight;
};

int sample_positive(struct sample *s) { return s->value > 0; }
