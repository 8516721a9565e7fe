/* A module parameter table entry is read at load time only. */
struct kernel_param { const char *name; void *arg; };
static int level;
int get_level(void) { return level; }
#ifdef PATCHED
static const struct kernel_param __param_level __attribute__((used, section("__param"), aligned(8))) = {
	"level", &level,
};
#endif
