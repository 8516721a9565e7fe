/* A member removed: the one after it moves up. */
struct conn {
	int id;
#ifndef PATCHED
	int unused;
#endif
	int state;
};

int conn_state(struct conn *c) { return c->state; }
