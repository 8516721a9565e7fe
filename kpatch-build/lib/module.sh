# shellcheck shell=bash
# kpatch-build: from the changed objects to the installed module.
#
#   diff_objects     create-diff-object per recompiled object and parent,
#                    then the callers of untraced globals (callers.sh)
#   check_originals  kpb-origcheck: each function the outputs replace, as
#                    compiled (the original object), against the target's
#                    vmlinux or module
#   build_module     kmod-template + outputs, external module build against
#                    the prepared tree (vermagic, __versions CRCs and BTF of
#                    the target), create-klp-module
#   sign_module      scripts/sign-file with --sign-key/--sign-cert
#   verify_module    livepatch=Y, vermagic, .klp.sym resolution, exports
#   install_module   atomic rename into the output directory

declare -a OUTPUTS=()	# create-diff-object outputs
# What check_originals compares, per output:
# "OBJ<tab>ORIGINAL<tab>KLP_OBJECT<tab>BINARY<tab>OUTPUT".
declare -a ORIGINAL_CHECKS=()
INSTALL_TMP=''

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

module_name() { basename "$1" | tr - _; }

# The source file an object is built from (kpb-objmap's third column).
object_source() {
	awk -v o="$1" '$1 == o { print $3; exit }' "$TARGET_DIR/objects.map"
}

# How the patches moved the lines of a source file: "FIRST LAST DELTA"
# for every run of original lines that is DELTA lines away in the patched
# file, from `diff -U0` of ORIGINAL against PATCHED.  With it,
# create-diff-object tells a moved __LINE__ (printk's "%s (%d)", __LINE__)
# from a changed constant.
write_line_map() {
	local orig=$1 patched=$2 out=$3
	[[ -f $orig && -f $patched ]] || return 1
	diff -U0 "$orig" "$patched" | awk -v total="$(wc -l <"$orig")" '
	function emit(first, last) { if (delta != 0 && first <= last) print first, last, delta }
	/^@@ / {
		split(substr($2, 2), o, ","); split(substr($3, 2), n, ",")
		if (!(2 in o)) o[2] = 1
		if (!(2 in n)) n[2] = 1
		start = o[2] > 0 ? o[1] : o[1] + 1
		emit(cursor, start - 1)
		cursor = o[2] > 0 ? o[1] + o[2] : o[1] + 1
		delta = (n[2] > 0 ? n[1] + n[2] : n[1] + 1) - cursor
	}
	BEGIN { cursor = 1; delta = 0 }
	END { emit(cursor, total) }' >"$out"
	[[ -s $out ]]
}

# This create-diff-object knows --line-map.
cdo_has_line_map() { [[ $("$TOOLS_DIR/create-diff-object" --help) == *--line-map* ]]; }

# --line-map for OBJ when its own source was patched: the journal's
# original against the patched copy.
line_map_args() {
	local obj=$1 src map
	src=$(object_source "$obj")
	[[ -n $src && $src != - ]] || return 0
	cdo_has_line_map || return 0
	map=$TMP_DIR/outputs/$(tr / - <<<"${obj%.o}").lines
	if write_line_map "$JOURNAL/src/$src" "$COPY_DIR/$src" "$map"; then printf '%s
' --line-map "$map"; fi
}

# Every object is about to be diffed again (callers.sh).
forget_outputs() { OUTPUTS=(); ORIGINAL_CHECKS=(); }

# The livepatch object name of a parent: vmlinux or the module's name.
klp_object_name() {
	if [[ $1 == vmlinux ]]; then echo vmlinux; else module_name "$1"; fi
}

# diff_changed_object OBJ: its original against its patched build.
diff_changed_object() {
	local obj=$1 parent
	local -a args=()
	parent=${PARENT[$obj]:-}
	[[ -n $parent ]] || die "$EXIT_UNSUPPORTED" "$obj was recompiled but is not among the objects the patches affect"
	mapfile -t args < <(line_map_args "$obj"; untraced_args "$obj")
	diff_one_object "$obj" "$JOURNAL/obj/$obj" "$OBJ_DIR/$obj" "$(klp_object_name "$parent")" \
		"$(parent_symtab "$parent")" "${args[@]}"
}

diff_objects() {
	local obj nchanged=0
	stage "diffing ${#CHANGED[@]} recompiled object(s)"
	mkdir -p "$TMP_DIR/outputs"
	for obj in "${CHANGED[@]}"; do
		[[ -e $JOURNAL/obj/$obj ]] ||
			die "$EXIT_UNSUPPORTED" "$obj is a new object; new source files are not supported"
		if diff_changed_object "$obj"; then
			nchanged=$((nchanged + 1))
		fi
	done
	((nchanged)) || die "$EXIT_NO_CHANGE" "no changed functions in ${CHANGED[*]}"
	follow_untraced_callers
}

# diff_one_object OBJ ORIGINAL PATCHED KLP_OBJECT SYMTAB [create-diff-object
# options]: 0 and the output in OUTPUTS when a function changed, 1 when
# none did; a change that cannot be livepatched ends the run.
diff_one_object() {
	local obj=$1 orig=$2 patched=$3 name=$4 symtab=$5 out msg status=0
	shift 5
	local -a extra=("$@")
	((OPT_DEBUG)) && extra+=(--debug)
	out=$TMP_DIR/outputs/$(tr / - <<<"${obj%.o}")-output.o
	msg=$("$TOOLS_DIR/create-diff-object" "${extra[@]}" "$orig" "$patched" "$name" \
		"$symtab" "$OBJ_DIR/Module.symvers" "livepatch_${OPT_NAME//-/_}" "$out" 2>&1) || status=$?
	echo "$msg" >>"$LOG"
	case $status in
	0) debug "$obj ($name): changed"; check_resolved_references "$obj" "$patched" "$out"; OUTPUTS+=("$out")
	   ORIGINAL_CHECKS+=("$obj"$'\t'"$orig"$'\t'"$name"$'\t'"$symtab"$'\t'"$out"); return 0 ;;
	3) debug "$obj ($name): no change"; return 1 ;;
	2) indent "$msg"
	   die "$EXIT_UNSUPPORTED" "$obj: the change cannot be livepatched" ;;
	*) indent "$msg"
	   die "create-diff-object failed on $obj (status $status)" ;;
	esac
}

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

# "the target's nfsd.ko", "the target's vmlinux": for messages.
target_binary_label() {
	if [[ $1 == vmlinux ]]; then echo "the target's vmlinux"; else echo "the target's $1.ko"; fi
}

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

build_module() {
	local mdir=$TMP_DIR/module o names=() extra=()
	((OPT_NO_REPLACE)) && extra=(KPATCH_NO_REPLACE=y)
	stage "building livepatch-$OPT_NAME.ko from ${#OUTPUTS[@]} object(s)"
	mkdir -p "$mdir"
	cp "$TEMPLATE_DIR"/{Kbuild,kpatch.lds,kpatch-macros.h,kpatch-syscall.h,livepatch-patch.c} "$mdir/"
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

# ---- signing ---------------------------------------------------------------
check_sign_options() {
	[[ -z $OPT_SIGN_KEY && -z $OPT_SIGN_CERT ]] && return 0
	[[ -n $OPT_SIGN_KEY && -n $OPT_SIGN_CERT ]] || die "$EXIT_USAGE" "--sign-key and --sign-cert go together"
	[[ -r $OPT_SIGN_KEY ]] || die "$EXIT_USAGE" "signing key $OPT_SIGN_KEY: not found or not readable"
	[[ -r $OPT_SIGN_CERT ]] || die "$EXIT_USAGE" "signing certificate $OPT_SIGN_CERT: not found or not readable"
	command -v openssl >/dev/null || die "openssl is required to check the signing key"
	openssl x509 -noout -in "$OPT_SIGN_CERT" 2>/dev/null || openssl x509 -noout -inform DER -in "$OPT_SIGN_CERT" 2>/dev/null ||
		die "$EXIT_USAGE" "$OPT_SIGN_CERT: not an X.509 certificate (PEM or DER)"
	openssl pkey -noout -in "$OPT_SIGN_KEY" 2>/dev/null ||
		die "$EXIT_USAGE" "$OPT_SIGN_KEY: not a private key readable without a passphrase"
	OPT_SIGN_KEY=$(realpath "$OPT_SIGN_KEY") OPT_SIGN_CERT=$(realpath "$OPT_SIGN_CERT")
}

sign_module() {
	local ko=$TMP_DIR/livepatch-$OPT_NAME.ko hash
	[[ -n $OPT_SIGN_KEY ]] || return 0
	hash=$(config_value CONFIG_MODULE_SIG_HASH "$TARGET_CONFIG")
	stage "signing livepatch-$OPT_NAME.ko (${hash:-sha256})"
	[[ -x $OBJ_DIR/scripts/sign-file ]] ||
		die "$EXIT_BUILD" "$OBJ_DIR/scripts/sign-file was not built (the target has no CONFIG_MODULE_SIG_FORMAT?)"
	run_logged "$OBJ_DIR/scripts/sign-file" "${hash:-sha256}" "$OPT_SIGN_KEY" "$OPT_SIGN_CERT" "$ko" ||
		die "$EXIT_BUILD" "sign-file failed on $ko"
}

# ---- verify ----------------------------------------------------------------
verify_module() {
	local ko=$TMP_DIR/livepatch-$OPT_NAME.ko bad=0
	stage "verifying livepatch-$OPT_NAME.ko"
	[[ $(modinfo -F livepatch "$ko") == Y ]] || die "$EXIT_VERIFY" "$ko: modinfo has no livepatch=Y"
	verify_vermagic "$ko"
	readelf -sW "$ko" | awk '$7 == "UND" && $8 != "" { print $8 }' >"$TMP_DIR/undefined"
	readelf -sW "$ko" | awk '$8 ~ /^\.klp\.sym\./ { print $8 }' >"$TMP_DIR/klp-syms"
	grep -q . "$TMP_DIR/klp-syms" && ! readelf -SW "$ko" | awk '$2 ~ /^\.klp\.rela\./ || $3 ~ /^\.klp\.rela\./ { f = 1 } END { exit !f }' &&
		die "$EXIT_VERIFY" "$ko has .klp.sym symbols but no .klp.rela sections"
	verify_klp_symbols "$TMP_DIR/klp-syms" || bad=1
	verify_exports "$TMP_DIR/undefined" || bad=1
	verify_versions "$ko" "$TMP_DIR/undefined" || bad=1
	[[ -z $OPT_SIGN_KEY ]] || verify_signature "$ko" || bad=1
	((bad == 0)) || die "$EXIT_VERIFY" "$ko failed verification (see above)"
}

# The module's vermagic must be the target's own: the release, and the
# flags a module of the target carries (SMP, preempt, mod_unload, modversions).
verify_vermagic() {
	local ko=$1 vermagic want='' ref
	vermagic=$(modinfo -F vermagic "$ko")
	[[ ${vermagic%% *} == "$TARGET_RELEASE" ]] ||
		die "$EXIT_VERIFY" "$ko: vermagic '$vermagic' is not for the target's $TARGET_RELEASE"
	if ref=$(find_reference_module); then
		want=$(modinfo -F vermagic "$ref" 2>/dev/null) || want=''
	fi
	if [[ -n $want && $vermagic != "$want" ]]; then
		die "$EXIT_VERIFY" "$ko: vermagic '$vermagic' differs from the target's modules' '$want' ($ref)"
	fi
}

find_reference_module() {
	[[ -n $TARGET_MODULES && -d $TARGET_MODULES ]] || return 1
	find "$TARGET_MODULES" -type f \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) \
		! -name 'livepatch-*' -print -quit 2>/dev/null | grep .
}

# Every .klp.sym.<obj>.<name>,<pos> must resolve as the kernel will resolve
# it (kernel/livepatch/core.c klp_find_object_symbol): pos 0 means the name
# is unique in the object, pos N that there are at least N of them.
verify_klp_symbols() {
	local list=$1 s obj rest name pos symtab count bad=0
	while IFS= read -r s; do
		rest=${s#.klp.sym.}
		obj=${rest%%.*} rest=${rest#*.}
		name=${rest%,*} pos=${rest##*,}
		if [[ $obj == vmlinux ]]; then
			symtab=$TARGET_VMLINUX
		else
			symtab=$(module_symtab_by_name "$obj") || { warn "$s: module $obj not found for $TARGET_RELEASE"; bad=1; continue; }
		fi
		count=$(symbol_count "$symtab" "$name")
		if ! [[ $pos =~ ^[0-9]+$ ]]; then
			warn "$s: bad sympos"; bad=1
		elif ((pos == 0 && count != 1)) || ((pos > 0 && count < pos)); then
			warn "$s: $count symbol(s) named $name in $obj, sympos $pos does not resolve"; bad=1
		fi
	done <"$list"
	return "$bad"
}

# The symbol table of a module named in a .klp.sym (ext4, livepatch_shadow_mod).
module_symtab_by_name() {
	local name=$1 obj
	oot_symtab_by_name "$name" && return 0
	for obj in "${!PARENT[@]}"; do
		[[ ${PARENT[$obj]} != vmlinux && $(module_name "${PARENT[$obj]}") == "$name" ]] || continue
		parent_symtab "${PARENT[$obj]}"
		return 0
	done
	return 1
}

declare -A SYMTAB_CACHE=()
symbol_count() {
	local file=$1 name=$2 key
	key=$(sha256sum <<<"$file" | cut -c1-12)
	if [[ -z ${SYMTAB_CACHE[$key]:-} ]]; then
		readelf -sW "$file" | awk '$7 != "UND" && ($4 == "FUNC" || $4 == "OBJECT" || $4 == "NOTYPE") { print $8 }' \
			>"$TMP_DIR/symtab-$key"
		SYMTAB_CACHE[$key]=$TMP_DIR/symtab-$key
	fi
	grep -cxF "$name" "${SYMTAB_CACHE[$key]}" || true
}

verify_exports() {
	local list=$1 s bad=0
	awk '{ print $2 }' "$TARGET_SYMVERS" | sort -u >"$TMP_DIR/exported"
	while IFS= read -r s; do
		[[ $s == .klp.sym.* ]] && continue
		grep -qxF "$s" "$TMP_DIR/exported" || { warn "undefined symbol $s is not exported by the target"; bad=1; }
	done <"$list"
	return "$bad"
}

# MODVERSIONS: every import carries the target's CRC in __versions, or the
# kernel refuses the module ("no symbol version for ...").
verify_versions() {
	local ko=$1 list=$2 s bad=0
	[[ $(config_value CONFIG_MODVERSIONS "$TARGET_CONFIG") == y ]] || return 0
	has_section "$ko" __versions || { warn "$ko: CONFIG_MODVERSIONS=y but no __versions section"; return 1; }
	modprobe --dump-modversions "$ko" 2>/dev/null | awk '{ print $2 }' | sort -u >"$TMP_DIR/versioned"
	while IFS= read -r s; do
		[[ $s == .klp.sym.* || $s == .TOC. ]] && continue
		grep -qxF "$s" "$TMP_DIR/versioned" || { warn "$ko: no symbol version for $s"; bad=1; }
	done <"$list"
	return "$bad"
}

# The appended signature (module-signing.rst): the module, a PKCS#7
# signature, struct module_signature (12 bytes, the signature's length
# big-endian in its last 4), the 28-byte magic.  It must verify against
# the given certificate, over exactly the bytes before it.
verify_signature() {
	local ko=$1 dir=$TMP_DIR/sig size siglen start signer
	[[ $(tail -c 28 "$ko") == *'~Module signature appended~'* ]] || { warn "$ko: no signature appended"; return 1; }
	signer=$(modinfo -F signer "$ko" 2>/dev/null) || signer=''
	[[ -n $signer ]] || { warn "$ko: the signature names no signer"; return 1; }
	mkdir -p "$dir"
	size=$(stat -c %s "$ko")
	siglen=$(tail -c 32 "$ko" | head -c 4 | od -An -tu1 | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	start=$((size - 40 - siglen))
	((siglen > 0 && start > 0)) || { warn "$ko: bad signature length $siglen"; return 1; }
	head -c "$start" "$ko" >"$dir/content"
	tail -c +$((start + 1)) "$ko" | head -c "$siglen" >"$dir/sig.p7"
	openssl x509 -in "$OPT_SIGN_CERT" -out "$dir/cert.pem" 2>/dev/null ||
		openssl x509 -inform DER -in "$OPT_SIGN_CERT" -out "$dir/cert.pem"
	if ! openssl cms -verify -binary -inform DER -in "$dir/sig.p7" -content "$dir/content" \
		-certfile "$dir/cert.pem" -nointern -noverify -out /dev/null 2>>"$LOG"; then
		warn "$ko: the signature does not verify against $OPT_SIGN_CERT"
		return 1
	fi
	debug "signed by $signer, verified against $OPT_SIGN_CERT"
}

# ---- install ---------------------------------------------------------------
# -o is checked before anything is built: it exists and is writable, or can
# be created; it is created only now.
check_output_dir() {
	local d=$OPT_OUTPUT
	while [[ ! -e $d ]]; do d=$(dirname "$d"); done
	[[ -d $d ]] || die "$EXIT_USAGE" "output $OPT_OUTPUT: $d is not a directory"
	[[ -w $d ]] || die "$EXIT_USAGE" "output dir $d is not writable"
	OPT_OUTPUT=$(realpath -m "$OPT_OUTPUT")
}

# Two runs writing the same module would overwrite each other's work.
lock_output() {
	local lock
	mkdir -p "$OPT_CACHE/locks"
	lock=$OPT_CACHE/locks/$(short_sum <<<"$OPT_OUTPUT/livepatch-$OPT_NAME.ko").lock
	exec {OUTPUT_LOCK_FD}>"$lock"
	LOCK_FDS+=("$OUTPUT_LOCK_FD")
	flock -n "$OUTPUT_LOCK_FD" ||
		die "another kpatch-build is writing $OPT_OUTPUT/livepatch-$OPT_NAME.ko"
}

# shellcheck disable=SC2317 # reached through cleanup
discard_install_tmp() {
	[[ -n $INSTALL_TMP ]] && rm -f "$INSTALL_TMP"
	INSTALL_TMP=''
}

# Signals wait while the module is copied and renamed: the run ends either
# with the module in place (status 0) or with nothing left in -o.
install_module() {
	local dest=$OPT_OUTPUT/livepatch-$OPT_NAME.ko
	trap '' INT TERM HUP
	mkdir -p "$OPT_OUTPUT" || die "cannot create output dir $OPT_OUTPUT"
	INSTALL_TMP=$dest.tmp.$$
	if ! cp "$TMP_DIR/livepatch-$OPT_NAME.ko" "$INSTALL_TMP" 2>"$TMP_DIR/cp.err"; then
		die "cannot write $dest: $(sed -n 1p "$TMP_DIR/cp.err")"
	fi
	mv -f "$INSTALL_TMP" "$dest" || die "cannot rename $INSTALL_TMP to $dest"
	INSTALL_TMP=''
	stage "wrote $dest"
}
