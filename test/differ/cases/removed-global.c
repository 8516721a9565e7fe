/* A global function that other objects may call is removed. */
#ifndef PATCHED
int going_away(int x) { return x + 7; }
#endif
int stays(int x) { return x * 5; }
