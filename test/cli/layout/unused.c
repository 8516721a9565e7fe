/*
 * A layout change no changed function uses: still refused (the running
 * kernel has objects of it), naming the type.
 */
struct config { int a; int b; };

int config_b(struct config *c) { return c->b; }

struct table {
	int n;
#ifdef PATCHED
	int pad;
#endif
	int total;
};

int table_n(struct table *t) { return t->n; }

int answer(void)
{
#ifdef PATCHED
	return 43;
#else
	return 42;
#endif
}
