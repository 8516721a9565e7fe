/* A patch marking a layout change as handled (KPATCH_LAYOUT_CHANGE_OK). */
int changed(int x)
{
#ifdef PATCHED
	return x - 1;
#else
	return x + 1;
#endif
}
#ifdef PATCHED
static const char layout_ok[] __attribute__((used, aligned(1), section(".kpatch.layout_change_ok"))) =
	"struct session";
#endif
