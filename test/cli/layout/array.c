/* An array member made longer: the structure grows. */
struct task_name {
#ifdef PATCHED
	char comm[32];
#else
	char comm[16];
#endif
	int pid;
};

int name_pid(struct task_name *t) { return t->pid + t->comm[0]; }
