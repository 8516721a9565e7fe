# shellcheck shell=bash
# kpatch-build: the built module verified before it is installed:
# livepatch=Y, vermagic, .klp.sym resolution, exports, __versions, the
# signature.
#
# Layer 12 (README, "Layout"): calls common.sh, target.sh, oot.sh and
# module.sh (the symbol tables of vmlinux and the modules), reads build.sh's
# PARENT; called by the driver.
#
# Owns: SYMTAB_CACHE.

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
	[[ $(vermagic_release "$vermagic") == "$TARGET_RELEASE" ]] ||
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
		[[ ${PARENT[$obj]} != vmlinux && $(module_name_of "${PARENT[$obj]}") == "$name" ]] || continue
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
