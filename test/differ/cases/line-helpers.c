/*
 * Lines added above the callers of every 6.1 and 6.12 helper that takes
 * __LINE__ as an argument (lines.c's table): might_fault(), might_resched()
 * forms, cant_sleep(), cant_migrate(), rcu_dereference_check()'s
 * lockdep_rcu_suspicious(), ASSERT_RTNL()'s WARN_ONCE("%s (%d)", __FILE__,
 * __LINE__), XDP_WARN() (net/xdp.h), validate_creds() (cred.h, with
 * CONFIG_DEBUG_CREDENTIALS).  No change, with no line map.
 */
// EXPORTS: __might_fault __might_resched __cant_sleep __cant_migrate lockdep_rcu_suspicious __warn_printk xdp_warn __validate_creds __validate_process_creds
#include "line-forms.h"

struct cred;
struct task_struct;
void __might_fault(const char *file, int line);
void __might_resched(const char *file, int line, unsigned int offsets);
void __cant_sleep(const char *file, int line, int preempt_offset);
void __cant_migrate(const char *file, int line);
void lockdep_rcu_suspicious(const char *file, const int line, const char *s);
void xdp_warn(const char *msg, const char *func, const int line);
void __validate_creds(const struct cred *cred, const char *file, unsigned int line);
void __validate_process_creds(struct task_struct *tsk, const char *file, unsigned int line);
extern _Bool rtnl_locked;
extern int debug_lockdep;

#line LINE
int fault_in(int x)
{
	__might_fault(__FILE__, __LINE__);
	__might_resched(__FILE__, __LINE__, 0);
	return x + 1;
}

int atomic_part(int x)
{
	__cant_sleep(__FILE__, __LINE__, 0);
	__cant_migrate(__FILE__, __LINE__);
	if (debug_lockdep && x)
		lockdep_rcu_suspicious(__FILE__, __LINE__, "suspicious rcu_dereference_check() usage");
	return x + 2;
}

int rtnl_user(int x)
{
	WARN_ONCE(!rtnl_locked, "RTNL: assertion failed at %s (%d)\n", __FILE__, __LINE__);
	return x + 3;
}

int xdp_user(int x)
{
	if (x < 0)
		xdp_warn("Driver BUG: missing reg_mem_model", __func__, __LINE__);
	return x + 4;
}

int creds_user(const struct cred *cred, struct task_struct *tsk)
{
	__validate_creds(cred, __FILE__, __LINE__);
	__validate_process_creds(tsk, __FILE__, __LINE__);
	return 5;
}
