# shellcheck shell=bash
# kpatch-package: the .deb (dpkg-deb --build of a hand-written tree).
#
#   build_deb SCRIPTS   PKG_STAGING/PACKAGE_VERSION_ARCH.deb

# ELF machine (readelf -h) -> Debian architecture.
deb_architecture() {
	case $MOD_MACHINE in
	*X86-64*) echo amd64 ;;
	*AArch64*) echo arm64 ;;
	*PowerPC64*) echo ppc64el ;;
	*S/390*) echo s390x ;;
	*RISC-V*) echo riscv64 ;;
	*) die "$EXIT_NOT_LIVEPATCH" "$MOD_FILE: ELF machine '$MOD_MACHINE' has no Debian architecture known to $PROG" ;;
	esac
}

# Debian's long description: one space before each line, " ." for a blank one.
deb_long_description() {
	package_description "Livepatch module $MOD_NAME.ko for Linux $MOD_RELEASE.
Installing the package loads it when that kernel runs and at every boot
of it (kpatch install); removing it unloads it." | sed -e 's/^[[:space:]]*$/./' -e 's/^/ /'
}

write_deb_control() {
	local root=$1 arch=$2 depends=$OPT_MANAGER_PACKAGE
	[[ -n $DEB_KERNEL_DEPENDS ]] && depends+=", $DEB_KERNEL_DEPENDS"
	{
		echo "Package: $PKG_NAME"
		echo "Version: $PKG_VERSION"
		echo "Architecture: $arch"
		echo "Maintainer: $PKG_MAINTAINER"
		echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
		echo "Depends: $depends"
		echo "Section: kernel"
		echo "Priority: optional"
		echo "Description: $PKG_SUMMARY"
		deb_long_description
	} >"$root/DEBIAN/control"
}

build_deb() {
	local scripts=$1 root=$TMP_DIR/deb arch s out
	arch=$(deb_architecture)
	out=$PKG_STAGING/${PKG_NAME}_${PKG_VERSION}_$arch.deb
	install -d -m755 "$root/DEBIAN" "$root$PKG_LIBROOT/$PKG_NAME" "$root/usr/share/doc/$PKG_NAME"
	install -m644 "$MOD_FILE" "$root$PKG_LIBROOT/$PKG_NAME/$MOD_NAME.ko"
	write_doc "$root/usr/share/doc/$PKG_NAME/README"
	for s in preinst postinst prerm postrm; do
		install -m755 "$scripts/$s" "$root/DEBIAN/$s"
	done
	write_deb_control "$root" "$arch"
	dpkg-deb --root-owner-group -Zxz --build "$root" "$out.tmp" >/dev/null 2>"$TMP_DIR/dpkg-deb.err" || {
		cat "$TMP_DIR/dpkg-deb.err" >&2
		rm -f "$out.tmp"
		die "dpkg-deb failed to build $out"
	}
	mv "$out.tmp" "$out"
}

# What the package is, for /usr/share/doc (both formats).
write_doc() {
	{
		echo "$PKG_NAME $PKG_VERSION: $PKG_SUMMARY"
		echo
		[[ -z $PATCH_DESCRIPTION ]] || printf '%s\n\n' "$PATCH_DESCRIPTION"
		echo "Module:   $MOD_NAME.ko (livepatch $MOD_KNAME, atomic replace: $MOD_REPLACE)"
		echo "Kernel:   $MOD_RELEASE"
		echo "Manager:  kpatch install/load on installation, unload/uninstall on removal"
	} >"$1"
}
