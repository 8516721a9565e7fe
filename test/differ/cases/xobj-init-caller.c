/* Another object whose __init code calls xobj-define.c's scale_all. */
int scale_all(int x);
__attribute__((section(".init.text"))) int setup_scale(int x)
{
	return scale_all(x) + 1;
}
int later_user(int x)
{
	return scale_all(x) + 2;
}
