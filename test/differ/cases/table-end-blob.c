/*
 * Not an end of table: in an assembler-written section, bytes of no symbol
 * follow the object "limits", and a reference right after it may mean them
 * as well as its end.  Refused, not guessed.
 */
asm(".pushsection .rodata.limits, \"a\"\n"
    ".balign 8\n"
    ".type limits, @object\n"
    ".size limits, 8\n"
    "limits: .quad 16\n"
    ".Lmore_limits: .quad 32\n"
    ".popsection\n");

long read_limits(void)
{
	const long *p;

	asm("leaq .Lmore_limits(%%rip), %0" : "=r" (p));
#ifdef PATCHED
	return p[0] * 2;
#else
	return p[0];
#endif
}
