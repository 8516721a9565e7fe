# shellcheck shell=bash
# shellcheck disable=SC2016 # make's $(...) and ${...}, written as they are
# Two small kernel trees for kpatch-build --update-from (kpb-triage.bats,
# kpb-update-build.bats): the target's source ($T/base, 6.1.192) and the
# update ($T/new, 6.1.193-1), which differ in a .c file, a header (a
# struct's members, an inline), a Makefile only, a new file and a removed
# one, with a changelog naming CVE ids; a target (vmlinux, config,
# Module.symvers) of 6.1.192, and C tools that must never run.
#
# The trees are real enough for the real steps: the driver prepares the
# target's tree (its top Makefile's olddefconfig and modules_prepare write
# what kbuild would: the config, utsrelease.h, auto.conf) and kpb-objmap maps
# it through a minimal scripts/Makefile.build and indexes its includes.

update_trees_setup() {
	# shellcheck disable=SC2034 # read by the bats files that load this
	KPB=$BATS_TEST_DIRNAME/../../kpatch-build/kpatch-build
	T=$BATS_TEST_TMPDIR
	export KPB_BIN=$T/bin KPATCH_BUILD_CACHE=$T/cache TMPDIR=$T
	mkdir -p "$KPB_BIN"
	for tool in create-diff-object create-klp-module kpb-callsites kpb-layout kpb-origcheck; do
		printf '#!/bin/sh\necho "%s must not run in these tests" >&2\nexit 1\n' "$tool" >"$KPB_BIN/$tool"
		chmod +x "$KPB_BIN/$tool"
	done
	printf 'int x;\nconst char b[] = "Linux version 6.1.192 (fake@host) (%s) #1";\n' \
		"$(gcc --version | head -n1)" >"$T/vmlinux.c"
	gcc -c -o "$T/vmlinux" "$T/vmlinux.c"
	printf 'CONFIG_CC_VERSION_TEXT="%s"\nCONFIG_64BIT=y\nCONFIG_FOO=m\n' "$(gcc --version | head -n1)" >"$T/config"
	printf '0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n' >"$T/Module.symvers"
	base_tree "$T/base"
	new_tree "$T/base" "$T/new"
}


# A kernel tree of 6.1.SUB whose kbuild is a few lines: obj-y/obj-m and
# subdirectories, the config's CONFIG_* from auto.conf.
fake_kbuild() {
	local dir=$1 sub=$2
	mkdir -p "$dir/scripts"
	cat >"$dir/Makefile" <<EOF
VERSION = 6
PATCHLEVEL = 1
SUBLEVEL = $sub
EXTRAVERSION =
NAME = Curry Ramen
srctree := \$(patsubst %/,%,\$(dir \$(abspath \$(lastword \$(MAKEFILE_LIST)))))
export srctree
export ARCH_LIB := arch/x86/lib/
olddefconfig:
	@:
modules_prepare:
	@mkdir -p \$(O)/include/generated \$(O)/include/config
	@echo '#define UTS_RELEASE "\$(KERNELRELEASE)"' >\$(O)/include/generated/utsrelease.h
	@cp \$(O)/.config \$(O)/include/config/auto.conf
EOF
	cat >"$dir/scripts/Makefile.build" <<'EOF'
-include include/config/auto.conf
src := $(obj)
include $(srctree)/$(src)/$(if $(wildcard $(srctree)/$(src)/Kbuild),Kbuild,Makefile)
subdir-ym := $(patsubst %/,$(obj)/%,$(filter %/,$(obj-y) $(obj-m)))
real-obj-y := $(addprefix $(obj)/,$(patsubst %/,%/built-in.a,$(obj-y)))
obj-m := $(addprefix $(obj)/,$(patsubst %/,%/modules.order,$(filter %/,$(obj-y)) $(obj-m)))
lib-y :=
EOF
	echo 'c_flags = -include $(srctree)/include/linux/compiler_types.h' >"$dir/scripts/Makefile.lib"
	mkdir -p "$dir/include/linux"
	echo '/* forced on every object */' >"$dir/include/linux/compiler_types.h"
	echo 'obj-y += fs/ drivers/' >"$dir/Kbuild"
	echo 'source "fs/Kconfig"' >"$dir/Kconfig"
}

# The target's source: fs/proc (built in), drivers/foo (a module, CONFIG_FOO=m),
# drivers/bar (not built: CONFIG_BAR is not set), a header fs/proc and foo include.
base_tree() {
	local d=$1
	fake_kbuild "$d" 192
	mkdir -p "$d/fs/proc" "$d/drivers/foo" "$d/drivers/bar" "$d/include/linux"
	echo 'obj-y += proc/' >"$d/fs/Makefile"
	echo 'obj-y += cmdline.o uptime.o old.o' >"$d/fs/proc/Makefile"
	printf 'obj-$(CONFIG_FOO) += foo/\nobj-$(CONFIG_BAR) += bar/\n' >"$d/drivers/Makefile"
	printf 'obj-$(CONFIG_FOO) += foo.o\nfoo-y := foo_main.o\n' >"$d/drivers/foo/Makefile"
	echo 'obj-$(CONFIG_BAR) += bar.o' >"$d/drivers/bar/Makefile"
	echo 'config FOO' >"$d/fs/Kconfig"
	cat >"$d/include/linux/widget.h" <<'EOF'
#ifndef _WIDGET_H
#define _WIDGET_H
struct widget {
	int id;		/* which one */
	long count;
};

struct gadget {
	int on;
};

static inline int widget_id(const struct widget *w)
{
	return w->id;
}
#endif
EOF
	cat >"$d/fs/proc/cmdline.c" <<'EOF'
#include <linux/widget.h>

static int cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, saved_command_line);
	seq_putc(m, '\n');
	return 0;
}

static int __init proc_cmdline_init(void)
{
	proc_create_single("cmdline", 0, NULL, cmdline_proc_show);
	return 0;
}
EOF
	cat >"$d/fs/proc/uptime.c" <<'EOF'
static int uptime_proc_show(struct seq_file *m, void *v)
{
	return 0;
}

SYSCALL_DEFINE1(uptime, int, how)
{
	return how;
}

COMPAT_SYSCALL_DEFINE1(uptime, int, how)
{
	return how;
}
EOF
	cat >"$d/fs/proc/old.c" <<'EOF'
int old_helper(void)
{
	return 1;
}
EOF
	cat >"$d/drivers/foo/foo_main.c" <<'EOF'
#include <linux/widget.h>

int foo_probe(struct widget *w)
{
	return widget_id(w);
}
EOF
	cat >"$d/drivers/bar/bar.c" <<'EOF'
int bar_probe(void)
{
	return 0;
}
EOF
}

# The update: cmdline_proc_show and the __init function changed, struct
# widget gains a member (gadget's comment only), widget_id changed, bar.c
# changed (not built), fs/proc/Makefile only, fs/proc/new.c added, old.c
# removed; debian/changelog names its CVEs.
new_tree() {
	local from=$1 d=$2
	cp -r "$from" "$d"
	sed -i 's/SUBLEVEL = 192/SUBLEVEL = 193/' "$d/Makefile"
	sed -i 's/seq_putc(m, .\\n.);/seq_putc(m, 0);/; s/return 0;\n}/&/' "$d/fs/proc/cmdline.c"
	sed -i 's/proc_create_single("cmdline", 0,/proc_create_single("cmdline", 0444,/' "$d/fs/proc/cmdline.c"
	sed -i 's/\tlong count;/\tlong count;\n\tlong flags;/; s/\tint on;/\tint on;\t\/* a comment only *\//' "$d/include/linux/widget.h"
	sed -i 's/return w->id;/return w->id + 1;/' "$d/include/linux/widget.h"
	sed -i 's/return 0;/return 1;/' "$d/drivers/bar/bar.c"
	echo 'obj-y += cmdline.o uptime.o new.o' >"$d/fs/proc/Makefile"
	rm "$d/fs/proc/old.c"
	printf 'int new_helper(void)\n{\n\treturn 2;\n}\n' >"$d/fs/proc/new.c"
	mkdir -p "$d/debian"
	cat >"$d/debian/changelog" <<'EOF'
linux (6.1.193-1) bookworm-security; urgency=high

  * New upstream stable update:
    - proc: fix cmdline (CVE-2026-1111)
    - widget: count flags (CVE-2026-2222, CVE-2026-1111)

 -- Fake <fake@example.org>  Mon, 01 Dec 2026 10:00:00 +0000

linux (6.1.191-1) bookworm-security; urgency=high

  * Older: must not be counted (CVE-2025-9999)

 -- Fake <fake@example.org>  Mon, 01 Nov 2026 10:00:00 +0000
EOF
}
