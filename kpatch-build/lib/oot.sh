# shellcheck shell=bash
# kpatch-build: patching an out-of-tree module (--oot-module, --oot-module-src).
#
# The patches apply to the module's source directory (paths relative to it).
# The target's tree is prepared as for any patch (cached); the module's
# source is copied into the run's temporary directory (the user's directory
# is never written) and built there twice with `make M=<copy> modules`
# through the driver's own kbuild command (kpb-cc, the target's compiler and
# release, -ffunction-sections -fdata-sections): as it is, then patched.
# The objects kbuild lists in <module>.mod whose patched build differs are
# diffed against the user's .ko, the klp object being the module's name.
#
# This file: the module as part of the target (the options, its name, the
# checks against the target, its symbol table); the builds and the diff
# are oot-build.sh.
#
# Layer 1, the target's facts (README, "Layout"): calls common.sh and
# target.sh (check_elf_compiler); called by patches.sh, layout.sh,
# verify.sh, oot-build.sh and the driver.
#
# Owns: OOT_KO, OOT_SRC, OOT_NAME.

OOT_KO='' OOT_SRC='' OOT_NAME=''

oot_mode() { [[ -n $OOT_KO ]]; }

# ---- checks (before anything is built) -------------------------------------
# Both options or none; a relocatable ELF module with a .modinfo; a source
# directory kbuild can build.
check_oot_options() {
	[[ -z $OPT_OOT_MODULE && -z $OPT_OOT_MODULE_SRC ]] && return 0
	[[ -n $OPT_OOT_MODULE_SRC ]] ||
		die "$EXIT_USAGE" "--oot-module needs --oot-module-src (the directory of the module's source)"
	[[ -n $OPT_OOT_MODULE ]] ||
		die "$EXIT_USAGE" "--oot-module-src needs --oot-module (the module's .ko as built for the target)"
	local ko=$OPT_OOT_MODULE src=$OPT_OOT_MODULE_SRC
	[[ -f $ko && -r $ko ]] || die "$EXIT_USAGE" "--oot-module $ko: not found or not readable"
	[[ $(readelf -h "$ko" 2>/dev/null | awk '$1 == "Type:" { print $2 }') == REL ]] ||
		die "$EXIT_USAGE" "--oot-module $ko: not an ELF relocatable object (a .ko; decompress a .ko.xz or .ko.zst first)"
	has_section "$ko" .modinfo || die "$EXIT_USAGE" "--oot-module $ko: no .modinfo section (not a kernel module)"
	[[ -n $(modinfo -F vermagic "$ko" 2>/dev/null) ]] ||
		die "$EXIT_USAGE" "--oot-module $ko: its .modinfo has no vermagic (not built by kbuild?)"
	[[ -d $src ]] || die "$EXIT_USAGE" "--oot-module-src $src: not a directory"
	[[ -f $src/Makefile || -f $src/Kbuild ]] ||
		die "$EXIT_USAGE" "--oot-module-src $src: no Makefile or Kbuild (not a module's source directory)"
	OOT_KO=$(realpath "$ko") OOT_SRC=$(realpath "$src")
	OOT_NAME=$(oot_module_name "$OOT_KO")
	debug "out-of-tree module $OOT_NAME: $OOT_KO, source $OOT_SRC"
}

# The klp object name: the module's own name (modinfo's name=, which modpost
# writes), - as _ as the kernel keeps it; else the file's name.
oot_module_name() {
	local name
	name=$(modinfo -F name "$1" 2>/dev/null) || name=''
	if [[ -z $name ]]; then
		name=$(basename "$1" .ko)
		note "$1: no name= in its .modinfo, taking $name from the file name"
	fi
	module_name_of "$name"
}

# After check_target: the module must be built for the target release, and
# by the target's compiler, or the originals compiled here would not be
# the code it runs.
check_oot_module_matches() {
	local vermagic
	oot_mode || return 0
	vermagic=$(modinfo -F vermagic "$OOT_KO")
	[[ $(vermagic_release "$vermagic") == "$TARGET_RELEASE" ]] ||
		die "$EXIT_MISMATCH" "--oot-module $OOT_KO is built for kernel $(vermagic_release "$vermagic"), the target is $TARGET_RELEASE"
	check_elf_compiler "$OOT_KO" "--oot-module $OOT_KO" "$(config_value CONFIG_CC_VERSION_TEXT "$TARGET_CONFIG")"
}

# The symbol table of the module named in a .klp.sym (verify_module).
oot_symtab_by_name() {
	oot_mode && [[ $1 == "$OOT_NAME" ]] || return 1
	echo "$OOT_KO"
}
