# shellcheck shell=bash
# kpatch-build: the originals checked (kpb-origcheck).
#
# Layer 9 (README, "Layout"): calls common.sh, module.sh (the parents'
# names) and reads diff.sh's ORIGINAL_CHECKS; called by the driver.
# Owns no state.  Reads the driver's OPT_ACCEPT_ORIGINAL.

# The original is the running code: every function the module replaces
# (and its .cold/.part pieces), as compiled from the source, must be the
# target's own, instruction by instruction (kpb-origcheck). Another
# revision's source, a config or compiler flag that differs, a distribution
# patch not applied: the module would replace code the kernel does not run.
# --accept-original FUNC lets a difference of FUNC the user has checked pass.
check_originals() {
	local entry obj orig name binary out msg status a
	local -a accept=() differ=()
	((${#ORIGINAL_CHECKS[@]})) || return 0
	for a in "${OPT_ACCEPT_ORIGINAL[@]}"; do accept+=(--accept "$a"); done
	stage "comparing the replaced functions with the target's code"
	for entry in "${ORIGINAL_CHECKS[@]}"; do
		IFS=$'\t' read -r obj orig name binary out <<<"$entry"
		status=0
		msg=$("$TOOLS_DIR/kpb-origcheck" "${accept[@]}" --funcs "$out" "$orig" "$binary" 2>&1) || status=$?
		echo "$msg" >>"$LOG"
		# Named as the user knows them: the object, and the target's
		# vmlinux or module (not the journal's or a decompressed copy).
		msg=${msg//"$orig"/$obj}
		msg=${msg//"$binary"/$(target_binary_label "$name" "$binary")}
		msg=${msg//"kpb-origcheck: "/}
		case $status in
		0) grep '^warning: ' <<<"$msg" | while IFS= read -r a; do warn "${a#warning: }"; done || true
		   note "${msg##*$'\n'}" ;;
		2) indent "$msg"; differ+=("$obj") ;;
		*) indent "$msg"; die "kpb-origcheck failed on $obj (status $status)" ;;
		esac
	done
	((${#differ[@]} == 0)) ||
		die "$EXIT_MISMATCH" "${differ[*]}: the source compiles to other code than the target runs (another source version or revision, config or compiler?); --accept-original FUNC after checking each difference"
}
