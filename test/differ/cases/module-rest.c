/* The rest of the module module-ref.c belongs to. */
int mod_exported(int x) { return x + 1; }
int mod_internal(int x) { return x + 2; }
