/* cold-nosym.c with a change confined to its symbol-less cold part. */
// EXPORTS: report_negative
#define COLD_ONLY
#include "cold-nosym.c"
