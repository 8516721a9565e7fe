/*
 * A cold part without a symbol, as GCC before 8 left it with
 * -freorder-blocks-and-partition: the unlikely block of split_sum() in
 * .text.unlikely.split_sum under local labels only (.LCOLDB0), entered
 * from split_sum() and jumping back into it.  The section is part of
 * split_sum(): compared with it, carried with it.  PATCHED changes the
 * hot part; cold-nosym-only.c, this file with COLD_ONLY, the cold part alone.
 */
// EXPORTS: report_negative
asm(".pushsection .text.split_sum, \"ax\"\n"
    ".globl split_sum\n"
    ".type split_sum, @function\n"
    "split_sum:\n"
    "	call __fentry__\n"
    "	testl %edi, %edi\n"
    "	js .LCOLDB0\n"
    ".LHOTB0:\n"
#if defined(PATCHED) && !defined(COLD_ONLY)
    "	leal 5(%rdi), %eax\n"
#else
    "	leal 3(%rdi), %eax\n"
#endif
    ".Lsplit_sum_out:\n"
    "	ret\n"
    ".size split_sum, .-split_sum\n"
    ".popsection\n"
    ".pushsection .text.unlikely.split_sum, \"ax\"\n"
    ".LCOLDB0:\n"
    "	call report_negative\n"
#if defined(PATCHED) && defined(COLD_ONLY)
    "	movl $-2, %eax\n"
#else
    "	movl $-1, %eax\n"
#endif
    "	jmp .Lsplit_sum_out\n"
    ".LCOLDE0:\n"
    ".popsection\n");

int other(int x)
{
	return x * 7;
}
