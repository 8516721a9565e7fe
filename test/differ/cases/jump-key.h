/* A jump label as the kernel's arch_static_branch() writes it (relative entries). */
struct static_key { int enabled; };

#define JUMP_LABEL(key, label)                                                 \
	asm goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"                     \
		 ".pushsection __jump_table, \"aw\"\n .balign 8\n"             \
		 " .long 1b - ., %l[" #label "] - .\n .quad %c0 - .\n"         \
		 ".popsection\n"                                               \
		 : : "i" (&(key)) : : label)
