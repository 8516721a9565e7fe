/*
 * A file that imports a symbol namespace (MODULE_IMPORT_NS(CRYPTO_INTERNAL),
 * a MODULE_INFO line in .modinfo) and calls one of its exports, with a
 * Module.symvers that does not say the namespace.  The output imports it
 * too, and carries no other line of the object's .modinfo.
 */
// EXPORTS: crypto_internal_op
#define MODULE_INFO(tag, info, id)						\
	static const char id[] __attribute__((used, section(".modinfo"), aligned(1))) = \
		#tag "=" info
MODULE_INFO(import_ns, "CRYPTO_INTERNAL", __UNIQUE_ID_import_ns1);
MODULE_INFO(license, "GPL", __UNIQUE_ID_license2);
#ifdef PATCHED
MODULE_INFO(import_ns, "CRYPTO_INTERNAL", __UNIQUE_ID_import_ns3);
#endif

extern int crypto_internal_op(int x);

int seal(int x)
{
#ifdef PATCHED
	x |= 1;
#endif
	return crypto_internal_op(x);
}
