/* A member inserted in the middle of a structure: the later ones move. */
struct conn {
	int id;
#ifdef PATCHED
	int flags;
#endif
	int bytes;
	char state;
};

int conn_bytes(struct conn *c)
{
#ifdef PATCHED
	if (c->flags)
		return 0;
#endif
	return c->bytes;
}

int conn_id(struct conn *c) { return c->id; }
