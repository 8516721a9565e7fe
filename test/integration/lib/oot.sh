# shellcheck shell=bash
# An out-of-tree module built as its user builds it, for kpatch-build
# --oot-module (test/integration/oot/, the Debian cells' oot-module test):
#
#   oot_build_user_module <source dir> <build dir> <release> <config>
#
# copies the source to <build dir> and runs `make -C <tree> M=<build dir>
# modules` there, <tree> being the tree kpatch-build prepared for that
# release and config (the newest in KPATCH_BUILD_CACHE, else
# ~/.cache/kpatch-build; some kpatch-build for the target must have run),
# with the target's compiler, its make variables (LLVM=1 for a clang
# target) and release. Prints the .ko built (the one
# module the source builds); on failure prints why and returns 1.

# The newest tree kpatch-build prepared for <release> and <config>.
oot_prepared_tree() {
	local release=$1 config t best=''
	local cache=${KPATCH_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpatch-build}
	config=$(realpath "$2")
	for t in "$cache"/targets/"$release"-*/; do
		[[ -e $t/.kpb-prepared && -f $t/obj/Makefile ]] || continue
		grep -qxF "config $config" "$t/key.txt" || continue
		[[ -z $best || $t/.kpb-prepared -nt $best/.kpb-prepared ]] && best=${t%/}
	done
	if [[ -z $best ]]; then
		echo "no tree prepared for $release (config $config) in $cache: run kpatch-build for this target first"
		return 1
	fi
	echo "$best"
}

oot_build_user_module() {
	local src=$1 dir=$2 release=$3 config=$4 tree cc lock ko vars=()
	tree=$(oot_prepared_tree "$release" "$config") || { echo "$tree"; return 1; }
	cc=$(sed -n 's/^compiler \([^ ]*\) .*/\1/p' "$tree/key.txt")
	read -r -a vars <<<"$(sed -n 's/^make //p' "$tree/key.txt")"
	# The source copy's lock: no kpatch-build patches its headers meanwhile.
	lock=$(dirname "$(dirname "$(readlink "$tree/obj/source")")").lock
	rm -rf "$dir"
	mkdir -p "$(dirname "$dir")"
	cp -r "$src" "$dir"
	if ! flock "$lock" make -C "$tree/obj" M="$dir" "${vars[@]}" CC="$cc" KERNELRELEASE="$release" \
		-j1 modules >"$dir.build.log" 2>&1; then
		echo "building $src for $release against $tree/obj failed (see $dir.build.log)"
		return 1
	fi
	oot_built_module "$dir" || { echo "the build of $src in $dir wrote no module"; return 1; }
}

# The .ko an earlier oot_build_user_module built in <build dir>: the first
# of its modules.order (.ko up to 6.1, .o since; absolute paths up to 6.12).
oot_built_module() {
	local dir=$1 ko
	[[ -f $dir/modules.order ]] || return 1
	ko=$(sed -n '1{s/\.o$/.ko/;p}' "$dir/modules.order")
	[[ $ko == /* ]] || ko=$dir/$ko
	[[ -f $ko ]] || return 1
	echo "$ko"
}
