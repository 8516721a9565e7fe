# shellcheck shell=bash
# The livepatch test suite of one kernel line, as data under
# kernels/<version>/patches/ (see README.md, "Patch tests"):
#
#   <t>.patch [<t>.options] [<t>.expect-fail] [<t>.test] [<t>.guest-modules]
#       one patch, one module livepatch-<t>.ko
#   <t>/NN-<p>.patch [<t>/NN-<p>.options] [<t>/NN-<p>.expect-fail]
#   <t>/test [<t>/guest-modules]
#       several patches, built in NN order, one module livepatch-<t>-<p>.ko
#       each, all given to one guest check
#   <t>.oot-module-src
#       the patch is for an out-of-tree module: the file names its source
#       (relative to test/integration); the module is built for the target
#       first (lib/oot.sh), kpatch-build gets --oot-module and
#       --oot-module-src, and the guest gets the module before the test's
#   <t>.log-reports (or <t>/log-reports)
#       kernel reports the test provokes on purpose, one fixed string a line
#       (the report's first line, e.g. "UBSAN: shift-out-of-bounds in"): the
#       boot's kernel-log-clean check leaves those report blocks out
#   <t>.guest-timeout (or <t>/guest-timeout)
#       seconds the test's boot may take, if more than KPB_GUEST_TIMEOUT
#       (600; a soak's 50 rounds under software emulation)
#   <t>.test [<t>.guest-modules] (no patch)
#       a guest check of its own, e.g. of what an earlier boot of the cell
#       left on the cell's disk (see README.md, "Guest protocol")
#   kernels/<version>/boots
#       "<boot>: <t> <t>..." per line: tests that share one guest boot;
#       a test named on no line boots alone
#
# A patch with an .expect-fail must make kpatch-build fail ("status N" and
# "message <fixed string>" lines); a test whose patches all must fail has no
# guest check and boots nothing. Every function takes the test by its path
# (suite_list_tests), so one cell can draw tests from several directories.

# shellcheck source=test/integration/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The directories of a kernel line's tests: patches/ for every cell, and
# for a Debian cell debian-patches/ too.
suite_patches_dir() {
	echo "$KPB_KERNELS_DIR/$1/${2:-patches}"
}

# A test is named by its path without .patch: <dir>/<t> for <t>.patch or
# the directory <t>/. Every test of <dir>, sorted.
suite_list_tests() {
	local dir=$1 entry
	[[ -d "$dir" ]] || return 0
	for entry in "$dir"/*.patch "$dir"/*.test "$dir"/*/; do
		if [[ -f "$entry" ]]; then
			entry=${entry%.patch}
			echo "${entry%.test}"
		elif [[ -d "$entry" ]] && compgen -G "$entry*.patch" >/dev/null; then
			echo "${entry%/}"
		fi
	done | sort -u
}

suite_test_name() {
	basename "$1"
}

# The test's patch files, in build order (none for a check-only test).
suite_test_patches() {
	if [[ -d "$1" ]]; then
		printf '%s\n' "$1"/*.patch
	elif [[ -f "$1.patch" ]]; then
		echo "$1.patch"
	fi
}

# kpatch-build -n: <t> for <t>.patch, <t>-<p> for <t>/NN-<p>.patch.
suite_module_name() {
	local test=$1 patch=$2 stem
	[[ -d "$test" ]] || {
		suite_test_name "$test"
		return
	}
	stem=$(basename "$patch" .patch)
	echo "$(suite_test_name "$test")-${stem#[0-9][0-9]-}"
}

# A file that goes with a patch: <patch without .patch>.<kind>.
suite_patch_file() {
	echo "${1%.patch}.$2"
}

# A file that goes with a test: <t>.<kind> or <t>/<kind>.
suite_test_file() {
	if [[ -d "$1" ]]; then
		echo "$1/$2"
	else
		echo "$1.$2"
	fi
}

# kpatch-build options of a patch (words of its .options file, # comments).
suite_patch_options() {
	local file
	file=$(suite_patch_file "$1" options)
	[[ -f "$file" ]] || return 0
	sed 's/#.*//' "$file" | xargs -r printf '%s\n'
}

# Does the test boot a guest, i.e. does any of its patches build a module,
# or has it no patch at all (a check-only test)?
suite_test_boots() {
	local patch any=0
	while IFS= read -r patch; do
		[[ -n $patch ]] || continue
		any=1
		[[ -f "$(suite_patch_file "$patch" expect-fail)" ]] || return 0
	done < <(suite_test_patches "$1")
	((!any))
}

# suite_boot_groups <boots file>... -- <test name>...: "<boot> <t>..." per
# boot: the lines of the boots files, restricted to the given tests, then
# one boot per test that no line names.
suite_boot_groups() {
	local boots line group test
	local -a files=() members
	local -A wanted=() grouped=()
	while (($#)) && [[ "$1" != -- ]]; do
		files+=("$1")
		shift
	done
	shift
	for test in "$@"; do
		wanted[$test]=1
	done
	for boots in "${files[@]}"; do
		[[ -f "$boots" ]] || continue
		while IFS= read -r line; do
			line=${line%%#*}
			[[ "$line" == *:* ]] || continue
			group=${line%%:*}
			members=()
			for test in ${line#*:}; do
				if [[ -n "${wanted[$test]:-}" ]]; then
					members+=("$test")
					grouped[$test]=1
				fi
			done
			((${#members[@]} == 0)) || echo "${group// /} ${members[*]}"
		done <"$boots"
	done
	for test in "$@"; do
		[[ -n "${grouped[$test]:-}" ]] || echo "$test $test"
	done
}

# Modules of the target's own kernel that a test needs in the guest
# (<t>.guest-modules, one a line): paths relative to the kernel build dir
# (a tinyconfig cell) or to lib/modules/<release>/ (a Debian cell).
suite_test_guest_modules() {
	local file
	file=$(suite_test_file "$1" guest-modules)
	[[ -f "$file" ]] || return 0
	sed 's/#.*//; /^[[:space:]]*$/d' "$file"
}

# Seconds the test's boot may take (<t>.guest-timeout), or nothing.
suite_test_guest_timeout() {
	local file seconds
	file=$(suite_test_file "$1" guest-timeout)
	[[ -f "$file" ]] || return 0
	seconds=$(sed 's/#.*//; /^[[:space:]]*$/d' "$file" | head -n1 | tr -d '[:space:]')
	[[ "$seconds" =~ ^[0-9]+$ ]] || die "$file: '$seconds' is not a number of seconds"
	echo "$seconds"
}

# The source of the out-of-tree module a test patches (<t>.oot-module-src,
# relative to test/integration), or nothing.
suite_test_oot_source() {
	local file rel
	file=$(suite_test_file "$1" oot-module-src)
	[[ -f "$file" ]] || return 0
	rel=$(sed 's/#.*//; /^[[:space:]]*$/d' "$file" | head -n1)
	[[ -n "$rel" && -d "$KPB_INTEGRATION_DIR/$rel" ]] || die "$file: '$rel' is not a directory under $KPB_INTEGRATION_DIR"
	echo "$KPB_INTEGRATION_DIR/$rel"
}

# expect_fail_field <file> status|message: the values of that kind of line.
expect_fail_field() {
	sed -n "s/^$2 //p" "$1"
}
