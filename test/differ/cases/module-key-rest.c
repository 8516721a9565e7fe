/* The rest of the module module-key.c and once-flag-key.c belong to. */
struct static_key { int enabled; };
struct tracepoint { const char *name; struct static_key key; };
struct static_key mod_key;
struct tracepoint __tracepoint_kpb_probe = { "kpb_probe" };
