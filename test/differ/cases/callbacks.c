/* A patch that brings a pre-patch callback (kpatch-macros.h layout). */
// EXPORTS: printk
extern int printk(const char *fmt, ...);
struct klp_object;
int changed(int x)
{
#ifdef PATCHED
	return x - 1;
#else
	return x + 1;
#endif
}
#ifdef PATCHED
static int pre_patch(struct klp_object *obj) { printk("pre-patch\n"); return 0; }
struct cb { void *fn; const char *objname; };
static struct cb __attribute__((used, section(".kpatch.callbacks.pre_patch"))) pre_cb = {
	(void *)pre_patch, (const char *)0,
};
#endif
