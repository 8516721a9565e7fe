# shellcheck shell=bash
# kpatch-build: the livepatch module built: kmod-template and the outputs,
# an external module build against the prepared tree (vermagic, __versions
# CRCs and BTF of the target), then create-klp-module.
#
# Layer 10 (README, "Layout"): calls common.sh, target.sh (the config),
# triage.sh (an update's modinfo), build.sh (kbuild) and reads diff.sh's
# OUTPUTS; called by the driver.
# Owns no state (writes $TMP_DIR/livepatch-NAME.ko).  Constant:
# OBJTOOL_LINK_SECTIONS.

# Sections objtool writes from what it finds in the code. Where the kernel
# runs objtool when a module is linked (X86_KERNEL_IBT, LTO_CLANG), a changed
# module object (e.g. samples/livepatch/livepatch-shadow-mod.o) already has
# them, and objtool at the livepatch module's link then skips the section
# ("file already has .return_sites, skipping"): the template's own returns
# stay unpatched and 6.12 warns "Unpatched return thunk in use". Dropping
# them lets objtool write them anew for the whole module.
readonly OBJTOOL_LINK_SECTIONS=(.return_sites .call_sites .retpoline_sites .ibt_endbr_seal
	.orc_unwind .orc_unwind_ip .static_call_sites)

objtool_runs_at_module_link() {
	[[ $(config_value CONFIG_X86_KERNEL_IBT "$TARGET_CONFIG") == y ||
		$(config_value CONFIG_LTO_CLANG "$TARGET_CONFIG") == y ]]
}

drop_objtool_sections() {
	local obj=$1 sec args=()
	for sec in "${OBJTOOL_LINK_SECTIONS[@]}"; do
		args+=(--remove-section="$sec" --remove-section=".rela$sec")
	done
	objcopy "${args[@]}" "$obj" || die "$EXIT_BUILD" "objcopy failed on $obj"
}

# modpost reads each object's .cmd file for the CRCs of what it exports
# (MODVERSIONS); the outputs export nothing and were built by no command.
add_prebuilt_object() {
	local mdir=$1 o=$2 base
	base=$(basename "$o")
	cp "$o" "$mdir/"
	objtool_runs_at_module_link && drop_objtool_sections "$mdir/$base"
	printf 'cmd_%s := prebuilt by create-diff-object\n' "$base" >"$mdir/.$base.cmd"
}

# An update's versions and CVE ids as modinfo (livepatch_from=,
# livepatch_to=, livepatch_cves=): livepatch-update.c, linked in with
# KPATCH_UPDATE=y; nothing for a build of patches.
write_update_modinfo() {
	local mdir=$1 tag value
	[[ -n $(update_modinfo) ]] || return 1
	{
		echo '/* kpatch-build --update-from: what this livepatch carries (modinfo) */'
		echo '#include <linux/module.h>'
		update_modinfo | while read -r tag value; do
			printf 'MODULE_INFO(%s, "%s");\n' "$tag" "$value"
		done
	} >"$mdir/livepatch-update.c"
}

build_module() {
	local mdir=$TMP_DIR/module o names=() extra=()
	((OPT_NO_REPLACE)) && extra=(KPATCH_NO_REPLACE=y)
	stage "building livepatch-$OPT_NAME.ko from ${#OUTPUTS[@]} object(s)"
	drop_from_kept_tmp module
	mkdir -p "$mdir"
	cp "$TEMPLATE_DIR"/{Kbuild,kpatch.lds,kpatch-macros.h,kpatch-syscall.h,livepatch-patch.c} "$mdir/"
	if write_update_modinfo "$mdir"; then extra+=(KPATCH_UPDATE=y); fi
	for o in "${OUTPUTS[@]}"; do
		add_prebuilt_object "$mdir" "$o"
		names+=("$(basename "$o")")
	done
	kbuild M="$mdir" KBUILD_MODPOST_WARN=1 KPATCH_NAME="$OPT_NAME" KPATCH_OBJS="${names[*]}" \
		"${extra[@]}" modules ||
		die "$EXIT_BUILD" "livepatch module build failed"
	# .klp.sym.* are undefined for modpost by design (KBUILD_MODPOST_WARN);
	# verify_module checks every other import against the target.
	grep -E '^(WARNING|ERROR): modpost' "$LOG" | grep -v '"\.klp\.sym\.' | sed -n 1,10p |
		while IFS= read -r o; do warn "$o"; done || true
	run_logged "$TOOLS_DIR/create-klp-module" "$mdir/livepatch-$OPT_NAME.ko" "$TMP_DIR/livepatch-$OPT_NAME.ko" ||
		die "$EXIT_BUILD" "create-klp-module failed"
}
