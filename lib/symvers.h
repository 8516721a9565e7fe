/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module.symvers: which symbols the kernel exports, from which module and
 * in which namespace.  A livepatch calls an exported symbol directly
 * (a normal relocation, plus MODULE_IMPORT_NS for a namespaced one); only
 * unexported ones need a .klp.sym relocation.
 *
 * Accepted line layouts (tab separated), as modpost has written them:
 *   CRC SYMBOL MODULE EXPORT_TYPE [NAMESPACE]     (<= 5.3, and >= 5.10)
 *   CRC SYMBOL NAMESPACE MODULE EXPORT_TYPE       (5.4 - 5.9)
 */
#ifndef KPB_SYMVERS_H
#define KPB_SYMVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum symvers_export {
	SYMVERS_EXPORT,			/* EXPORT_SYMBOL[_NS] */
	SYMVERS_EXPORT_GPL,		/* EXPORT_SYMBOL[_NS]_GPL */
	SYMVERS_EXPORT_GPL_FUTURE,	/* pre-5.12 */
	SYMVERS_EXPORT_UNUSED,		/* pre-5.12 */
	SYMVERS_EXPORT_UNUSED_GPL,	/* pre-5.12 */
};

struct symvers_entry {
	const char *name;
	uint32_t crc;
	const char *module_path;	/* "vmlinux" or "drivers/foo/bar-baz" */
	const char *module;		/* basename: "vmlinux", "bar-baz" */
	enum symvers_export export;
	const char *ns;			/* "" when not namespaced */
	unsigned line;			/* 1-based line in the file */
};

struct symvers;

/* NULL on error, with "PATH:LINE: what" (or "PATH: what") in ERR. */
struct symvers *symvers_load(const char *path, char *err, size_t errlen);
void symvers_free(struct symvers *sv);

size_t symvers_count(const struct symvers *sv);
const struct symvers_entry *symvers_entry(const struct symvers *sv, size_t i);

/* The export of NAME, or NULL if NAME is not exported.  O(log n). */
const struct symvers_entry *symvers_find(const struct symvers *sv,
					 const char *name);

bool symvers_is_vmlinux(const struct symvers_entry *e);

/*
 * The kernel turns '-' into '_' in module names (KBUILD_MODNAME), so
 * "bar-baz" in Module.symvers is "bar_baz" in /sys/module and in
 * ".klp.sym.bar_baz.*".  Rewrites NAME in place and returns it.
 */
char *module_name_normalize(char *name);

/* Equal after module_name_normalize() of both. */
bool module_names_equal(const char *a, const char *b);

#endif
