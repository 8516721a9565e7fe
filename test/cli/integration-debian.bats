#!/usr/bin/env bats
# test/integration/lib/debian.sh: which source and image a Debian cell takes
# when Debian has published a source whose signed images are not out yet.
# apt-cache, apt-get and dpkg-query are fakes that answer from files.

setup() {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/bin"
	# apt-cache: madison and search/show from $T/madison, $T/images
	cat >"$T/bin/apt-cache" <<'SH'
#!/usr/bin/env bash
case $1 in
madison) awk -v p="$2" '{ printf "%s | %s | http://deb.debian.org/debian-security bookworm-security/main all Packages\n", p, $1 }' "$FAKE/madison" ;;
search) awk '{ print $1 " - Linux (signed)" }' "$FAKE/images" | sort -u ;;
show) shift; for p in "$@"; do awk -v p="$p" '$1 == p { printf "Package: %s\nVersion: %s\n\n", $1, $2 }' "$FAKE/images"; done ;;
*) exit 100 ;;
esac
SH
	printf '#!/bin/sh\necho "apt-get $*" >>"$FAKE/apt-get.log"\n' >"$T/bin/apt-get"
	printf '#!/bin/sh\ncat "$FAKE/installed"\n' >"$T/bin/dpkg-query"
	chmod +x "$T/bin/"*
	export FAKE=$T PATH=$T/bin:$PATH KPB_CACHE=$T/cache
	# shellcheck source=test/integration/lib/debian.sh
	source "$BATS_TEST_DIRNAME/../integration/lib/debian.sh"
	printf '%s\n' 6.12.118-1~deb12u1 6.12.117-1~deb12u1 6.12.115-2~deb12u1 >"$T/madison"
	printf '%s\n' 'linux-image-6.12.117+deb12-cloud-amd64 6.12.117-1~deb12u1' \
		'linux-image-6.12.115+deb12-cloud-amd64 6.12.115-2~deb12u1' \
		'linux-image-6.12.113+deb12-cloud-amd64 6.12.113-1~deb12u1' >"$T/images"
}

@test "the newest source with a signed image: not a newer source whose images are not out" {
	run debian_imaged_source_version 6.12 cloud-amd64
	[ "$status" -eq 0 ]
	[ "$output" = 6.12.117-1~deb12u1 ]
}

@test "versions compare as Debian's: 6.12.117 is newer than 6.12.115-2 and 6.12.99" {
	printf '%s\n' 6.12.99-9~deb12u1 6.12.115-2~deb12u1 6.12.117-1~deb12u1 >"$T/madison"
	echo 'linux-image-6.12.99+deb12-cloud-amd64 6.12.99-9~deb12u1' >>"$T/images"
	[ "$(debian_imaged_source_version 6.12 cloud-amd64)" = 6.12.117-1~deb12u1 ]
}

@test "no source version with an image: nothing, and the cell's refusal says so" {
	echo 'linux-image-6.12.100+deb12-cloud-amd64 6.12.100-1~deb12u1' >"$T/images"
	[ -z "$(debian_imaged_source_version 6.12 cloud-amd64)" ]
	echo 6.12.118-1~deb12u1 >"$T/installed"
	run debian_resolve_image 6.12 cloud-amd64 6.12.118-1~deb12u1
	[ "$status" -eq 1 ]
	[[ $output == *"no linux-image-6.12*-cloud-amd64 of version 6.12.118-1~deb12u1 in apt's sources (linux-source-6.12 is 6.12.118-1~deb12u1), nor of any version"* ]]
}

@test "an installed source without an image: the cell refuses, naming the version to install" {
	run debian_resolve_image 6.12 cloud-amd64 6.12.118-1~deb12u1
	[ "$status" -eq 1 ]
	[[ $output == *"linux-source-6.12 6.12.118-1~deb12u1 is installed, but apt has no signed linux-image-6.12*-cloud-amd64 of that version"* ]]
	[[ $output == *"the newest source with an image is 6.12.117-1~deb12u1: run test/install-deps"* ]]
	grep -qx 'apt-get update' "$T/apt-get.log"
}

@test "an installed source with an image: its image" {
	run debian_resolve_image 6.12 cloud-amd64 6.12.117-1~deb12u1
	[ "$status" -eq 0 ]
	[ "$output" = linux-image-6.12.117+deb12-cloud-amd64 ]
	[ ! -e "$T/apt-get.log" ]
}

@test "the target is not prepared when the image cannot be resolved: no download, no unbound variable" {
	echo 6.12.118-1~deb12u1 >"$T/installed"
	run bash -c 'source "$0"; (debian_prepare_target 6.12 cloud-amd64; echo "went on") || echo stopped' \
		"$BATS_TEST_DIRNAME/../integration/lib/debian.sh"
	[[ $output == *"the newest source with an image is 6.12.117-1~deb12u1"* ]]
	[[ $output == *stopped* ]]
	[[ $output != *"went on"* ]]
	[[ $output != *unbound* ]]
	! grep -q download "$T/apt-get.log" || false
}

# make_deb NAME DIR: a .deb of DIR's files (data.tar in DIR's order).
make_deb() {
	mkdir -p "$2/DEBIAN"
	printf 'Package: %s\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: t\n' "$1" >"$2/DEBIAN/control"
	dpkg-deb --root-owner-group -Zgzip --build "$2" "$T/$1.deb" >/dev/null
}

@test "the -dbg package gives its vmlinux alone; one without it is refused, naming both" {
	rel=6.1.0-57-cloud-amd64
	mkdir -p "$T/img/boot" "$T/hdr/usr/src/linux-headers-$rel" "$T/dbg/usr/lib/debug/boot" "$T/dbg/usr/lib/debug/lib/modules/$rel"
	echo image >"$T/img/boot/vmlinuz-$rel"
	echo symvers >"$T/hdr/usr/src/linux-headers-$rel/Module.symvers"
	echo elf >"$T/dbg/usr/lib/debug/boot/vmlinux-$rel"
	head -c 1M /dev/zero >"$T/dbg/usr/lib/debug/lib/modules/$rel/big.ko"
	make_deb img "$T/img"
	make_deb hdr "$T/hdr"
	make_deb dbg "$T/dbg"
	debian_unpack_packages "$T/root" "$rel" "$T/img.deb" "$T/dbg.deb" "$T/hdr.deb"
	[ "$(cat "$T/root/usr/lib/debug/boot/vmlinux-$rel")" = elf ]
	[ -f "$T/root/boot/vmlinuz-$rel" ] && [ -f "$T/root/usr/src/linux-headers-$rel/Module.symvers" ]
	[ ! -e "$T/root/usr/lib/debug/lib" ]
	run debian_unpack_packages "$T/root2" 6.1.0-99-cloud-amd64 "$T/img.deb" "$T/dbg.deb" "$T/hdr.deb"
	[ "$status" -ne 0 ]
	[[ $output == *"$T/dbg.deb holds no usr/lib/debug/boot/vmlinux-6.1.0-99-cloud-amd64"* ]]
}
