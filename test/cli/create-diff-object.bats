#!/usr/bin/env bats
# create-diff-object and create-klp-module on the command line: usage, exit
# statuses and every class of bad input.  Each bad input must give one clear
# message naming the file, exit 1, and leave no output behind.

setup() {
	T=$BATS_TEST_TMPDIR
	CDO=$KPB_BIN/create-diff-object
	CKM=$KPB_BIN/create-klp-module
	printf 'int f(int x) { return x + 1; }\n' >"$T/a.c"
	gcc -O2 -ffunction-sections -mfentry -pg -c "$T/a.c" -o "$T/good.o"
	ld -o "$T/vmlinux" -e 0 --unresolved-symbols=ignore-all "$T/good.o"
	: >"$T/Module.symvers"
}

# run_bad INPUT: run the differ with INPUT as the patched object.
run_bad() {
	run "$CDO" "$T/good.o" "$1" vmlinux "$T/vmlinux" "$T/Module.symvers" test "$T/out.o"
}

# Poke BYTES (printf escapes) at OFFSET into a copy of good.o named NAME.
corrupt() {
	local name=$1 offset=$2 bytes=$3
	cp "$T/good.o" "$T/$name"
	printf "$bytes" | dd of="$T/$name" bs=1 seek="$offset" conv=notrunc status=none
}

shdr_field_offset() { # section index, field offset within Elf64_Shdr
	local shoff
	shoff=$(od -An -t u8 -j 40 -N 8 "$T/good.o" | tr -d ' ')
	echo $((shoff + $1 * 64 + $2))
}

# File offset of section NAME's contents in good.o.
section_data_offset() {
	od -An -t u8 -j "$(shdr_field_offset "$(section_index "$1")" 24)" -N 8 "$T/good.o" | tr -d ' '
}

section_index() { # NAME [OBJECT, default good.o]
	readelf -SW "${2:-$T/good.o}" | sed 's/\[ */[/' | awk -v n="$1" '$2 == n { gsub(/[][]/, "", $1); print $1 }'
}

@test "--help prints usage with the exit statuses" {
	run "$CDO" --help
	[ "$status" -eq 0 ]
	[[ $output == *"Usage: create-diff-object"* ]]
	[[ $output == *"3 no changes"* ]]
	[[ $output == *"--line-map FILE"*"FIRST LAST DELTA"* ]]
}

@test "wrong number of arguments: usage, exit 1" {
	run "$CDO" "$T/good.o"
	[ "$status" -eq 1 ]
	[[ $output == *"expected 7 arguments, got 1"* ]]
}

@test "unknown --debug category is refused" {
	run "$CDO" --debug=bogus a b c d e f g
	[ "$status" -eq 1 ]
	[[ $output == *"unknown category in 'bogus'"* ]]
}

@test "missing file" {
	run_bad "$T/nope.o"
	[ "$status" -eq 1 ]
	[[ $output == *"nope.o: cannot open: No such file or directory"* ]]
	[ ! -e "$T/out.o" ]
}

@test "not an ELF file" {
	echo "hello" >"$T/text.o"
	run_bad "$T/text.o"
	[ "$status" -eq 1 ]
	[[ $output == *"text.o: not an ELF file"* ]]
}

@test "random bytes" {
	head -c 4096 /dev/urandom >"$T/random.o"
	printf '\177ELF' | dd of="$T/random.o" conv=notrunc status=none
	run_bad "$T/random.o"
	[ "$status" -eq 1 ]
	[[ $output == *"random.o: "* ]]
	[ ! -e "$T/out.o" ]
}

@test "truncated object" {
	head -c 200 "$T/good.o" >"$T/trunc.o"
	run_bad "$T/trunc.o"
	[ "$status" -eq 1 ]
	[[ $output == *"trunc.o: "* ]]
	[ ! -e "$T/out.o" ]
}

@test "not x86_64" {
	corrupt arm.o 18 '\267\000'
	run_bad "$T/arm.o"
	[ "$status" -eq 1 ]
	[[ $output == *"arm.o: not an x86_64 object (e_machine 183)"* ]]
}

@test "not ET_REL" {
	run_bad "$T/vmlinux"
	[ "$status" -eq 1 ]
	[[ $output == *"vmlinux: not a relocatable object (e_type 2, expected ET_REL)"* ]]
}

@test "32-bit object" {
	corrupt elf32.o 4 '\001'
	run_bad "$T/elf32.o"
	[ "$status" -eq 1 ]
	[[ $output == *"elf32.o: "* ]]
}

@test "section link out of range" {
	local rela
	rela=$(section_index .rela.text.f)
	corrupt badlink.o "$(shdr_field_offset "$rela" 40)" '\377\000\000\000'
	run_bad "$T/badlink.o"
	[ "$status" -eq 1 ]
	[[ $output == *"badlink.o: section .rela.text.f: sh_link 255 out of range"* ]]
}

@test "relocation symbol index out of range" {
	local off
	off=$(section_data_offset .rela.text.f)
	corrupt badsym.o $((off + 12)) '\377\377\000\000'
	run_bad "$T/badsym.o"
	[ "$status" -eq 1 ]
	[[ $output == *"badsym.o: section .rela.text.f: relocation 0: symbol index 65535 out of range"* ]]
}

@test "relocation outside its section" {
	local off
	off=$(section_data_offset .rela.text.f)
	corrupt badoff.o "$off" '\377\377\000\000'
	run_bad "$T/badoff.o"
	[ "$status" -eq 1 ]
	[[ $output == *"badoff.o: section .rela.text.f: relocation at offset 0xffff is outside .text.f"* ]]
}

@test "symbol section index out of range" {
	local off
	off=$(section_data_offset .symtab)
	# Symbol f: its st_shndx is at +6 in its 24-byte entry.
	local idx
	idx=$(readelf -sW "$T/good.o" | awk '$8 == "f" { sub(":", "", $1); print $1 }')
	corrupt badshndx.o $((off + idx * 24 + 6)) '\000\376'
	run_bad "$T/badshndx.o"
	[ "$status" -eq 1 ]
	[[ $output == *"badshndx.o: symbol f: section index 65024 out of range"* ]]
}

@test "bad parent symbol table and Module.symvers are named" {
	echo "garbage" >"$T/bad.symtab"
	run "$CDO" "$T/good.o" "$T/good.o" vmlinux "$T/bad.symtab" "$T/Module.symvers" test "$T/out.o"
	[ "$status" -eq 1 ]
	[[ $output == *"bad.symtab"* ]]
	printf 'not a symvers line\n' >"$T/bad.symvers"
	run "$CDO" "$T/good.o" "$T/good.o" vmlinux "$T/vmlinux" "$T/bad.symvers" test "$T/out.o"
	[ "$status" -eq 1 ]
	[[ $output == *"bad.symvers:1:"* ]]
}

@test "unwritable output: error, no temporary file left" {
	mkdir "$T/ro"
	mkdir "$T/p"
	printf 'int f(int x) { return x + 2; }\n' >"$T/p/a.c"
	gcc -O2 -ffunction-sections -mfentry -pg -c "$T/p/a.c" -o "$T/b.o"
	chmod 500 "$T/ro"
	run "$CDO" "$T/good.o" "$T/b.o" vmlinux "$T/vmlinux" "$T/Module.symvers" test "$T/ro/out.o"
	chmod 700 "$T/ro"
	if [ "$(id -u)" -eq 0 ]; then
		# root writes anyway: the output must then be complete.
		[ "$status" -eq 0 ]
		readelf -h "$T/ro/out.o" >/dev/null
	else
		[ "$status" -eq 1 ]
		[[ $output == *"cannot create"* ]]
	fi
	[ -z "$(find "$T/ro" -name '*.tmp.*')" ]
}

@test "create-klp-module: usage and bad input" {
	run "$CKM"
	[ "$status" -eq 1 ]
	[[ $output == *"Usage: create-klp-module"* ]]
	run "$CKM" "$T/a.c" "$T/out.ko"
	[ "$status" -eq 1 ]
	[[ $output == *"a.c: not an ELF file"* ]]
	[ ! -e "$T/out.ko" ]
}

@test "create-klp-module: klp relocations move to .klp.rela sections, symbols to SHN_LIVEPATCH" {
	cat >"$T/m.c" <<'SRC'
extern int hidden_fn(int);
extern int exported_fn(int);
int patched(int x) { return hidden_fn(x) + exported_fn(x); }
SRC
	gcc -O2 -ffunction-sections -c "$T/m.c" -o "$T/m.o"
	objcopy --redefine-sym hidden_fn=.klp.sym.vmlinux.hidden_fn,0 "$T/m.o" "$T/m.ko"
	run "$CKM" "$T/m.ko" "$T/out.ko"
	[ "$status" -eq 0 ]
	readelf -SW "$T/out.ko" | grep -E '\.klp\.rela\.vmlinux\.text\.patched +RELA .* AIo '
	readelf -sW "$T/out.ko" | grep -E 'GLOBAL DEFAULT +OS \[0xff20\] \.klp\.sym\.vmlinux\.hidden_fn,0'
	readelf -rW "$T/out.ko" | awk '/^Relocation section .\.rela\.text\.patched/ { f = 1; next } /^Relocation/ { f = 0 } f' | grep -q exported_fn
	! readelf -rW "$T/out.ko" | awk '/^Relocation section .\.rela\.text\.patched/ { f = 1; next } /^Relocation/ { f = 0 } f' | grep -q hidden_fn || false
}

@test "create-klp-module: malformed .klp.sym name is refused" {
	printf 'extern int g(int); int p(int x) { return g(x); }\n' >"$T/n.c"
	gcc -O2 -c "$T/n.c" -o "$T/n.o"
	objcopy --redefine-sym g=.klp.sym.nodot "$T/n.o" "$T/n.ko"
	run "$CKM" "$T/n.ko" "$T/out.ko"
	[ "$status" -eq 1 ]
	[[ $output == *"symbol .klp.sym.nodot: expected .klp.sym.<obj>.<name>,<sympos>"* ]]
	[ ! -e "$T/out.ko" ]
}

@test "a symbol defined in a relocation section is refused (fuzzer regression)" {
	local off idx rela
	rela=$(section_index .rela.text.f)
	off=$(section_data_offset .symtab)
	idx=$(readelf -sW "$T/good.o" | awk '$8 == "f" { sub(":", "", $1); print $1 }')
	corrupt inrela.o $((off + idx * 24 + 6)) "$(printf '\\%03o\\000' "$rela")"
	run_bad "$T/inrela.o"
	[ "$status" -eq 1 ]
	[[ $output == *"inrela.o: symbol f is defined in section .rela.text.f, which holds no code or data"* ]]
}

@test "a relocation section named as a patch section is refused (fuzzer regression)" {
	local o=$T/cb/a.o shoff rela cb name
	mkdir "$T/cb"
	printf '%s\n' 'int f(int x) { return x + 2; }' 'static void cb(void) {}' \
		'void *pre __attribute__((section(".kpatch.callbacks.pre_patch"), used)) = cb;' >"$T/cb/a.c"
	(cd "$T/cb" && gcc -O2 -ffunction-sections -mfentry -pg -c a.c -o a.o)
	shoff=$(od -An -t u8 -j 40 -N 8 "$o" | tr -d ' ')
	rela=$(section_index .rela.text.f "$o")
	cb=$(section_index .kpatch.callbacks.pre_patch "$o")
	# .rela.text.f takes the callbacks section's sh_name: a SHT_RELA patch section.
	name=$(od -An -t x1 -j $((shoff + cb * 64)) -N 4 "$o" | sed 's/ /\\x/g')
	printf "$name" | dd of="$o" bs=1 seek=$((shoff + rela * 64)) conv=notrunc status=none
	run_bad "$o"
	[ "$status" -eq 1 ]
	[[ $output == *"cb/a.o: section .kpatch.callbacks.pre_patch: a patch section must be SHT_PROGBITS, not type 4"* ]]
	[ ! -e "$T/out.o" ]
}
