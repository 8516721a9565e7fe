/*
 * __LINE__ as an inline asm operand outside the bug table: x86's
 * TRACE_RESUME() (asm/pm-trace.h, CONFIG_PM_TRACE_RTC) puts the line and
 * the file into .tracedata and passes the record's address to
 * generate_pm_trace().  Lines added above: no change.
 */
// EXPORTS: generate_pm_trace
#include "line-forms.h"

extern int pm_trace_enabled;
void generate_pm_trace(const void *tracedata, unsigned int user);

#define TRACE_RESUME(user)							\
	do {									\
		if (pm_trace_enabled) {						\
			const void *tracedata;					\
			asm volatile("movq $1f,%0\n"				\
				     ".section .tracedata,\"a\"\n"		\
				     "1:\t.word %c1\n\t"			\
				     ".quad %c2\n"				\
				     ".previous"				\
				     : "=r"(tracedata)				\
				     : "i"(__LINE__), "i"(__FILE__));		\
			generate_pm_trace(tracedata, user);			\
		}								\
	} while (0)

#line LINE
int resume_thing(int x)
{
	TRACE_RESUME(0);
	return x + 1;
}
