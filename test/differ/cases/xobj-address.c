/* Another object that stores the address of xobj-define.c's scale_all, and takes it in code. */
int scale_all(int x);
int (*const scalers[])(int) = { scale_all };
void *scaler_address(void)
{
	return (void *)scale_all;
}
