/*
 * __FILE__ ":" __stringify(__LINE__) in a string literal, as the kernel's
 * headers write it: fortify-string.h's memcpy() check (the WARN_ONCE()
 * argument naming the field, "field \"p\" at arch/x86/kvm/x86.c:8493" in
 * prepare_emulation_failure_exit()), timer.h's DEFINE_TIMER() lock name and
 * regmap.h's KBUILD_BASENAME ":" LINE ":(name)->lock" (with CONFIG_LOCKDEP).
 * Lines added above: with --line-map, no change.
 */
// EXPORTS: __warn_printk lock_init
#include "line-forms.h"

#define KBUILD_BASENAME "line-string"

void lock_init(void *lock, const char *name);

struct timer {
	void (*fn)(void);
	const char *lock_name;
};

#line LINE
int copy_field(char *dst, const char *src, unsigned long n)
{
	return fortify_memcpy(dst, src, n, 16) ? -1 : 0;
}

void init_lock(void *lock)
{
	lock_init(lock, KBUILD_BASENAME ":" __stringify(__LINE__) ":(config)->lock");
}

static void tick(void)
{
}

struct timer my_timer = { .fn = tick, .lock_name = __FILE__ ":" __stringify(__LINE__) };
