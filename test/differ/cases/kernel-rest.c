/* The rest of the fake kernel: globals and a same-named static elsewhere. */
const char *saved_command_line = "console=ttyS0";
int not_exported_counter;
static int __attribute__((noinline)) helper(int x) { return x ^ 0x55; }
int rest_entry(int x) { return helper(x); }
