/*
 * A layout change the patch marks as handled (KPATCH_LAYOUT_CHANGE_OK of
 * kpatch-macros.h: the type's name as a string in .kpatch.layout_change_ok;
 * the header needs the kernel's, so its expansion is spelt out here).
 */
struct session {
	int id;
#ifdef PATCHED
	int token;
#endif
	int uid;
};

int session_uid(struct session *s) { return s->uid; }

#ifdef PATCHED
static const char kpatch_layout_change_ok_1[]
	__attribute__((used, aligned(1), section(".kpatch.layout_change_ok"))) = "struct session";
#endif
