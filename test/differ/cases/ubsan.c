/*
 * CONFIG_UBSAN: each check passes the handler a per-call-site record
 * (source location, type descriptors) in a section named by a counter,
 * .data..Lubsan_data<N> with GCC, .data..L__unnamed_<N> with clang.  The
 * patch adds a check to first(), so later()'s records are renumbered and
 * their lines move: later() is unchanged.
 */
// CFLAGS: -fsanitize=shift,signed-integer-overflow
int first(int a, int s)
{
#ifdef PATCHED
	a = a << (s & 7);
	a = a * 3;
#endif
	return a << s;
}

int later(int a, int s)
{
	return (a << s) + a * s;
}
