/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpb-origcheck's view of the target's binary, read once by lib's
 * elf_read_image() (lib/elfobj.h): a linked image (vmlinux, ET_EXEC:
 * sections by address, symbols by address, bytes as linked) or a module
 * (ET_REL, relocations kept), with the livepatch core's symbol positions
 * (lib/symtab.h).
 */
#ifndef KPB_ORIGCHECK_BINARY_H
#define KPB_ORIGCHECK_BINARY_H

#include "elfobj.h"
#include "symtab.h"

#include <stdbool.h>
#include <stdint.h>

/* The binary: a linked image (addresses, decoded) or a module (relocations). */
struct bsec {
	uint64_t addr, size;
	const unsigned char *data;	/* NULL: SHT_NOBITS */
};

struct baddr {
	uint64_t addr;
	const char *name;
};

struct binary {
	const char *path;
	struct ksymtab *kt;
	struct elf_obj *obj;	/* the file; obj->linked: a linked image */
	bool linked;
	/* linked */
	struct bsec *secs;	/* allocated sections, by address */
	size_t nr_secs;
	struct baddr *syms;	/* every symbol in a section, by address */
	size_t nr_syms;
};

/* Where a function is in the binary. */
struct bplace {
	const unsigned char *data;	/* its bytes */
	uint64_t size;
	uint64_t addr;			/* linked: its address */
	struct section *sec;		/* relocatable: its section ... */
	uint64_t off;			/* ... and offset there */
};

void open_binary(struct binary *b, const char *path);
void close_binary(struct binary *b);
/* The allocated section of a linked image holding [addr, addr + len). */
const struct bsec *bsec_at(const struct binary *b, uint64_t addr, uint64_t len);
/* Is there a symbol NAME at ADDR in the linked image? */
bool linked_has_symbol(const struct binary *b, const char *name, uint64_t addr);
/* "name+0x10 (0x...)" for ADDR of the linked image, for messages (allocated). */
char *describe_linked_addr(const struct binary *b, uint64_t addr);
/* Is there a symbol NAME at OFF of SEC (a module's section)? */
bool section_has_symbol(const struct section *sec, const char *name, int64_t off);
/* The function NAME,SYMPOS of the binary, as the livepatch core finds it; dies if none. */
struct bplace binary_function(const struct binary *b, const char *name, unsigned long sympos);

#endif
