/*
 * Symbol names with __LINE__ in them, in vmlinux objects: an initcall's
 * entry (include/linux/init.h's __initcall_id, "<modname>__<counter>_<line>_<fn>",
 * x86 writes the entry with asm: CONFIG_HAVE_ARCH_PREL32_RELOCATIONS) and
 * a PCI fixup (pci.h's DECLARE_PCI_FIXUP_*: __pci_fixup_<name><line>,
 * CONFIG_PCI_QUIRKS).  Lines added above both: no change.
 */
#include "line-forms.h"

#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)

#define __initcall_id(fn) __PASTE(test, __PASTE(__, __PASTE(__COUNTER__, __PASTE(_, __PASTE(__LINE__, __PASTE(_, fn))))))
#define __initcall_name(prefix, iid, id) __PASTE(__, __PASTE(prefix, __PASTE(__, __PASTE(iid, id))))
#define ____define_initcall(fn, name, sec)					\
	static void *__PASTE(__addressable_, fn) __attribute__((used, section(".discard.addressable"))) = (void *)&fn; \
	asm(".section \"" sec "\", \"a\"\n"					\
	    __stringify(name) ":\n"						\
	    ".long " __stringify(fn) " - .\n"					\
	    ".previous\n");
#define __unique_initcall(fn, id, sec, iid) ____define_initcall(fn, __initcall_name(initcall, iid, id), sec)
#define device_initcall(fn) __unique_initcall(fn, 6, ".initcall6.init", __initcall_id(fn))

struct pci_dev;
/* pci.h without PREL32 relocations: the fixup is a C object named by its line. */
struct pci_fixup {
	unsigned short vendor, device;
	unsigned int class;
	unsigned int class_shift;
	void (*hook)(struct pci_dev *dev);
};

#define DECLARE_PCI_FIXUP_FINAL(vendor, device, name, hook)			\
	static const struct pci_fixup __PASTE(__pci_fixup_##name, __LINE__)	\
	__attribute__((used, section(".pci_fixup_final"), aligned(8))) = {	\
		vendor, device, 0, 0, hook };

#line LINE
static int __attribute__((section(".init.text"))) start_thing(void)
{
	return 0;
}
device_initcall(start_thing);

static void quirk_thing(struct pci_dev *dev)
{
	(void)dev;
}
DECLARE_PCI_FIXUP_FINAL(0x8086, 0x1234, quirk, quirk_thing);

int keep_thing(int x)
{
	return x + 1;
}
