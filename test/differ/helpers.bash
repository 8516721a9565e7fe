# Shared by the differ corpus: build one case's ORIG/PATCHED pair at test
# time (one source compiled twice, once with -DPATCHED), a parent "vmlinux"
# linked from the original objects and a Module.symvers listing the names
# the case exports (a line "// EXPORTS: a b" in the source; "// CFLAGS: ..."
# adds compiler flags; CASE_CC=clang builds the case with clang).  A test
# may set OBJCOPY_ORIG / OBJCOPY_PATCHED to objcopy options run on that
# object before the parent is linked (names another compiler would have
# given).
# shellcheck shell=bash

CASES=$BATS_TEST_DIRNAME/cases
KFLAGS=(-O2 -ffunction-sections -fdata-sections -mfentry -pg -mrecord-mcount -fno-pic
	-mcmodel=kernel -mno-red-zone -fno-asynchronous-unwind-tables -fno-common
	-fno-stack-protector -fno-jump-tables -nostdinc -w)

cdo() {
	"$KPB_BIN/create-diff-object" "$@"
}

# build_case NAME [OTHER_SOURCE...]: objects in $T, parent linked from all.
build_case() {
	local src=$CASES/$1.c
	shift
	T=$BATS_TEST_TMPDIR
	local extra cc=${CASE_CC:-gcc} flags=("${KFLAGS[@]}")
	read -ra extra <<<"$(sed -n 's|^// CFLAGS: ||p' "$src")"
	# clang records mcount locations through objtool, not the compiler.
	[[ $cc != clang ]] || flags=("${flags[@]/-mrecord-mcount/}")
	"$cc" "${flags[@]}" "${extra[@]}" -c "$src" -o "$T/orig.o"
	"$cc" "${flags[@]}" "${extra[@]}" -DPATCHED -c "$src" -o "$T/patched.o"
	rewrite_object "$T/orig.o" "${OBJCOPY_ORIG:-}"
	rewrite_object "$T/patched.o" "${OBJCOPY_PATCHED:-}"
	local others=() o
	for o in "$@"; do
		gcc "${KFLAGS[@]}" -c "$CASES/$o.c" -o "$T/$o.o"
		others+=("$T/$o.o")
	done
	ld -o "$T/vmlinux" -e 0 --unresolved-symbols=ignore-all "$T/orig.o" "${others[@]}"
	write_symvers "$src" vmlinux >"$T/Module.symvers"
}

rewrite_object() {
	local obj=$1 opts
	[[ -n $2 ]] || return 0
	read -ra opts <<<"$2"
	objcopy "${opts[@]}" "$obj"
}

write_symvers() {
	local src=$1 module=$2 sym
	for sym in $(sed -n 's|^// EXPORTS: ||p' "$src") __fentry__ __x86_return_thunk; do
		printf '0x00000000\t%s\t%s\tEXPORT_SYMBOL\t\n' "$sym" "$module"
	done
}

# run_cdo [OPTION...]: the differ on the case's pair, options first.
run_cdo() {
	run cdo "$@" "$T/orig.o" "$T/patched.o" vmlinux "$T/vmlinux" "$T/Module.symvers" test "$T/out.o"
}

# write_line_map [LINE...]: the --line-map file $T/line.map.
write_line_map() {
	printf '%s\n' '# FIRST LAST DELTA' "$@" >"$T/line.map"
}

# Symbol names of the output, with their type, bind and section index.
out_symbols() {
	readelf -sW "$T/out.o" | awk 'NR > 3 { print $4, $5, $7, $8 }'
}

# carried FUNC: the output defines FUNC as a new local function, neither
# patched nor referred to in the kernel.
carried() {
	out_symbols | grep -q "FUNC LOCAL [0-9]* $1\$" &&
		! out_funcs | grep -q " $1 " && ! out_symbols | grep -q "klp\.sym\.vmlinux\.$1,"
}

out_relocs() {
	readelf -rW "$T/out.o"
}

out_sections() {
	readelf -SW "$T/out.o"
}

# The .kpatch.funcs entries, one "objname old_name sympos new_symbol" a line.
out_funcs() {
	local o=$T/out.o off
	off=$(readelf -SW "$o" | sed 's/\[ */[/' | awk '$2 == ".kpatch.funcs" { print $5 }')
	[[ -n $off ]] || return 0
	declare -A str
	local k v
	while read -r k v; do str[$k]=$v; done < <(readelf -p .kpatch.strings "$o" |
		sed -n 's/^ *\[ *\([0-9a-f]*\)\] *\(.*\)$/\1 \2/p')
	readelf -rW "$o" | awk '/^Relocation section/ { cur = $3; next } cur == "'"'"'.rela.kpatch.funcs'"'"'" && NF >= 7 && $1 ~ /^[0-9a-f]+$/ { print $1, $5, $7 }' |
		while read -r roff sym add; do
			roff=$((16#$roff))
			case $((roff % 32)) in
			0) new=$sym ;;
			8) old=${str[$(printf %x $((16#$add)))]} ;;
			16)
				obj=${str[$(printf %x $((16#$add)))]}
				pos=$(od -An -t u8 -j $((16#$off + roff + 8)) -N 8 "$o" | tr -d ' ')
				echo "$obj $old $pos $new"
				;;
			esac
		done
}
