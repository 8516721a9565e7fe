# shellcheck shell=bash
# kpatch-build: the parents of the patched objects, as the diff, the checks
# and the verification name them: vmlinux or a module of the target, its
# livepatch object name, its symbol table.  (What was here before: the
# diff is diff.sh, the originals origcheck.sh, the module build kmod.sh,
# signing sign.sh, verification verify.sh, install install.sh.)
#
# Layer 1, the target's facts (README, "Layout"): calls target.sh (the
# target's modules); called by diff.sh, callers.sh, oot-build.sh,
# origcheck.sh and verify.sh.  Owns no state.

# The symbol table create-diff-object resolves against: vmlinux, or the
# target's module (decompressed).
parent_symtab() {
	local parent=$1
	if [[ $parent == vmlinux ]]; then
		echo "$TARGET_VMLINUX"
	else
		target_module_symtab "$parent"
	fi
}

# The livepatch object name of a parent: vmlinux or the module's name.
klp_object_name() {
	if [[ $1 == vmlinux ]]; then echo vmlinux; else module_name_of "$1"; fi
}

# "the target's nfsd.ko", "the target's vmlinux": for messages.
target_binary_label() {
	if [[ $1 == vmlinux ]]; then echo "the target's vmlinux"; else echo "the target's $1.ko"; fi
}
