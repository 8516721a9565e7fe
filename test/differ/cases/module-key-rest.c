/* The rest of the module module-key.c and once-flag-key.c belong to. */
struct static_key { int enabled; };
struct static_key mod_key;
