// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ELF reader and the differ: the input is the
 * "patched" object, compared with a fixed valid original (FUZZ_ORIG) against
 * its parent (FUZZ_PARENT).  Bad input must end in die() with a message,
 * never in a crash; die() is turned into a longjmp back here.
 */
#include "../../create-diff-object/cdo.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jmp_buf on_die;

static void back_to_fuzzer(void)
{
	longjmp(on_die, 1);
}

static void run_phases(struct cdo *c)
{
	read_untraced_list(c);
	read_objects(c);
	read_parent(c);
	correlate_objects(c);
	read_markers(c);
	compare_objects(c);
	patch_untraced_through_callers(c);
	check_unsupported_changes(c);
	if (c->nr_unsupported || (!c->cmp.nr_changed && !c->cmp.nr_new))
		return;
	include_changed_functions(c);
	create_output(c);
	rebuild_special_sections(c);
	write_func_table(c);
	write_untraced_list(c);
	elf_write(c->out, c->args.output);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64], out[64], list[64];
	static struct cdo c;
	int fd = memfd_create("patched.o", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(out, sizeof(out), "/tmp/fuzz-cdo-%d.o", getpid());
	snprintf(list, sizeof(list), "/tmp/fuzz-cdo-%d.untraced", getpid());
	memset(&c, 0, sizeof(c));
	c.args.path[ORIG] = getenv("FUZZ_ORIG");
	c.args.path[PATCHED] = path;
	c.args.parent = "vmlinux";
	c.args.symtab_path = getenv("FUZZ_PARENT");
	c.args.symvers_path = getenv("FUZZ_SYMVERS");
	c.args.patch_name = "fuzz";
	c.args.output = out;
	/* Globals without __fentry__ carried (untraced_list.c); callers' mode with a list. */
	c.args.untraced_out_path = list;
	c.args.untraced_in_path = getenv("FUZZ_UNTRACED_IN");
	log_push_die_hook(back_to_fuzzer);
	if (!setjmp(on_die)) {
		run_phases(&c);
		log_pop_die_hook();
	}
	/*
	 * Every phase's state, after a refusal too: each is NULL or complete
	 * (a model half read is the reader's own, closed by its die hook), and
	 * a fuzzer that leaked a whole original per input ran out of memory.
	 */
	free_cdo(&c);
	close(fd);
	unlink(out);
	unlink(list);
	return 0;
}
