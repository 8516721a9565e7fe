#!/usr/bin/env bats
# The patch manager (manager/kpatch) against a fake root: a sysfs and a proc
# tree in a directory (KPATCH_SYSFS, KPATCH_PROC), an install directory
# (KPATCH_LIBDIR), a running release (KPATCH_RELEASE), and insmod/rmmod
# stand-ins that do what the livepatch core does to sysfs.  The modules are
# ELF objects compiled here with the modinfo and .kpatch.* sections of a
# kpatch-build module; modinfo and readelf are the real ones.

REL=6.1.0-57-cloud-amd64

setup() {
	KPATCH=$BATS_TEST_DIRNAME/../../manager/kpatch
	T=$BATS_TEST_TMPDIR
	export KPATCH_SYSFS=$T/sys KPATCH_PROC=$T/proc KPATCH_LIBDIR=$T/lib/kpatch
	export KPATCH_RELEASE=$REL KPATCH_TEST_SKIP_ROOT_CHECK=1
	export KPATCH_INSMOD=$T/bin/insmod KPATCH_RMMOD=$T/bin/rmmod FAKE_CALLS=$T/calls
	mkdir -p "$T/sys/kernel/livepatch" "$T/sys/module" "$T/proc" "$T/bin" "$T/mods"
	echo "BOOT_IMAGE=/boot/vmlinuz-$REL root=/dev/vda1 ro" >"$T/proc/cmdline"
	: >"$FAKE_CALLS"
	write_fake_insmod
	write_fake_rmmod
	fake_module livepatch-foo "$REL" Y
	fake_module livepatch-bar "$REL" N
}

teardown() {
	# A background "kernel" of a test that failed early must not outlive it.
	[[ -z ${KERNEL_PID:-} ]] || kill "$KERNEL_PID" 2>/dev/null || true
}

# What the livepatch core does on insmod of a livepatch: the module and the
# patch directory, enabled, transition (FAKE_TRANSITION, default 0), one
# patched function; an atomic-replace patch unregisters the others.
write_fake_insmod() {
	cat >"$T/bin/insmod" <<'EOF'
#!/bin/bash
set -eu
echo "insmod $*" >>"$FAKE_CALLS"
if [[ -n ${FAKE_INSMOD_FAIL:-} ]]; then
	echo "insmod: ERROR: could not insert module $1: $FAKE_INSMOD_FAIL" >&2
	exit 1
fi
name=$(modinfo -F name "$1")
lp=$KPATCH_SYSFS/kernel/livepatch
if [[ $(modinfo -F livepatch_replace "$1") == Y ]]; then
	for d in "$lp"/*/; do [[ -d $d ]] && rm -rf "$d"; done
fi
mkdir -p "$KPATCH_SYSFS/module/$name" "$lp/$name/vmlinux/cmdline_proc_show,1"
echo 1 >"$lp/$name/enabled"
echo "${FAKE_TRANSITION:-0}" >"$lp/$name/transition"
: >"$lp/$name/signal"
: >"$lp/$name/force"
EOF
	chmod +x "$T/bin/insmod"
}

write_fake_rmmod() {
	cat >"$T/bin/rmmod" <<'EOF'
#!/bin/bash
set -eu
echo "rmmod $*" >>"$FAKE_CALLS"
if [[ -n ${FAKE_RMMOD_FAIL:-} ]]; then
	echo "rmmod: ERROR: could not remove module $1: $FAKE_RMMOD_FAIL" >&2
	exit 1
fi
[[ -d $KPATCH_SYSFS/module/$1 ]] || { echo "rmmod: ERROR: Module $1 is not currently loaded" >&2; exit 1; }
rm -rf "${KPATCH_SYSFS:?}/module/$1" "$KPATCH_SYSFS/kernel/livepatch/$1"
EOF
	chmod +x "$T/bin/rmmod"
}

# fake_module FILE-BASE RELEASE REPLACE(Y|N|-) [livepatch=Y|-] [MODINFO]: $T/mods/FILE-BASE.ko
# with the modinfo (and more MODINFO, "tag=value\0...") and the .kpatch.*
# sections of a kpatch-build module.
fake_module() {
	local base=$1 release=$2 replace=$3 livepatch=${4:-Y} more=${5:-} name info
	name=${base//-/_}
	info="name=$name\\0vermagic=$release SMP preempt mod_unload modversions \\0license=GPL"
	[[ $livepatch == - ]] || info+="\\0livepatch=$livepatch"
	[[ $replace == - ]] || info+="\\0livepatch_replace=$replace"
	[[ -z $more ]] || info+="\\0$more"
	cat >"$T/mods/$base.c" <<EOF
static const char modinfo[] __attribute__((section(".modinfo"), used, aligned(1))) = "$info";
static const char strings[] __attribute__((section(".kpatch.strings"), used)) =
	"cmdline_proc_show\\0vmlinux";
struct func { unsigned long new_func; const char *old_name, *objname; unsigned long sympos; };
static int new_cmdline_proc_show(void) { return 1; }
static const struct func funcs[] __attribute__((section(".kpatch.funcs"), used)) = {
	{ (unsigned long)new_cmdline_proc_show, strings, strings + 18, 1 } };
struct callback { void *fn; const char *objname; };
static int kpb_pre_patch(void *obj) { return 0; }
/* GCC puts a cold function in .text.unlikely.<name>, as it does some callbacks. */
__attribute__((cold)) static void kpb_post_unpatch(void *obj) { }
static const struct callback pre[] __attribute__((section(".kpatch.callbacks.pre_patch"), used)) = {
	{ kpb_pre_patch, 0 } };
static const struct callback post[] __attribute__((section(".kpatch.callbacks.post_unpatch"), used)) = {
	{ kpb_post_unpatch, 0 } };
struct state { unsigned long id, version; };
static const struct state states[] __attribute__((section(".kpatch.states"), used)) = {
	{ 0x6b7073, 2 } };
EOF
	gcc -c -O2 -ffunction-sections -fdata-sections -o "$T/mods/$base.ko" "$T/mods/$base.c"
}

# A task in /proc: pid, comm, patch_state, and a stack (kernel format).
fake_task() {
	local pid=$1 comm=$2 state=$3 fn=${4:-}
	mkdir -p "$T/proc/$pid"
	echo "$comm" >"$T/proc/$pid/comm"
	echo "$state" >"$T/proc/$pid/patch_state"
	{
		echo "[<0>] __schedule+0x2f0/0x8b0"
		[[ -z $fn ]] || echo "[<0>] $fn+0x3c/0xa0"
		echo "[<0>] do_syscall_64+0x55/0xb0"
	} >"$T/proc/$pid/stack"
}

# A loaded patch as the kernel shows it (without going through kpatch).
fake_loaded() {
	local name=$1 enabled=${2:-1} transition=${3:-0}
	mkdir -p "$T/sys/module/$name" "$T/sys/kernel/livepatch/$name/vmlinux/cmdline_proc_show,1"
	echo "$enabled" >"$T/sys/kernel/livepatch/$name/enabled"
	echo "$transition" >"$T/sys/kernel/livepatch/$name/transition"
	: >"$T/sys/kernel/livepatch/$name/signal"
	: >"$T/sys/kernel/livepatch/$name/force"
}

# The kernel completing NAME's transition once ATTR holds 1 (or at once
# with ATTR "-") after DELAY seconds; bounded, so it never outlives a test.
fake_kernel_completes() {
	local name=$1 attr=$2 delay=${3:-0} d=$T/sys/kernel/livepatch/$1
	(
		for _ in $(seq 100); do
			[[ $attr == - ]] && break
			[[ $(cat "$d/$attr" 2>/dev/null) == 1 ]] && break
			sleep 0.1
		done
		sleep "$delay"
		echo 0 >"$d/transition"
		for p in "$T"/proc/[0-9]*; do echo -1 >"$p/patch_state"; done
	) &
	KERNEL_PID=$!
}

# The kernel freeing a disabled patch a moment after its transition
# (klp_free_patch_async): the directory goes, the module stays.
fake_kernel_unregisters() {
	local d=$T/sys/kernel/livepatch/$1
	(
		for _ in $(seq 100); do
			if [[ $(cat "$d/enabled" 2>/dev/null) == 0 && $(cat "$d/transition" 2>/dev/null) == 0 ]]; then
				sleep 0.3
				rm -rf "$d"
				break
			fi
			sleep 0.1
		done
	) &
	KERNEL_PID=$!
}

calls() { cat "$FAKE_CALLS"; }

# ---- help, version, usage ----------------------------------------------------

@test "help lists every command and the exit statuses" {
	run "$KPATCH" help
	[ "$status" -eq 0 ]
	for c in load unload enable disable list info signal force install uninstall load-installed version help; do
		[[ $output == *$'\n'"  $c "* ]]
	done
	for s in 0 1 2 3 4 5 6 7 8; do [[ $output == *$'\n'"  $s  "* ]]; done
	run "$KPATCH" --help
	[ "$status" -eq 0 ]
	[[ $output == *"Usage: kpatch [options] COMMAND"* ]]
}

@test "version: the version, the same as in kpatch(8)'s footer" {
	run "$KPATCH" version
	[ "$status" -eq 0 ]
	[[ $output =~ ^kpatch\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	grep -q "^\.TH KPATCH 8 \"[0-9-]*\" \"$output\"" "$BATS_TEST_DIRNAME/../../man/kpatch.8"
	run "$KPATCH" --version
	[ "$status" -eq 0 ]
	[[ $output == "kpatch "* ]]
}

@test "usage errors: no command, unknown command or option, bad --timeout, extra or missing arguments: exit 2" {
	run "$KPATCH"
	[ "$status" -eq 2 ]
	run "$KPATCH" frobnicate
	[ "$status" -eq 2 ]
	[[ $output == *"unknown command frobnicate"* ]]
	run "$KPATCH" --frobnicate list
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option --frobnicate"* ]]
	run "$KPATCH" --timeout soon load x.ko
	[ "$status" -eq 2 ]
	[[ $output == *"--timeout needs a number of seconds"* ]]
	run "$KPATCH" unload a b
	[ "$status" -eq 2 ]
	[[ $output == *"unload takes at most 1 argument"* ]]
	for c in load unload enable disable info signal force install uninstall; do
		run "$KPATCH" "$c"
		[ "$status" -eq 2 ]
		[[ $output == *"$c needs"* ]]
	done
	[ ! -s "$FAKE_CALLS" ]
}

# ---- root, livepatch support -------------------------------------------------

@test "not root: exit 3 for every command that changes something, naming it; list, info, version work" {
	unset KPATCH_TEST_SKIP_ROOT_CHECK
	printf '#!/bin/sh\necho 1000\n' >"$T/bin/id"
	chmod +x "$T/bin/id"
	fake_loaded livepatch_foo
	for c in "load $T/mods/livepatch-foo.ko" "unload livepatch_foo" "enable livepatch_foo" \
		"disable livepatch_foo" "signal livepatch_foo" "force livepatch_foo" \
		"install $T/mods/livepatch-foo.ko" "uninstall livepatch_foo" load-installed; do
		# shellcheck disable=SC2086 # command and argument
		PATH=$T/bin:$PATH run "$KPATCH" $c
		[ "$status" -eq 3 ]
		[[ $output == *"${c%% *} needs root"* ]]
	done
	PATH=$T/bin:$PATH run "$KPATCH" list
	[ "$status" -eq 0 ]
	PATH=$T/bin:$PATH run "$KPATCH" info livepatch_foo
	[ "$status" -eq 0 ]
	[ ! -s "$FAKE_CALLS" ]
}

@test "no livepatch support (no /sys/kernel/livepatch): exit 4, naming the release" {
	rmdir "$T/sys/kernel/livepatch"
	for c in "load $T/mods/livepatch-foo.ko" "unload livepatch_foo" "enable livepatch_foo" \
		"disable livepatch_foo" "signal livepatch_foo" "force livepatch_foo"; do
		# shellcheck disable=SC2086
		run "$KPATCH" $c
		[ "$status" -eq 4 ]
		[[ $output == *"running kernel $REL has no livepatch support: $T/sys/kernel/livepatch is missing"* ]]
	done
	run "$KPATCH" list
	[ "$status" -eq 0 ]
	[[ $output == *"no livepatch support"* ]]
	[ ! -s "$FAKE_CALLS" ]
}

# ---- load ------------------------------------------------------------------

@test "load FILE: insmod, enabled, transition complete" {
	run "$KPATCH" load "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"loaded livepatch_foo from $T/mods/livepatch-foo.ko"* ]]
	[[ $output == *"livepatch_foo is enabled"* ]]
	[ "$(calls)" = "insmod $T/mods/livepatch-foo.ko" ]
	[ "$(cat "$T/sys/kernel/livepatch/livepatch_foo/enabled")" = 1 ]
}

@test "load NAME: the installed module of the running release (either spelling of the name)" {
	"$KPATCH" install "$T/mods/livepatch-foo.ko"
	run "$KPATCH" load livepatch-foo
	[ "$status" -eq 0 ]
	[ "$(calls)" = "insmod $T/lib/kpatch/$REL/livepatch-foo.ko" ]
	[ -d "$T/sys/kernel/livepatch/livepatch_foo" ]
}

@test "load: a missing FILE or an uninstalled NAME is exit 6, naming what was looked for" {
	run "$KPATCH" load "$T/mods/nosuch.ko"
	[ "$status" -eq 6 ]
	[[ $output == *"$T/mods/nosuch.ko: no such file"* ]]
	run "$KPATCH" load livepatch_nosuch
	[ "$status" -eq 6 ]
	[[ $output == *"no patch livepatch_nosuch installed for $REL in $T/lib/kpatch/$REL"* ]]
	[ ! -s "$FAKE_CALLS" ]
}

@test "load: a module built for another release (vermagic) is exit 5, naming both releases" {
	fake_module livepatch-old 6.1.0-56-cloud-amd64 Y
	run "$KPATCH" load "$T/mods/livepatch-old.ko"
	[ "$status" -eq 5 ]
	[[ $output == *"$T/mods/livepatch-old.ko was built for kernel 6.1.0-56-cloud-amd64, the running kernel is $REL"* ]]
	[ ! -s "$FAKE_CALLS" ]
}

@test "load: a module without livepatch=Y is exit 5" {
	fake_module dummy "$REL" - -
	run "$KPATCH" load "$T/mods/dummy.ko"
	[ "$status" -eq 5 ]
	[[ $output == *"$T/mods/dummy.ko is not a livepatch module"* ]]
	echo 'not an ELF file' >"$T/mods/text.ko"
	run "$KPATCH" load "$T/mods/text.ko"
	[ "$status" -eq 5 ]
	[ ! -s "$FAKE_CALLS" ]
}

@test "load: already loaded and enabled is not an error, and nothing is loaded twice" {
	"$KPATCH" load "$T/mods/livepatch-foo.ko"
	run "$KPATCH" load "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"livepatch_foo is already loaded and enabled"* ]]
	[ "$(grep -c insmod "$FAKE_CALLS")" -eq 1 ]
}

@test "load: a loaded but disabled patch (unregistered by the kernel) is removed and loaded again" {
	mkdir -p "$T/sys/module/livepatch_foo"
	run "$KPATCH" load "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"livepatch_foo is loaded but disabled: reloading it"* ]]
	[ "$(calls)" = "rmmod livepatch_foo"$'\n'"insmod $T/mods/livepatch-foo.ko" ]
}

@test "load: an atomic-replace patch while others are loaded is exit 7, naming them; nothing loaded" {
	fake_loaded livepatch_bar
	fake_loaded livepatch_baz
	run "$KPATCH" load "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 7 ]
	[[ $output == *"$T/mods/livepatch-foo.ko is an atomic-replace (cumulative) patch: loading it would disable the loaded patch(es) livepatch_bar livepatch_baz; pass --replace-ok"* ]]
	[ ! -s "$FAKE_CALLS" ]
	[ ! -d "$T/sys/kernel/livepatch/livepatch_foo" ]
}

@test "load --replace-ok: the atomic-replace patch loads and the replaced modules are removed" {
	fake_loaded livepatch_bar
	run "$KPATCH" load --replace-ok "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"replaced livepatch_bar (module removed)"* ]]
	[ "$(calls)" = "insmod $T/mods/livepatch-foo.ko"$'\n'"rmmod livepatch_bar" ]
	[ ! -d "$T/sys/module/livepatch_bar" ]
}

@test "load: a --no-replace patch (livepatch_replace=N) stacks on the loaded ones" {
	fake_loaded livepatch_foo
	run "$KPATCH" load "$T/mods/livepatch-bar.ko"
	[ "$status" -eq 0 ]
	[ -d "$T/sys/kernel/livepatch/livepatch_foo" ] && [ -d "$T/sys/kernel/livepatch/livepatch_bar" ]
	[[ $output != *replace* ]]
}

@test "load: a module that does not say whether it replaces loads with a warning naming the loaded patches" {
	fake_module livepatch-other "$REL" -
	fake_loaded livepatch_bar
	run "$KPATCH" load "$T/mods/livepatch-other.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"warning: $T/mods/livepatch-other.ko does not say whether it replaces other patches"*"livepatch_bar"* ]]
}

@test "load: insmod failing is exit 1 with insmod's message" {
	FAKE_INSMOD_FAIL="Invalid parameters" run "$KPATCH" load "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 1 ]
	[[ $output == *"insmod $T/mods/livepatch-foo.ko failed: insmod: ERROR: could not insert module $T/mods/livepatch-foo.ko: Invalid parameters"* ]]
	[[ $output == *"see dmesg"* ]]
}

@test "load waits for the transition, with a progress line, until it completes" {
	fake_task 100 bash 0
	export FAKE_TRANSITION=1
	fake_kernel_completes livepatch_foo - 1.5
	run "$KPATCH" load --timeout 20 "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"livepatch_foo: patching transition, 0s of 20s, 1 task(s) pending"* ]]
	[[ $output == *"livepatch_foo is enabled"* ]]
}

@test "load --timeout: a stuck transition is exit 8, naming the blocking tasks and suggesting signal" {
	fake_task 100 bash 1
	fake_task 200 cat 0 cmdline_proc_show
	mkdir -p "$T/proc/300/task/300" "$T/proc/300/task/301"
	echo worker >"$T/proc/300/task/301/comm"
	echo 0 >"$T/proc/300/task/301/patch_state"
	echo 1 >"$T/proc/300/task/300/patch_state"
	# A task that exits while it is looked at: no noise.
	mkdir -p "$T/proc/400/task/400"
	FAKE_TRANSITION=1 run "$KPATCH" load --timeout 1 "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 8 ]
	[[ $output != *"No such file"* ]]
	[[ $output == *"livepatch_foo: the patching transition did not complete within 1s"* ]]
	[[ $output == *"pid 200 (cat) sleeping in cmdline_proc_show"* ]]
	[[ $output == *"pid 301 (worker)"* ]]
	[[ $output != *"pid 100 "* && $output != *"pid 300 "* ]]
	[[ $output == *"kpatch signal livepatch_foo"* ]]
}

@test "a task with two patched functions on its stack: both named" {
	fake_loaded livepatch_foo 1 1
	mkdir -p "$T/sys/kernel/livepatch/livepatch_foo/vmlinux/wait_for_partner,0"
	fake_task 200 cat 0 wait_for_partner
	echo "[<0>] cmdline_proc_show+0x10/0x40" >>"$T/proc/200/stack"
	run "$KPATCH" signal --timeout 1 livepatch_foo
	[ "$status" -eq 8 ]
	[[ $output == *"pid 200 (cat) sleeping in cmdline_proc_show, wait_for_partner"* ]]
}

@test "load --timeout 0 does not wait" {
	fake_task 200 cat 0
	FAKE_TRANSITION=1 run "$KPATCH" load --timeout 0 "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"transition in progress, not waiting"* ]]
}

# ---- unload, disable, enable -------------------------------------------------

@test "unload: disables, waits until the kernel frees the patch, removes the module" {
	fake_loaded livepatch_foo
	fake_kernel_unregisters livepatch_foo
	run "$KPATCH" unload livepatch-foo
	[ "$status" -eq 0 ]
	[[ $output == *"unloaded livepatch_foo"* ]]
	[ "$(calls)" = "rmmod livepatch_foo" ]
	[ ! -d "$T/sys/module/livepatch_foo" ]
}

@test "unload: a stuck unpatching transition is exit 8 and the module stays" {
	# The kernel sets transition to 1 before the write to enabled returns.
	fake_loaded livepatch_foo 1 1
	fake_task 200 cat 1 cmdline_proc_show
	run "$KPATCH" unload --timeout 2 livepatch_foo
	[ "$status" -eq 8 ]
	[[ $output == *"unpatching transition did not complete"*"pid 200 (cat) sleeping in cmdline_proc_show"* ]]
	[ ! -s "$FAKE_CALLS" ]
}

@test "unload, disable, enable, signal, force, info: a patch that is not loaded is exit 6" {
	for c in unload disable enable signal force info; do
		run "$KPATCH" "$c" livepatch_nosuch
		[ "$status" -eq 6 ]
		[[ $output == *"patch livepatch_nosuch is "*"not loaded"* || $output == *"neither loaded nor installed"* ]]
	done
	[ ! -s "$FAKE_CALLS" ]
}

@test "unload: rmmod failing is exit 1 with its message" {
	fake_loaded livepatch_foo
	fake_kernel_unregisters livepatch_foo
	FAKE_RMMOD_FAIL="Resource temporarily unavailable" run "$KPATCH" unload livepatch_foo
	[ "$status" -eq 1 ]
	[[ $output == *"rmmod livepatch_foo failed: rmmod: ERROR: could not remove module livepatch_foo: Resource temporarily unavailable"* ]]
}

@test "disable: writes 0 to enabled, waits until the kernel frees the patch, leaves the module loaded" {
	fake_loaded livepatch_foo
	fake_kernel_unregisters livepatch_foo
	run "$KPATCH" disable livepatch_foo
	[ "$status" -eq 0 ]
	[ ! -d "$T/sys/kernel/livepatch/livepatch_foo" ]
	[[ $output == *"livepatch_foo is disabled (the module stays loaded"* ]]
	[ ! -s "$FAKE_CALLS" ]
	[ -d "$T/sys/module/livepatch_foo" ]
	# Disabling again is nothing to do.
	run "$KPATCH" disable livepatch_foo
	[ "$status" -eq 0 ]
	[[ $output == *"livepatch_foo is already disabled"* ]]
}

@test "enable: reverses an unpatching transition in progress" {
	fake_loaded livepatch_foo 0 1
	fake_kernel_completes livepatch_foo enabled
	run "$KPATCH" enable --timeout 20 livepatch_foo
	[ "$status" -eq 0 ]
	[[ $output == *"livepatch_foo is enabled"* ]]
	[ "$(cat "$T/sys/kernel/livepatch/livepatch_foo/enabled")" = 1 ]
	[ ! -s "$FAKE_CALLS" ]
}

@test "enable: a disabled patch the kernel unregistered is reloaded from its installed module" {
	"$KPATCH" install "$T/mods/livepatch-foo.ko"
	mkdir -p "$T/sys/module/livepatch_foo"
	run "$KPATCH" enable livepatch_foo
	[ "$status" -eq 0 ]
	[ "$(calls)" = "rmmod livepatch_foo"$'\n'"insmod $T/lib/kpatch/$REL/livepatch-foo.ko" ]
	[ "$(cat "$T/sys/kernel/livepatch/livepatch_foo/enabled")" = 1 ]
}

@test "enable: a disabled patch that is not installed is exit 6, saying how to load it" {
	mkdir -p "$T/sys/module/livepatch_foo"
	run "$KPATCH" enable livepatch_foo
	[ "$status" -eq 6 ]
	[[ $output == *"livepatch_foo is disabled and the kernel cannot enable it again"*"kpatch load FILE.ko"* ]]
}

# ---- signal, force ----------------------------------------------------------

@test "signal: names the blocking tasks, writes signal, waits until the transition completes" {
	fake_loaded livepatch_foo 1 1
	fake_task 200 cat 0 cmdline_proc_show
	fake_kernel_completes livepatch_foo signal
	run "$KPATCH" signal --timeout 20 livepatch_foo
	[ "$status" -eq 0 ]
	[[ $output == *"the tasks that block livepatch_foo:"*"pid 200 (cat) sleeping in cmdline_proc_show"* ]]
	[[ $output == *"sent them the fake signal"*"livepatch_foo: transition complete"* ]]
	[ "$(cat "$T/sys/kernel/livepatch/livepatch_foo/signal")" = 1 ]
}

@test "signal on a kernel without the signal attribute (5.1+): says the kernel signals by itself, and waits" {
	fake_loaded livepatch_foo 1 1
	rm "$T/sys/kernel/livepatch/livepatch_foo/signal"
	fake_task 200 cat 0 cmdline_proc_show
	fake_kernel_completes livepatch_foo - 1
	run "$KPATCH" signal --timeout 20 livepatch_foo
	[ "$status" -eq 0 ]
	[[ $output == *"pid 200 (cat) sleeping in cmdline_proc_show"* ]]
	[[ $output == *"this kernel has no $T/sys/kernel/livepatch/livepatch_foo/signal: it sends the blocking tasks the fake signal itself, every 15 s"* ]]
	[[ $output == *"livepatch_foo: transition complete"* ]]
	[ ! -e "$T/sys/kernel/livepatch/livepatch_foo/signal" ]
}

@test "signal: a transition that stays stuck is exit 8, naming the tasks again" {
	fake_loaded livepatch_foo 1 1
	fake_task 2 kthreadd 0 cmdline_proc_show
	run "$KPATCH" signal --timeout 1 livepatch_foo
	[ "$status" -eq 8 ]
	[[ $output == *"did not complete within 1s"*"pid 2 (kthreadd) sleeping in cmdline_proc_show"* ]]
	[[ $output == *"kernel threads get no fake signal"* ]]
}

@test "signal, force: no transition in progress is nothing to do" {
	fake_loaded livepatch_foo
	run "$KPATCH" signal livepatch_foo
	[ "$status" -eq 0 ]
	[[ $output == *"not in transition: no task to signal"* ]]
	run "$KPATCH" force --yes livepatch_foo
	[ "$status" -eq 0 ]
	[[ $output == *"not in transition: nothing to force"* ]]
	[ ! -s "$T/sys/kernel/livepatch/livepatch_foo/signal" ]
	[ ! -s "$T/sys/kernel/livepatch/livepatch_foo/force" ]
}

@test "force without --yes: prints the risk, writes nothing, exit 2" {
	fake_loaded livepatch_foo 1 1
	fake_task 200 cat 0 cmdline_proc_show
	run "$KPATCH" force livepatch_foo
	[ "$status" -eq 2 ]
	[[ $output == *"Unauthorized use may harm the system"* ]]
	[[ $output == *"can never be removed"* ]]
	[[ $output == *"pid 200 (cat) sleeping in cmdline_proc_show"* ]]
	[[ $output == *"add --yes once you accept the risk"* ]]
	[ ! -s "$T/sys/kernel/livepatch/livepatch_foo/force" ]
}

@test "force --yes: writes force and waits for the transition" {
	fake_loaded livepatch_foo 1 1
	fake_task 200 cat 0
	fake_kernel_completes livepatch_foo force
	run "$KPATCH" force --yes --timeout 20 livepatch_foo
	[ "$status" -eq 0 ]
	[[ $output == *"forced livepatch_foo's transition"* ]]
	[ "$(cat "$T/sys/kernel/livepatch/livepatch_foo/force")" = 1 ]
}

# ---- install, uninstall -----------------------------------------------------

@test "install: into the directory of the module's vermagic release, not loaded" {
	fake_module livepatch-next 6.1.0-58-cloud-amd64 Y
	run "$KPATCH" install "$T/mods/livepatch-next.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"installed $T/lib/kpatch/6.1.0-58-cloud-amd64/livepatch-next.ko (for kernel 6.1.0-58-cloud-amd64)"* ]]
	cmp "$T/mods/livepatch-next.ko" "$T/lib/kpatch/6.1.0-58-cloud-amd64/livepatch-next.ko"
	run "$KPATCH" install "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"not loaded yet: kpatch load livepatch_foo"* ]]
	[ -f "$T/lib/kpatch/$REL/livepatch-foo.ko" ]
	[ ! -s "$FAKE_CALLS" ]
}

@test "install: a new build of an installed patch replaces it" {
	"$KPATCH" install "$T/mods/livepatch-foo.ko"
	cp "$T/mods/livepatch-foo.ko" "$T/foo-v2.ko"
	echo 'extra' >>"$T/foo-v2.ko"
	run "$KPATCH" install "$T/foo-v2.ko"
	[ "$status" -eq 0 ]
	[ "$(find "$T/lib/kpatch/$REL" -type f | wc -l)" -eq 1 ]
	cmp "$T/foo-v2.ko" "$T/lib/kpatch/$REL/livepatch_foo.ko"
}

@test "install: a missing file is exit 6, a module that is not a livepatch exit 5, a compressed one exit 2" {
	run "$KPATCH" install "$T/mods/nosuch.ko"
	[ "$status" -eq 6 ]
	fake_module dummy "$REL" - -
	run "$KPATCH" install "$T/mods/dummy.ko"
	[ "$status" -eq 5 ]
	[[ $output == *"dummy.ko is not a livepatch module"* ]]
	run "$KPATCH" install "$T/mods/livepatch-foo.ko.xz"
	[ "$status" -eq 2 ]
	[ ! -e "$T/lib/kpatch" ] || [ -z "$(find "$T/lib/kpatch" -type f)" ]
}

@test "uninstall: removes the running release's file (or --release's); not installed is exit 6" {
	fake_module livepatch-next 6.1.0-58-cloud-amd64 Y
	"$KPATCH" install "$T/mods/livepatch-foo.ko"
	"$KPATCH" install "$T/mods/livepatch-next.ko"
	run "$KPATCH" uninstall livepatch_next
	[ "$status" -eq 6 ]
	[[ $output == *"patch livepatch_next is not installed for $REL"* ]]
	run "$KPATCH" uninstall --release 6.1.0-58-cloud-amd64 livepatch_next
	[ "$status" -eq 0 ]
	[ ! -e "$T/lib/kpatch/6.1.0-58-cloud-amd64" ]
	fake_loaded livepatch_foo
	run "$KPATCH" uninstall livepatch-foo
	[ "$status" -eq 0 ]
	[[ $output == *"uninstalled $T/lib/kpatch/$REL/livepatch-foo.ko"* ]]
	[[ $output == *"livepatch_foo is still loaded: kpatch unload livepatch_foo"* ]]
	[ ! -e "$T/lib/kpatch/$REL/livepatch-foo.ko" ]
}

# ---- load-installed (the boot unit) -------------------------------------------

@test "load-installed: nothing installed is success, even without livepatch support" {
	rmdir "$T/sys/kernel/livepatch"
	run "$KPATCH" load-installed
	[ "$status" -eq 0 ]
	[[ $output == *"no patches installed for $REL"* ]]
}

@test "load-installed: loads the running release's patches only; run again, nothing changes" {
	fake_module livepatch-next 6.1.0-58-cloud-amd64 Y
	"$KPATCH" install "$T/mods/livepatch-bar.ko"
	"$KPATCH" install "$T/mods/livepatch-next.ko"
	run "$KPATCH" load-installed
	[ "$status" -eq 0 ]
	[ "$(calls)" = "insmod $T/lib/kpatch/$REL/livepatch-bar.ko" ]
	run "$KPATCH" load-installed
	[ "$status" -eq 0 ]
	[[ $output == *"livepatch_bar is already loaded and enabled"* ]]
	[ "$(grep -c insmod "$FAKE_CALLS")" -eq 1 ]
}

@test "load-installed: one failing patch does not stop the others; the status is its failure" {
	fake_module livepatch-bad "$REL" N
	"$KPATCH" install "$T/mods/livepatch-bad.ko"
	"$KPATCH" install "$T/mods/livepatch-bar.ko"
	cat >"$T/bin/insmod-some" <<EOF
#!/bin/bash
[[ \$1 == *bad* ]] && { echo "insmod: ERROR: Unknown symbol in module" >&2; exit 1; }
exec "$T/bin/insmod" "\$@"
EOF
	chmod +x "$T/bin/insmod-some"
	KPATCH_INSMOD=$T/bin/insmod-some run "$KPATCH" load-installed
	[ "$status" -eq 1 ]
	[[ $output == *"insmod $T/lib/kpatch/$REL/livepatch-bad.ko failed"* ]]
	[ -d "$T/sys/kernel/livepatch/livepatch_bar" ]
}

@test "load-installed: kpatch.off on the kernel command line loads nothing" {
	"$KPATCH" install "$T/mods/livepatch-foo.ko"
	echo "BOOT_IMAGE=/boot/vmlinuz-$REL root=/dev/vda1 ro kpatch.off quiet" >"$T/proc/cmdline"
	run "$KPATCH" load-installed
	[ "$status" -eq 0 ]
	[[ $output == *"kpatch.off on the kernel command line"* ]]
	[ ! -s "$FAKE_CALLS" ]
	echo "BOOT_IMAGE=/boot/vmlinuz-$REL kpatch.offline=1" >"$T/proc/cmdline"
	run "$KPATCH" load-installed
	[ "$status" -eq 0 ]
	[ "$(calls)" = "insmod $T/lib/kpatch/$REL/livepatch-foo.ko" ]
}

# ---- list, info --------------------------------------------------------------

@test "list: loaded patches with their state, installed ones per release" {
	fake_module livepatch-next 6.1.0-58-cloud-amd64 Y
	"$KPATCH" install "$T/mods/livepatch-foo.ko"
	"$KPATCH" install "$T/mods/livepatch-next.ko"
	fake_loaded livepatch_foo
	fake_loaded livepatch_bar 1 1
	mkdir -p "$T/sys/module/livepatch_old" "$T/sys/module/dummy"
	run "$KPATCH" list
	[ "$status" -eq 0 ]
	[[ $output =~ livepatch_foo\ +enabled ]]
	[[ $output =~ livepatch_bar\ +enabled,\ in\ transition ]]
	[[ $output =~ livepatch_old\ +disabled\ \(module\ loaded\) ]]
	[[ $output != *dummy* ]]
	[[ $output =~ livepatch_foo\ +$REL\ \(running\ kernel,\ loaded\) ]]
	[[ $output =~ livepatch_next\ +6.1.0-58-cloud-amd64$'\n' || $output =~ livepatch_next\ +6.1.0-58-cloud-amd64$ ]]
	# Installed for the running release but not loaded: marked, no error.
	rm -r "$T/sys/kernel/livepatch/livepatch_foo" "$T/sys/module/livepatch_foo"
	run "$KPATCH" list
	[ "$status" -eq 0 ]
	[[ $output =~ livepatch_foo\ +$REL\ \(running\ kernel\) ]]
	run "$KPATCH" list --release 6.1.0-58-cloud-amd64
	[[ $output != *"livepatch_foo "*"$REL"* ]]
}

@test "list: nothing loaded, nothing installed" {
	run "$KPATCH" list
	[ "$status" -eq 0 ]
	[ "$output" = $'Loaded patches:\n  (none)\n\nInstalled patches ('"$T/lib/kpatch"$'):\n  (none)' ]
}

@test "info FILE: modinfo, declared functions, callbacks and states" {
	run "$KPATCH" info "$T/mods/livepatch-foo.ko"
	[ "$status" -eq 0 ]
	[[ $output =~ name:\ +livepatch_foo ]]
	[[ $output =~ release:\ +$REL ]]
	[[ $output =~ replace:\ +yes ]]
	[[ $output =~ function:\ +vmlinux\ cmdline_proc_show ]]
	[[ $output =~ callback:\ +pre_patch\ kpb_pre_patch ]]
	[[ $output =~ callback:\ +post_unpatch\ kpb_post_unpatch ]]
	[[ $output =~ state:\ +id\ 0x6b7073\ version\ 2 ]]
	[[ $output =~ loaded:\ +no ]]
	run "$KPATCH" info "$T/mods/livepatch-bar.ko"
	[[ $output =~ replace:\ +no ]]
}

@test "info and list: an update's versions and CVE ids (kpatch-build --update-from), none for patches" {
	fake_module livepatch-upd "$REL" Y Y 'livepatch_from=6.1.192-2\0livepatch_to=6.1.192-3\0livepatch_cves=CVE-2025-1111,CVE-2025-2222'
	run "$KPATCH" info "$T/mods/livepatch-upd.ko"
	[ "$status" -eq 0 ]
	[[ $output =~ update:\ +6\.1\.192-2\ -\>\ 6\.1\.192-3\ \(CVE-2025-1111\ CVE-2025-2222\) ]]
	"$KPATCH" install "$T/mods/livepatch-upd.ko"
	"$KPATCH" install "$T/mods/livepatch-foo.ko"
	run "$KPATCH" list
	[ "$status" -eq 0 ]
	[[ $output =~ livepatch_upd\ +$REL.*\ \(update\ 6\.1\.192-2\ -\>\ 6\.1\.192-3\ \(CVE-2025-1111\ CVE-2025-2222\)\) ]]
	[[ $(grep livepatch_foo <<<"$output") != *update* ]]
	run "$KPATCH" info "$T/mods/livepatch-foo.ko"
	[[ $output != *update:* ]]
}

@test "info NAME: a loaded patch shows its state, patched functions (sympos) and blocking tasks" {
	"$KPATCH" install "$T/mods/livepatch-foo.ko"
	fake_loaded livepatch_foo 1 1
	fake_task 200 cat 0 cmdline_proc_show
	run "$KPATCH" info livepatch_foo
	[ "$status" -eq 0 ]
	[[ $output =~ file:\ +$T/lib/kpatch/$REL/livepatch-foo.ko ]]
	[[ $output =~ loaded:\ +enabled,\ in\ transition ]]
	[[ $output =~ patched:\ +vmlinux\ cmdline_proc_show\ \(sympos\ 1\) ]]
	[[ $output =~ blocking:\ +pid\ 200\ \(cat\)\ sleeping\ in\ cmdline_proc_show ]]
}

@test "info on real kpatch-build modules, when integration runs left some" {
	local ko n=0
	while IFS= read -r ko; do
		run "$KPATCH" info "$ko"
		[ "$status" -eq 0 ]
		[[ $output =~ function:\ +vmlinux\ cmdline_proc_show ]]
		for k in pre_patch post_patch pre_unpatch post_unpatch; do
			[[ $output =~ callback:\ +$k\ kpb_$k($'\n'|$) ]]
		done
		n=$((n + 1))
	done < <(find "${KPB_CACHE:-$HOME/.cache/kpatch-build-test}/logs" -name livepatch-callbacks.ko 2>/dev/null | head -n 8)
	((n > 0)) || skip "no livepatch-callbacks.ko from an integration run"
}

# ---- the unit, the man page, the scripts ----------------------------------------

@test "kpatch.service: oneshot, stays active, runs load-installed, skipped by kpatch.off" {
	local unit=$BATS_TEST_DIRNAME/../../manager/kpatch.service
	grep -qx 'Type=oneshot' "$unit"
	grep -qx 'RemainAfterExit=yes' "$unit"
	grep -qx 'ExecStart=/usr/bin/kpatch load-installed' "$unit"
	grep -qx 'ConditionKernelCommandLine=!kpatch.off' "$unit"
	grep -qx 'WantedBy=multi-user.target' "$unit"
}

@test "kpatch.service passes systemd-analyze verify" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"
	mkdir -p "$T/unit/usr/bin"
	sed "s|/usr/bin/kpatch|$KPATCH|" "$BATS_TEST_DIRNAME/../../manager/kpatch.service" >"$T/unit/kpatch.service"
	run systemd-analyze verify --man=no "$T/unit/kpatch.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *kpatch.service* ]]
}

@test "kpatch(8) is groff -ww clean and documents every command, exit status and variable" {
	local man=$BATS_TEST_DIRNAME/../../man/kpatch.8
	run groff -ww -z -man "$man"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	for c in load unload enable disable list info signal force install uninstall load-installed; do
		grep -qE "^\.B[IR]? \"?${c/-/\\\\-}([ \"]|\$)" "$man"
	done
	for s in 0 1 2 3 4 5 6 7 8; do grep -qx ".B $s" "$man"; done
	for v in KPATCH_LIBDIR KPATCH_RELEASE KPATCH_SYSFS KPATCH_PROC KPATCH_INSMOD KPATCH_TEST_SKIP_ROOT_CHECK; do
		grep -q "$v" "$man"
	done
}

@test "the manager's scripts are shellcheck clean" {
	command -v shellcheck >/dev/null || skip "shellcheck not installed"
	cd "$BATS_TEST_DIRNAME/../.."
	run shellcheck -x manager/kpatch manager/lib/*.sh
	echo "$output"
	[ "$status" -eq 0 ]
}
