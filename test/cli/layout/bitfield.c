/* A bit-field widened: the next bit-field moves inside the same word. */
struct flags {
#ifdef PATCHED
	unsigned int mode : 4;
#else
	unsigned int mode : 3;
#endif
	unsigned int dirty : 1;
	unsigned int count : 8;
};

int flags_dirty(struct flags *f) { return f->dirty; }
