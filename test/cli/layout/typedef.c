/* A typedef'd anonymous structure gains a member in the middle. */
typedef struct {
	int key;
#ifdef PATCHED
	int hash;
#endif
	int next;
} Node;

int node_next(Node *n) { return n->next; }
