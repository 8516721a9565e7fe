/* Members of an anonymous union are members of the structure around it. */
struct msg {
	int type;
	union {
		int code;
		struct {
			short lo;
#ifdef PATCHED
			short mid;
#endif
			short hi;
		};
	};
	int len;
};

int msg_hi(struct msg *m) { return m->hi; }
