/*
 * Another object calling xobj-define.c's untraced scale_all: from a traced
 * function, and from an untraced static helper whose traced caller must be
 * replaced in its stead.
 */
#define notrace __attribute__((no_instrument_function))
int scale_all(int x);
int direct_user(int x)
{
	return scale_all(x) + 2;
}
static int __attribute__((noinline, noclone)) notrace scale_twice(int x)
{
	return scale_all(scale_all(x));
}
int indirect_user(int x)
{
	return scale_twice(x) + 3;
}
int bystander(int x)
{
	return x + 4;
}
