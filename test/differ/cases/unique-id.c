/* A static named by __UNIQUE_ID (its number follows __COUNTER__): the
 * patch adds another before it, renumbering it. */
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
#ifdef PATCHED
static int __UNIQUE_ID(extra) __attribute__((used)) = 5;
#endif
static int __UNIQUE_ID(state) = 3;
#ifdef PATCHED
#define STATE_N 1
#else
#define STATE_N 0
#endif
#define STATE __PASTE(__UNIQUE_ID_state, STATE_N)
int read_state(int x)
{
#ifdef PATCHED
	return x * 2 + STATE;
#else
	return x + STATE;
#endif
}
void bump_state(void) { STATE++; }
