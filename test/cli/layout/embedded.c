/*
 * An embedded structure grows: the outer one, used by the changed
 * function only through a global of its type, changes with it.
 */
struct stats {
	long packets;
#ifdef PATCHED
	long drops;
#endif
};

struct device {
	struct stats stats;
	int mtu;
};

struct device loopback;

int loopback_mtu(void)
{
#ifdef PATCHED
	return loopback.mtu + 1;
#else
	return loopback.mtu;
#endif
}
