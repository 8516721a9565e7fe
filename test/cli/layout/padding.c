/*
 * A member added into the trailing padding (8 + 4 + 1 = 13 of 16 bytes):
 * every offset and the size stay; not a layout change.
 */
struct entry {
	long key;
	int value;
	char kind;
#ifdef PATCHED
	char extra;
#endif
};

int entry_value(struct entry *e)
{
#ifdef PATCHED
	return e->value + e->extra;
#else
	return e->value;
#endif
}
