/*
 * Loops that stop at the end of a table: GCC's bound is &table[N], one
 * past the table, a reference to the end of its section (.rodata.names.0
 * + its size) where no symbol is.  sum_names() changes and uses an
 * unchanged static const table (referred to in the kernel, end included);
 * weigh_all() uses a static const table the patch changes (the output
 * carries the new one, its end with it); count_all() loops over a writable
 * static table (never copied: the kernel's, end included).
 */
struct name { const char *text; int len; };

int sum_names(int k)
{
	static const struct name names[] = {
		{ "alpha", 5 }, { "beta", 4 }, { "gamma", 5 }, { "delta", 5 },
	};
	int sum = 0;

	for (const struct name *n = names; n < names + sizeof(names) / sizeof(*names); n++)
#ifdef PATCHED
		sum += n->len * k + n->text[0];
#else
		sum += n->len * k;
#endif
	return sum;
}

int weigh_all(int k)
{
	static const int weights[] = { 3, 1, 4, 1, 5,
#ifdef PATCHED
		9,
#else
		8,
#endif
	};
	int sum = 0;

	for (const int *w = weights; w < weights + sizeof(weights) / sizeof(*weights); w++)
		sum += *w * k;
	return sum;
}

int count_all(int k)
{
	static int counts[6];
	int sum = 0;

	for (int *c = counts; c < counts + sizeof(counts) / sizeof(*counts); c++)
#ifdef PATCHED
		sum += (*c)++ * k;
#else
		sum += (*c)++;
#endif
	return sum;
}
