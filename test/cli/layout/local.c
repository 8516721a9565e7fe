/* A structure declared inside a function lives only for a call: no check. */
int sum(int a, int b)
{
	struct args {
		int a;
#ifdef PATCHED
		int carry;
#endif
		int b;
	} v = { .a = a, .b = b };
	volatile struct args *p = &v;

	return p->a + p->b;
}
