/* old-altinstr-norel.c with a replacementlen of 3 but no offset to read it from. */
// CFLAGS: -DBAD_ENTRY
#include "old-altinstr-norel.c"
