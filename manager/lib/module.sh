# shellcheck shell=bash
# A livepatch module file: its modinfo (livepatch, name, vermagic,
# livepatch_replace; read with shlib/kmod.sh's modinfo_field and
# module_release), the checks made before loading it, and what it
# declares (patched functions, callbacks, states) read with readelf.

# The name the kernel gives the module: modinfo's name=, else the file name.
module_file_name() {
	local name
	name=$(modinfo_field "$1" name)
	[[ -n $name ]] || name=$(module_name_of "$1")
	echo "$name"
}

# kmod-template marks atomic-replace patches with livepatch_replace=Y
# (=N when built with kpatch-build --no-replace); other modules say nothing.
module_replace_flag() {
	case $(modinfo_field "$1" livepatch_replace) in
	Y) echo yes ;;
	N) echo no ;;
	*) echo unknown ;;
	esac
}

check_module_readable() {
	local file=$1
	[[ -e $file ]] || die "$EXIT_NOT_FOUND" "$file: no such file"
	[[ -f $file && -r $file ]] || die "$file: not a readable file"
	return 0
}

check_is_livepatch() {
	local file=$1
	[[ $(modinfo_field "$file" livepatch) == Y ]] ||
		die "$EXIT_WRONG_MODULE" "$file is not a livepatch module (modinfo shows no livepatch=Y; is it a kernel module at all?)"
}

# A module for another release would be refused by the kernel with a
# vermagic error at best; say so plainly before trying.
check_release_matches() {
	local file=$1 release=$2 built
	built=$(module_release "$file")
	[[ -n $built ]] || die "$EXIT_WRONG_MODULE" "$file has no vermagic (modinfo -F vermagic): not a kernel module"
	[[ $built == "$release" ]] ||
		die "$EXIT_WRONG_MODULE" "$file was built for kernel $built, the running kernel is $release"
}

# ---- what the module declares (readelf) -----------------------------------

have_readelf() { command -v "$READELF" >/dev/null 2>&1; }

# Lines of `readelf -rW FILE` in relocation section SECTION:
# "<offset> <symbol> <addend>" (offset and addend in hex).
relocations_in() {
	local file=$1 section=$2 in=0 line
	local -a f
	while IFS= read -r line; do
		if [[ $line == "Relocation section "* ]]; then
			in=0
			[[ $line == *"'$section'"* ]] && in=1
			continue
		fi
		((in)) || continue
		read -ra f <<<"$line"
		[[ ${#f[@]} -ge 7 && ${f[0]} =~ ^[0-9a-f]+$ && ${f[5]} == + ]] || continue
		echo "${f[0]} ${f[4]} ${f[6]}"
	done < <("$READELF" -rW "$file" 2>/dev/null)
}

# "<object> <function>" per .kpatch.funcs entry (32 bytes: new_func,
# old_name, objname, sympos); old_name and objname point into .kpatch.strings.
declared_functions() {
	local file=$1 line off sym addend i
	local -A str=() names=() objs=()
	while IFS= read -r line; do
		[[ $line =~ ^\ *\[\ *([0-9a-f]+)\]\ \ (.*)$ ]] || continue
		str[$((16#${BASH_REMATCH[1]}))]=${BASH_REMATCH[2]}
	done < <("$READELF" -p .kpatch.strings "$file" 2>/dev/null)
	while read -r off sym addend; do
		[[ $sym == .kpatch.strings ]] || continue
		off=$((16#$off)) addend=$((16#$addend)) i=$((off / 32))
		case $((off % 32)) in
		8) names[$i]=${str[$addend]:-?} ;;
		16) objs[$i]=${str[$addend]:-?} ;;
		esac
	done < <(relocations_in "$file" .rela.kpatch.funcs)
	for i in "${!names[@]}"; do
		echo "${objs[$i]:-vmlinux} ${names[$i]}"
	done | sort
}

readonly CALLBACK_KINDS="pre_patch post_patch pre_unpatch post_unpatch"

# "<section> <value> <name>" per FUNC symbol of FILE (value in decimal).
function_symbols() {
	local file=$1 line
	local -a f
	local -A secname=()
	while IFS= read -r line; do
		[[ $line =~ ^\ *\[\ *([0-9]+)\]\ ([^ ]+) ]] || continue
		secname[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	done < <("$READELF" -SW "$file" 2>/dev/null)
	while IFS= read -r line; do
		read -ra f <<<"$line"
		[[ ${#f[@]} -ge 8 && ${f[3]} == FUNC && ${f[6]} =~ ^[0-9]+$ ]] || continue
		echo "${secname[${f[6]}]:-?} $((16#${f[1]})) ${f[7]}"
	done < <("$READELF" -sW "$file" 2>/dev/null)
}

# "<kind> <function>" per callback entry (16 bytes: fn, objname). The
# function is named by its symbol; a relocation to a section symbol
# (.text.<name>, .text.unlikely.<name>, ...) by the function at its addend.
declared_callbacks() {
	local file=$1 kind off sym addend sec value name
	local -A func_at=()
	while read -r sec value name; do
		func_at["$sec+$value"]=$name
	done < <(function_symbols "$file")
	for kind in $CALLBACK_KINDS; do
		while read -r off sym addend; do
			(($((16#$off)) % 16 == 0)) || continue
			echo "$kind ${func_at["$sym+$((16#$addend))"]:-$sym}"
		done < <(relocations_in "$file" ".rela.kpatch.callbacks.$kind")
	done
}

# "<id> <version>" per .kpatch.states entry (16 bytes: two little-endian u64).
declared_states() {
	local file=$1 line i
	local -a words=() f
	while IFS= read -r line; do
		read -ra f <<<"$line"
		[[ ${f[0]:-} =~ ^0x[0-9a-f]+$ ]] || continue
		for ((i = 1; i <= 4 && i < ${#f[@]}; i++)); do
			[[ ${f[$i]} =~ ^[0-9a-f]{8}$ ]] && words+=("${f[$i]}")
		done
	done < <("$READELF" -x .kpatch.states "$file" 2>/dev/null)
	for ((i = 0; i + 3 < ${#words[@]}; i += 4)); do
		printf '%#x %d\n' "$(le64 "${words[i]}" "${words[i + 1]}")" "$(le64 "${words[i + 2]}" "${words[i + 3]}")"
	done
}

# Two 32-bit words of a little-endian hex dump -> the u64 they hold.
le64() {
	local lo=$1 hi=$2
	echo $((16#${hi:6:2}${hi:4:2}${hi:2:2}${hi:0:2}${lo:6:2}${lo:4:2}${lo:2:2}${lo:0:2}))
}
