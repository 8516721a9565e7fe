// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ELF reader and the differ: the input is the
 * "patched" object, compared with a fixed valid original (FUZZ_ORIG) against
 * its parent (FUZZ_PARENT), through every phase (run_phases(), as
 * create-diff-object runs them).  Bad input must end in a returned status
 * with its message, never in a crash or an exit; the status must be one
 * create-diff-object(1) documents, recorded, and OUTPUT.o written only
 * with KPB_OK.  No die() is reachable from the phases: an exit here is a
 * finding too (libFuzzer reports it).
 */
#include "../../create-diff-object/cdo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What run_phases() returned agrees with what it recorded and wrote. */
static void check_status(const struct cdo *c, enum kpb_status st, const char *out)
{
	bool written = access(out, F_OK) == 0;

	switch (st) {
	case KPB_OK:
		if (c->status != KPB_OK || !written)
			abort();
		break;
	case KPB_NO_CHANGE:
		if (c->status != KPB_OK || written)
			abort();
		break;
	case KPB_ERROR:
	case KPB_UNSUPPORTED:
		if (c->status != st || written)
			abort();
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], out[64], list[64];
	struct cdo c = { 0 };
	int fd = memfd_create("patched.o", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(out, sizeof(out), "/tmp/fuzz-cdo-%d.o", getpid());
	snprintf(list, sizeof(list), "/tmp/fuzz-cdo-%d.untraced", getpid());
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
	check_status(&c, run_phases(&c), out);
	/* Every phase's state, after a failure too: each is NULL or complete. */
	free_cdo(&c);
	close(fd);
	unlink(out);
	unlink(list);
	return 0;
}
