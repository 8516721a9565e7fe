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
#   kernels/<version>/boots
#       "<boot>: <t> <t>..." per line: tests that share one guest boot;
#       a test named on no line boots alone
#
# A patch with an .expect-fail must make kpatch-build fail ("status N" and
# "message <fixed string>" lines); a test whose patches all must fail has no
# guest check and boots nothing.

# shellcheck source=test/integration/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

suite_patches_dir() {
	echo "$KPB_KERNELS_DIR/$1/patches"
}

# Test names, sorted: every <t>.patch and every directory holding patches.
suite_list_tests() {
	local dir entry
	dir=$(suite_patches_dir "$1")
	for entry in "$dir"/*.patch "$dir"/*/; do
		if [[ -f "$entry" ]]; then
			basename "$entry" .patch
		elif [[ -d "$entry" ]] && compgen -G "$entry*.patch" >/dev/null; then
			basename "$entry"
		fi
	done | sort -u
}

# The test's patch files, in build order.
suite_test_patches() {
	local dir
	dir=$(suite_patches_dir "$1")
	if [[ -d "$dir/$2" ]]; then
		printf '%s\n' "$dir/$2"/*.patch
	else
		echo "$dir/$2.patch"
	fi
}

# kpatch-build -n: <t> for <t>.patch, <t>-<p> for <t>/NN-<p>.patch.
suite_module_name() {
	local test=$1 patch=$2 stem
	[[ "$(basename "$(dirname "$patch")")" == "$test" ]] || {
		echo "$test"
		return
	}
	stem=$(basename "$patch" .patch)
	echo "$test-${stem#[0-9][0-9]-}"
}

# A file that goes with a patch: <patch without .patch>.<kind>.
suite_patch_file() {
	echo "${1%.patch}.$2"
}

# A file that goes with a test: <t>.<kind> or <t>/<kind>.
suite_test_file() {
	local dir
	dir=$(suite_patches_dir "$1")
	if [[ -d "$dir/$2" ]]; then
		echo "$dir/$2/$3"
	else
		echo "$dir/$2.$3"
	fi
}

# kpatch-build options of a patch (words of its .options file, # comments).
suite_patch_options() {
	local file
	file=$(suite_patch_file "$1" options)
	[[ -f "$file" ]] || return 0
	sed 's/#.*//' "$file" | xargs -r printf '%s\n'
}

# Does the test boot a guest, i.e. does any of its patches build a module?
suite_test_boots() {
	local patch
	while IFS= read -r patch; do
		[[ -f "$(suite_patch_file "$patch" expect-fail)" ]] || return 0
	done < <(suite_test_patches "$1" "$2")
	return 1
}

# "<boot> <t>..." per boot: the lines of kernels/<version>/boots, restricted
# to the given tests, then one boot per test that no line names.
suite_boot_groups() {
	local version=$1 boots line group test
	shift
	local -A grouped=()
	boots=$KPB_KERNELS_DIR/$version/boots
	if [[ -f "$boots" ]]; then
		while IFS= read -r line; do
			line=${line%%#*}
			[[ "$line" == *:* ]] || continue
			group=${line%%:*}
			local -a members=()
			for test in ${line#*:}; do
				if printf '%s\n' "$@" | grep -qxF -- "$test"; then
					members+=("$test")
					grouped[$test]=1
				fi
			done
			((${#members[@]} == 0)) || echo "${group// /} ${members[*]}"
		done <"$boots"
	fi
	for test in "$@"; do
		[[ -n "${grouped[$test]:-}" ]] || echo "$test $test"
	done
}

# kernel modules of the target's own build that a test needs in the guest
# (<t>.guest-modules: paths relative to the kernel build dir).
suite_test_guest_modules() {
	local file path
	file=$(suite_test_file "$1" "$2" guest-modules)
	[[ -f "$file" ]] || return 0
	sed 's/#.*//; /^[[:space:]]*$/d' "$file" | while read -r path; do
		echo "$KPB_KERNEL_BUILD/$path"
	done
}

# expect_fail_field <file> status|message: the values of that kind of line.
expect_fail_field() {
	sed -n "s/^$2 //p" "$1"
}
