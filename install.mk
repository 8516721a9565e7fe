# make install / make uninstall (included by the Makefile).
#
#   make install DESTDIR=/tmp/stage PREFIX=/usr
#
# Commands on PATH go to BINDIR; the helpers kpatch-build runs to LIBEXECDIR;
# its shell library, kmod template and struct probe to PKGDATADIR; the
# project's shell library shlib/ (die/warn, module facts), which the
# drivers, kpb-objmap and the manager all source, to SHLIBDIR.  The
# installed kpatch-build and kpatch-package find LIBEXECDIR, PKGDATADIR and
# SHLIBDIR through paths relative to BINDIR (kpb-objmap SHLIBDIR relative
# to LIBEXECDIR), written into them here, so a DESTDIR tree works where it
# is and after it is moved; they never look into a source tree.  The
# manager (manager/kpatch, its unit and man page) is installed when the
# tree has it, with SHLIBDIR written into it the same way.

PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
LIBEXECDIR     ?= $(PREFIX)/libexec/kpatch-build
DATADIR        ?= $(PREFIX)/share
PKGDATADIR     ?= $(DATADIR)/kpatch-build
MANDIR         ?= $(DATADIR)/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR  ?= $(DATADIR)/bash-completion/completions
MANAGER_LIBDIR ?= $(DATADIR)/kpatch/lib
SHLIBDIR       ?= $(PKGDATADIR)/shlib

# Commands whose lib/ comes from PKGDATADIR and helpers from LIBEXECDIR.
DRIVERS      := kpatch-build kpatch-package
HELPERS      := kpb-cc kpb-objmap
MAN1         := $(wildcard man/*.1)
MANAGER      := $(wildcard manager/kpatch)
MANAGER_UNIT := $(wildcard manager/kpatch.service)
MAN8         := $(wildcard man/*.8)
COMPLETIONS  := kpatch-build kpatch-package $(if $(MANAGER),kpatch)
TEMPLATE     := $(wildcard kmod-template/*.c kmod-template/*.h kmod-template/*.lds kmod-template/Kbuild)

# The relative paths the installed drivers use (computed for the final
# system, without DESTDIR).
REL_LIBEXEC = $(shell realpath -m --relative-to=$(BINDIR) $(LIBEXECDIR))
REL_DATA    = $(shell realpath -m --relative-to=$(BINDIR) $(PKGDATADIR))
REL_MANAGER_LIB = $(shell realpath -m --relative-to=$(BINDIR) $(MANAGER_LIBDIR))
REL_SHLIB       = $(shell realpath -m --relative-to=$(BINDIR) $(SHLIBDIR))
REL_SHLIB_LIBEXEC = $(shell realpath -m --relative-to=$(LIBEXECDIR) $(SHLIBDIR))

.PHONY: install install-tools install-data install-manager install-shlib uninstall

install: install-tools install-data install-manager

install-tools: all install-shlib
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)
	for d in $(DRIVERS); do \
		sed -e "s|^KPB_INSTALLED_LIBEXEC=.*|KPB_INSTALLED_LIBEXEC=$(REL_LIBEXEC)|" \
		    -e "s|^KPB_INSTALLED_DATA=.*|KPB_INSTALLED_DATA=$(REL_DATA)|" \
		    -e "s|^KPB_INSTALLED_SHLIB=.*|KPB_INSTALLED_SHLIB=$(REL_SHLIB)|" \
		    kpatch-build/$$d >$(DESTDIR)$(BINDIR)/$$d.tmp && \
		chmod 755 $(DESTDIR)$(BINDIR)/$$d.tmp && \
		mv $(DESTDIR)$(BINDIR)/$$d.tmp $(DESTDIR)$(BINDIR)/$$d || exit 1; \
	done
	install -m755 $(BUILD)/bin/create-diff-object $(BUILD)/bin/create-klp-module $(BUILD)/bin/kpb-callsites $(BUILD)/bin/kpb-layout $(BUILD)/bin/kpb-origcheck $(DESTDIR)$(LIBEXECDIR)/
	for h in $(HELPERS); do \
		sed -e "s|^KPB_INSTALLED_SHLIB=.*|KPB_INSTALLED_SHLIB=$(REL_SHLIB_LIBEXEC)|" \
		    kpatch-build/$$h >$(DESTDIR)$(LIBEXECDIR)/$$h.tmp && \
		chmod 755 $(DESTDIR)$(LIBEXECDIR)/$$h.tmp && \
		mv $(DESTDIR)$(LIBEXECDIR)/$$h.tmp $(DESTDIR)$(LIBEXECDIR)/$$h || exit 1; \
	done

# One copy of shlib/ serves the drivers, kpb-objmap and the manager.
install-shlib:
	install -d $(DESTDIR)$(SHLIBDIR)
	install -m644 shlib/*.sh $(DESTDIR)$(SHLIBDIR)/

install-data:
	install -d $(DESTDIR)$(PKGDATADIR)/lib $(DESTDIR)$(PKGDATADIR)/kmod-template
	install -m644 kpatch-build/lib/*.sh $(DESTDIR)$(PKGDATADIR)/lib/
	install -m644 $(TEMPLATE) $(DESTDIR)$(PKGDATADIR)/kmod-template/
	install -m644 VERSION $(DESTDIR)$(PKGDATADIR)/VERSION
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPLETIONDIR)
	install -m644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m644 $(addprefix completion/,$(COMPLETIONS)) $(DESTDIR)$(COMPLETIONDIR)/

install-manager: install-shlib
ifneq ($(MANAGER),)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANAGER_LIBDIR)
	sed -e "s|^KPATCH_INSTALLED_LIB=.*|KPATCH_INSTALLED_LIB=$(REL_MANAGER_LIB)|" \
	    -e "s|^KPATCH_INSTALLED_SHLIB=.*|KPATCH_INSTALLED_SHLIB=$(REL_SHLIB)|" \
		$(MANAGER) >$(DESTDIR)$(BINDIR)/kpatch.tmp
	chmod 755 $(DESTDIR)$(BINDIR)/kpatch.tmp
	mv $(DESTDIR)$(BINDIR)/kpatch.tmp $(DESTDIR)$(BINDIR)/kpatch
	install -m644 $(wildcard manager/lib/*.sh) $(DESTDIR)$(MANAGER_LIBDIR)/
endif
ifneq ($(MANAGER_UNIT),)
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed "s|/usr/bin/kpatch|$(BINDIR)/kpatch|g" $(MANAGER_UNIT) >$(DESTDIR)$(SYSTEMDUNITDIR)/kpatch.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/kpatch.service
endif
ifneq ($(MAN8),)
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
endif

# Removes exactly what install writes from this tree (the manager's files
# only when the tree has the manager: a kpatch from elsewhere stays), then
# the directories that are this project's.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(DRIVERS) $(if $(MANAGER),kpatch))
	rm -f $(addprefix $(DESTDIR)$(LIBEXECDIR)/,create-diff-object create-klp-module kpb-callsites kpb-layout kpb-origcheck $(HELPERS))
	rm -f $(addprefix $(DESTDIR)$(PKGDATADIR)/lib/,$(notdir $(wildcard kpatch-build/lib/*.sh)))
	rm -f $(addprefix $(DESTDIR)$(PKGDATADIR)/kmod-template/,$(notdir $(TEMPLATE)))
	rm -f $(DESTDIR)$(PKGDATADIR)/VERSION
	rm -f $(addprefix $(DESTDIR)$(SHLIBDIR)/,$(notdir $(wildcard shlib/*.sh)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	rm -f $(addprefix $(DESTDIR)$(COMPLETIONDIR)/,$(COMPLETIONS))
	$(if $(MANAGER_UNIT),rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/kpatch.service)
	$(if $(MANAGER),rm -f $(addprefix $(DESTDIR)$(MANAGER_LIBDIR)/,$(notdir $(wildcard manager/lib/*.sh))))
	$(if $(MANAGER),rmdir $(DESTDIR)$(MANAGER_LIBDIR) $(DESTDIR)$(dir $(MANAGER_LIBDIR:%/=%)) 2>/dev/null || true)
	-rmdir $(DESTDIR)$(SHLIBDIR) $(DESTDIR)$(PKGDATADIR)/lib $(DESTDIR)$(PKGDATADIR)/kmod-template \
		$(DESTDIR)$(PKGDATADIR) $(DESTDIR)$(LIBEXECDIR)
