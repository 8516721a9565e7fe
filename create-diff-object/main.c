// SPDX-License-Identifier: GPL-2.0
/*
 * create-diff-object: from the original and the patched build of one kernel
 * object, write an object holding only what the patch changed, with every
 * reference into the running kernel expressed as a livepatch symbol.
 *
 * main() parses the arguments and runs the phases (phases.c lists them in
 * order, each returning a status: the exit status of the first that fails);
 * cdo.h has the glossary and the layers, README "Layout" the files.
 */
#include "cdo.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: create-diff-object [--debug[=LIST]] [--line-map FILE] [--untraced-in FILE]\n"
	"                          [--untraced-out FILE] ORIG.o PATCHED.o\n"
	"                          PARENT_OBJ SYMTAB SYMVERS PATCH_NAME OUTPUT.o\n"
	"\n"
	"Compare ORIG.o with PATCHED.o (one translation unit built twice with\n"
	"-ffunction-sections -fdata-sections) and write OUTPUT.o with the changed and\n"
	"new functions and everything they need.\n"
	"\n"
	"  PARENT_OBJ  'vmlinux' or the name of the module the object links into\n"
	"  SYMTAB      the parent's symbol table: its ELF file (vmlinux or .ko) or\n"
	"              the output of 'readelf -s --wide' on it\n"
	"  SYMVERS     the target kernel's Module.symvers\n"
	"  PATCH_NAME  the livepatch module's name\n"
	"\n"
	"Options:\n"
	"  -d, --debug[=LIST]  debug output; LIST is comma separated from read,\n"
	"                      correlate, compare, include, special, klp, write, all\n"
	"  -l, --line-map FILE how the patch moved the lines of the object's source\n"
	"                      file: lines 'FIRST LAST DELTA' (original lines\n"
	"                      FIRST..LAST are at line+DELTA in the patched file;\n"
	"                      only moved ranges, sorted, disjoint; '#' comments).\n"
	"                      A changed immediate passed to a printer (_printk,\n"
	"                      _dev_err, panic, ...) that the map moves from X to\n"
	"                      X+DELTA is then a moved __LINE__, not a change\n"
	"  -o, --untraced-out FILE\n"
	"                      carry a changed global function without __fentry__\n"
	"                      (else refused) as the module-internal global\n"
	"                      '__kpb_untraced.NAME', and list NAME in FILE: its\n"
	"                      callers in other objects must be diffed with\n"
	"                      --untraced-in\n"
	"  -i, --untraced-in FILE\n"
	"                      functions (one name a line) another output carries\n"
	"                      so: every function calling one is changed, its\n"
	"                      calls bound to the carried copy.  ORIG.o and\n"
	"                      PATCHED.o may be the same unchanged object\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit status: 0 output written; 1 tool or input error; 2 the change cannot be\n"
	"livepatched; 3 no changes in this object.\n"
	"\n"
	"Environment: BUG_STRUCT_SIZE, EX_STRUCT_SIZE, ALT_STRUCT_SIZE, JUMP_STRUCT_SIZE,\n"
	"ORC_STRUCT_SIZE, PARA_STRUCT_SIZE, STATIC_CALL_STRUCT_SIZE, PRINTK_INDEX_STRUCT_SIZE\n"
	"give the structure sizes of the special sections (PRINTK_INDEX_STRUCT_SIZE: the\n"
	"struct pi_entry .printk_index points to); the layout is told by the relocations.\n";

static void parse_args(struct cdo *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "debug", optional_argument, NULL, 'd' },
		{ "line-map", required_argument, NULL, 'l' },
		{ "untraced-in", required_argument, NULL, 'i' },
		{ "untraced-out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, mask;

	while ((opt = getopt_long(argc, argv, "dl:i:o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			mask = log_parse_debug(optarg ? optarg : "all");
			if (mask < 0)
				ERROR("--debug: unknown category in '%s'", optarg);
			log_debug |= (unsigned int)mask;
			break;
		case 'l':
			c->args.line_map_path = optarg;
			break;
		case 'i':
			c->args.untraced_in_path = optarg;
			break;
		case 'o':
			c->args.untraced_out_path = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(KPB_OK);
		default:
			fputs(usage_text, stderr);
			exit(KPB_ERROR);
		}
	}
	if (argc - optind != 7) {
		fputs(usage_text, stderr);
		ERROR("expected 7 arguments, got %d", argc - optind);
	}
	c->args.path[ORIG] = argv[optind];
	c->args.path[PATCHED] = argv[optind + 1];
	c->args.parent = argv[optind + 2];
	c->args.symtab_path = argv[optind + 3];
	c->args.symvers_path = argv[optind + 4];
	c->args.patch_name = argv[optind + 5];
	c->args.output = argv[optind + 6];
}

int main(int argc, char **argv)
{
	struct cdo c = { 0 };
	enum kpb_status status;

	log_progname = "create-diff-object";
	parse_args(&c, argc, argv);
	status = run_phases(&c);
	free_cdo(&c);
	return status;
}
