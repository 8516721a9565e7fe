/* untraced-init.c's helper, called from a traced function too. */
#include "untraced-init.c"
int read_limit(int x)
{
	return parse_limit(x) + 2;
}
