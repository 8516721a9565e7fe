/* A structure only the patched object has: nothing to compare it with. */
struct old { int a; };

#ifdef PATCHED
struct added { long x, y; };

long added_sum(struct added *p) { return p->x + p->y; }
#endif

int old_a(struct old *o) { return o->a; }
