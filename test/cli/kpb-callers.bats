#!/usr/bin/env bats
# kpatch-build's lib/callers.sh: finding the objects that call a global
# function without __fentry__ in a small synthetic source tree (a word
# search, through the inline functions and macros of headers), mapped to
# objects by a hand-written object map and kept by their symbol tables.

bats_require_minimum_version 1.5.0

# Sourced once, outside setup(), as kpatch-build sources it, with the
# layers it calls: cache.sh (keep_as_originals), diff.sh (the lists' paths).
# shellcheck source=kpatch-build/lib/cache.sh
source "$BATS_TEST_DIRNAME/../../kpatch-build/lib/cache.sh"
# shellcheck source=kpatch-build/lib/diff.sh
source "$BATS_TEST_DIRNAME/../../kpatch-build/lib/diff.sh"
# shellcheck source=kpatch-build/lib/callers.sh
source "$BATS_TEST_DIRNAME/../../kpatch-build/lib/callers.sh"
debug() { :; }
stage() { :; }
note() { :; }
die() { echo "die $*" >&2; exit 1; }
EXIT_ERROR=1 EXIT_UNSUPPORTED=6
original_is_built() { [[ -f $OBJ_DIR/$1 ]]; }
# The objects, compiled from the sources as they are.
kmake() {
	local o
	for o in "$@"; do
		mkdir -p "$OBJ_DIR/$(dirname "$o")"
		gcc -O2 -w -I"$COPY_DIR/include" -c "$COPY_DIR/${o%.o}.c" -o "$OBJ_DIR/$o" || return 1
	done
}

setup() {
	T=$BATS_TEST_TMPDIR
	COPY_DIR=$T/src TARGET_DIR=$T/target OBJ_DIR=$T/obj TMP_DIR=$T/tmp JOURNAL=''
	OPT_DEBUG=0
	mkdir -p "$COPY_DIR"/{include/linux,lib,mm,drivers/tty,arch/arm/mm,arch/x86/mm,fs/afs,tools} \
		"$TARGET_DIR" "$OBJ_DIR" "$TMP_DIR"
	cat >"$COPY_DIR/include/linux/mm.h" <<'H'
extern void __show_mem(unsigned int flags, int max);
static inline void unrelated_before(void)
{
}
static inline void show_mem(unsigned int flags)
{
	__show_mem(flags, 4);
}
#define SHOW_MEM_QUIETLY() \
	show_mem(1)
static inline int unrelated_after(int x)
{
	return x + 1;
}
H
	printf '#include <linux/mm.h>\nvoid __show_mem(unsigned int f, int m) { (void)f; (void)m; }\n' \
		>"$COPY_DIR/lib/show_mem.c"
	printf '#include <linux/mm.h>\nvoid oom(void) { __show_mem(0, 2); }\n' >"$COPY_DIR/mm/oom_kill.c"
	printf '#include <linux/mm.h>\nvoid sysrq(void) { SHOW_MEM_QUIETLY(); }\n' >"$COPY_DIR/drivers/tty/sysrq.c"
	# Names it in a comment only: compiled, then dropped by its symbol table.
	printf '/* not __show_mem */\nint keyboard(void) { return 1; }\n' >"$COPY_DIR/drivers/tty/keyboard.c"
	printf '#include <linux/mm.h>\nvoid arm(void) { show_mem(0); }\n' >"$COPY_DIR/arch/arm/mm/init.c"
	printf '#include <linux/mm.h>\nvoid x86(void) { show_mem(0); }\n' >"$COPY_DIR/arch/x86/mm/init.c"
	printf '#include <linux/mm.h>\nvoid afs(void) { show_mem(0); }\n' >"$COPY_DIR/fs/afs/write.c"
	printf 'show_mem();\n' >"$COPY_DIR/tools/x.c"
	printf '#include <linux/mm.h>\nint unrelated(void) { return unrelated_after(1); }\n' >"$COPY_DIR/mm/other.c"
	cat >"$TARGET_DIR/objects.map" <<'M'
arch/x86/mm/init.o vmlinux arch/x86/mm/init.c
drivers/tty/keyboard.o vmlinux drivers/tty/keyboard.c
drivers/tty/sysrq.o vmlinux drivers/tty/sysrq.c
fs/afs/write.o fs/afs/kafs fs/afs/write.c
lib/show_mem.o vmlinux lib/show_mem.c
mm/oom_kill.o vmlinux mm/oom_kill.c
mm/other.o vmlinux mm/other.c
M
	CHANGED=(lib/show_mem.o)
	declare -gA PARENT=([lib/show_mem.o]=vmlinux)
	UNTRACED_PARENT=([__show_mem]=vmlinux)
	CALLER_PARENT=()
	echo __show_mem >"$TMP_DIR/untraced.list"
}

@test "caller sources: the name's and its header wrappers' (inline, macro), x86 only, no tools" {
	run caller_sources __show_mem
	[ "$status" -eq 0 ]
	[ "$(sort -u <<<"$output" | tr '\n' ' ')" = "arch/x86/mm/init.c drivers/tty/keyboard.c drivers/tty/sysrq.c fs/afs/write.c lib/show_mem.c mm/oom_kill.c " ]
}

@test "a header's wrappers: the functions and macros whose bodies name it, not declarations" {
	[ "$(wrappers_in include/linux/mm.h __show_mem)" = show_mem ]
	[ "$(wrappers_in include/linux/mm.h show_mem)" = SHOW_MEM_QUIETLY ]
	[ -z "$(wrappers_in include/linux/mm.h SHOW_MEM_QUIETLY)" ]
}

@test "caller objects: of the name's parent, not the changed one, kept by their symbol tables" {
	CALLER_CANDIDATES=()
	find_caller_objects
	[ "$(printf '%s\n' "${CALLER_CANDIDATES[@]}" | sort | tr '\n' ' ')" = "arch/x86/mm/init.o drivers/tty/keyboard.o drivers/tty/sysrq.o mm/oom_kill.o " ]
	compile_caller_objects
	[ "$(printf '%s\n' "${!CALLER_PARENT[@]}" | sort | tr '\n' ' ')" = "arch/x86/mm/init.o drivers/tty/sysrq.o mm/oom_kill.o " ]
	[ "${CALLER_PARENT[mm/oom_kill.o]}" = vmlinux ]
}

@test "caller objects compiled after the patches are kept in the journal as originals" {
	JOURNAL=$T/journal
	mkdir -p "$JOURNAL/obj"
	CALLER_CANDIDATES=()
	find_caller_objects
	compile_caller_objects
	[ -f "$JOURNAL/obj/mm/oom_kill.o" ] && [ -f "$JOURNAL/obj/drivers/tty/keyboard.o" ]
	cmp "$JOURNAL/obj/mm/oom_kill.o" "$OBJ_DIR/mm/oom_kill.o"
}

@test "the list grows from what the differ wrote, with each name's parent" {
	UNTRACED_PARENT=()
	mkdir -p "$TMP_DIR/outputs"
	echo __show_mem >"$(untraced_list_of lib/show_mem.o)"
	collect_untraced
	[ "$(cat "$TMP_DIR/untraced.list")" = __show_mem ]
	[ "${UNTRACED_PARENT[__show_mem]}" = vmlinux ]
	run ! collect_untraced
}

# The parent linked from the objects (as vmlinux is), the outputs defining
# the functions the module replaces: $1... are the objects' callers left out.
link_parent_and_outputs() {
	kmake lib/show_mem.o mm/oom_kill.o drivers/tty/sysrq.o arch/x86/mm/init.o
	printf '#include <linux/mm.h>\nvoid hidden(void) { __show_mem(0, 1); }\n' >"$COPY_DIR/mm/hidden.c"
	printf '#include <linux/mm.h>\n__attribute__((section(".init.text"))) void early(void) { __show_mem(0, 3); }\n' \
		>"$COPY_DIR/init/early.c"
	kmake mm/hidden.o init/early.o
	TARGET_VMLINUX=$T/vmlinux
	ld -e 0 -o "$TARGET_VMLINUX" "$OBJ_DIR"/lib/show_mem.o "$OBJ_DIR"/mm/oom_kill.o \
		"$OBJ_DIR"/drivers/tty/sysrq.o "$OBJ_DIR"/arch/x86/mm/init.o "$OBJ_DIR"/mm/hidden.o \
		"$OBJ_DIR"/init/early.o
	printf 'void __show_mem(void) {}\nvoid oom(void) {}\nvoid sysrq(void) {}\nvoid x86(void) {}\n' >"$T/out.c"
	gcc -c -o "$TMP_DIR/out.o" "$T/out.c"
	OUTPUTS=("$TMP_DIR/out.o")
	TOOLS_DIR=$KPB_BIN
}
parent_symtab() { echo "$TARGET_VMLINUX"; }

@test "the binary's call sites: a caller no output defines is refused, naming it" {
	mkdir -p "$COPY_DIR/init"
	link_parent_and_outputs
	run check_untraced_call_sites
	[ "$status" -eq 1 ]
	[[ $output == *"die 6 vmlinux: hidden (.text) calls __show_mem"* ]]
	[[ $output == *"refusing rather than leaving hidden on the old __show_mem"* ]]
}

@test "the binary's call sites: a pointer to the function in data is refused, naming it" {
	mkdir -p "$COPY_DIR/init"
	link_parent_and_outputs
	printf 'void hidden(void) {}\n' >"$T/out2.c"
	gcc -c -o "$TMP_DIR/out2.o" "$T/out2.c"
	OUTPUTS+=("$TMP_DIR/out2.o")
	printf '#include <linux/mm.h>\nvoid (*show_hook)(unsigned int, int) = __show_mem;\n' >"$COPY_DIR/mm/hook.c"
	kmake mm/hook.o
	ld -e 0 -o "$TARGET_VMLINUX" "$OBJ_DIR"/lib/show_mem.o "$OBJ_DIR"/mm/oom_kill.o \
		"$OBJ_DIR"/drivers/tty/sysrq.o "$OBJ_DIR"/arch/x86/mm/init.o "$OBJ_DIR"/mm/hidden.o \
		"$OBJ_DIR"/init/early.o "$OBJ_DIR"/mm/hook.o
	run check_untraced_call_sites
	[ "$status" -eq 1 ]
	[[ $output == *"die 6 vmlinux: show_hook (.data) uses the address of __show_mem"* ]]
}

@test "the binary's call sites: every caller replaced (.init.text ones are freed at boot): accepted" {
	mkdir -p "$COPY_DIR/init"
	link_parent_and_outputs
	printf 'void hidden(void) {}\n' >"$T/out2.c"
	gcc -c -o "$TMP_DIR/out2.o" "$T/out2.c"
	OUTPUTS+=("$TMP_DIR/out2.o")
	run check_untraced_call_sites
	[ "$status" -eq 0 ]
	[[ $output != *die* ]]
}
