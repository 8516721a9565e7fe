# shellcheck shell=bash
# kpatch-package: the .rpm (rpmbuild -bb of a generated spec).
#
#   build_rpm SCRIPTS   PKG_STAGING/PACKAGE-VERSION-1.ARCH.rpm

# ELF machine (readelf -h) -> RPM architecture.
rpm_architecture() {
	case $MOD_MACHINE in
	*X86-64*) echo x86_64 ;;
	*AArch64*) echo aarch64 ;;
	*PowerPC64*) echo ppc64le ;;
	*S/390*) echo s390x ;;
	*RISC-V*) echo riscv64 ;;
	*) die "$EXIT_NOT_LIVEPATCH" "$MOD_FILE: ELF machine '$MOD_MACHINE' has no RPM architecture known to $PROG" ;;
	esac
}

# Text inside a spec: a % would start a macro.
spec_escape() { sed 's/%/%%/g'; }

write_rpm_spec() {
	local spec=$1 scripts=$2 arch=$3
	{
		echo "Name: $PKG_NAME"
		echo "Version: $PKG_VERSION"
		echo "Release: 1"
		echo "Summary: $(spec_escape <<<"$PKG_SUMMARY")"
		echo "License: GPL-2.0-only"
		echo "BuildArch: $arch"
		echo "Requires: $OPT_MANAGER_PACKAGE"
		[[ -z $RPM_KERNEL_REQUIRES ]] || echo "Requires: $RPM_KERNEL_REQUIRES"
		echo "Packager: $(spec_escape <<<"$PKG_MAINTAINER")"
		echo "%global debug_package %{nil}"
		echo "%global __os_install_post %{nil}"
		echo
		echo "%description"
		package_description "Livepatch module $MOD_NAME.ko for Linux $MOD_RELEASE." | spec_escape
		echo
		echo "%install"
		echo "install -D -m644 '$TMP_DIR/rpm/$MOD_NAME.ko' %{buildroot}$PKG_LIBROOT/$PKG_NAME/$MOD_NAME.ko"
		echo "install -D -m644 '$TMP_DIR/rpm/README' %{buildroot}/usr/share/doc/$PKG_NAME/README"
		echo
		echo "%files"
		echo "$PKG_LIBROOT/$PKG_NAME"
		echo "%doc /usr/share/doc/$PKG_NAME/README"
		echo
		echo "%post"
		spec_escape <"$scripts/rpm-post"
		echo
		echo "%preun"
		spec_escape <"$scripts/rpm-preun"
	} >"$spec"
}

build_rpm() {
	local scripts=$1 top=$TMP_DIR/rpm arch out
	arch=$(rpm_architecture)
	mkdir -p "$top"
	install -m644 "$MOD_FILE" "$top/$MOD_NAME.ko"
	write_doc "$top/README"
	write_rpm_spec "$top/$PKG_NAME.spec" "$scripts" "$arch"
	rpmbuild -bb --nodeps --target "$arch" --define "_topdir $top" \
		--define "_rpmdir $top/out" --define '_build_id_links none' \
		"$top/$PKG_NAME.spec" >"$TMP_DIR/rpmbuild.log" 2>&1 || {
		tail -n 20 "$TMP_DIR/rpmbuild.log" >&2
		die "rpmbuild failed for $top/$PKG_NAME.spec"
	}
	out=$PKG_STAGING/$PKG_NAME-$PKG_VERSION-1.$arch.rpm
	mv "$top/out/$arch/$PKG_NAME-$PKG_VERSION-1.$arch.rpm" "$out" ||
		die "rpmbuild wrote no $top/out/$arch/$PKG_NAME-$PKG_VERSION-1.$arch.rpm"
}
