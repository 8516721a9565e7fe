// SPDX-License-Identifier: GPL-2.0
/* lib/symvers: Module.symvers layouts, lookups, and rejected lines. */
#include "symvers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static const char *write_file(const char *name, const char *text, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
	return path;
}

static const char sample[] =
	"0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
	"0x00000000\tkmalloc_trace\tvmlinux\tEXPORT_SYMBOL\n"
	"0xdeadbeef\tusb_stor_probe\tdrivers/usb/storage/usb-storage\tEXPORT_SYMBOL_GPL\tUSB_STORAGE\n"
	"0x0000abcd\tcxl_probe\tdrivers/cxl/cxl_core\tEXPORT_SYMBOL_NS_GPL\tCXL\r\n"
	"\n"
	"0x00000001\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n";

/* 5.4 - 5.9 put the namespace third. */
static const char sample_54[] =
	"0x11111111\tdma_buf_get\tDMA_BUF\tdrivers/dma-buf/dma-buf\tEXPORT_SYMBOL_GPL\n"
	"0x22222222\tschedule\t\tvmlinux\tEXPORT_SYMBOL\n";

static void test_lookups(void)
{
	char err[256] = "";
	struct symvers *sv = symvers_load(write_file("Module.symvers", sample,
						     strlen(sample)), err, sizeof(err));
	const struct symvers_entry *e;

	check(sv && symvers_count(sv) == 4, "sample loads, identical repeat merged");
	if (!sv) {
		fprintf(tap, "# %s\n", err);
		return;
	}
	e = symvers_find(sv, "printk");
	check(e && symvers_is_vmlinux(e) && e->crc == 0x12345678 && !e->ns[0] &&
	      e->export == SYMVERS_EXPORT, "vmlinux export, empty namespace column");
	e = symvers_find(sv, "kmalloc_trace");
	check(e && !e->ns[0], "four-column line has no namespace");
	e = symvers_find(sv, "usb_stor_probe");
	check(e && !strcmp(e->module, "usb-storage") &&
	      !strcmp(e->module_path, "drivers/usb/storage/usb-storage") &&
	      !strcmp(e->ns, "USB_STORAGE") && e->export == SYMVERS_EXPORT_GPL &&
	      !symvers_is_vmlinux(e), "module export: basename, namespace, GPL");
	e = symvers_find(sv, "cxl_probe");
	check(e && !strcmp(e->ns, "CXL") && e->export == SYMVERS_EXPORT_GPL,
	      "EXPORT_SYMBOL_NS_GPL with CRLF");
	check(!symvers_find(sv, "not_exported"), "unexported symbol not found");
	symvers_free(sv);
}

static void test_old_layout(void)
{
	char err[256] = "";
	struct symvers *sv = symvers_load(write_file("old.symvers", sample_54,
						     strlen(sample_54)), err, sizeof(err));
	const struct symvers_entry *e = sv ? symvers_find(sv, "dma_buf_get") : NULL;
	const struct symvers_entry *s = sv ? symvers_find(sv, "schedule") : NULL;

	check(e && !strcmp(e->ns, "DMA_BUF") && !strcmp(e->module, "dma-buf") &&
	      s && symvers_is_vmlinux(s) && !s->ns[0],
	      "5.4-5.9 layout with namespace third");
	symvers_free(sv);
}

static bool rejects(const char *text, size_t len, const char *want)
{
	char err[256] = "";
	struct symvers *sv = symvers_load(write_file("bad.symvers", text, len),
					  err, sizeof(err));
	bool ok = !sv && strstr(err, "bad.symvers") && strstr(err, want);

	if (!ok)
		fprintf(tap, "# got: %s\n", err);
	symvers_free(sv);
	return ok;
}

static bool loads_empty(void)
{
	char err[256] = "";
	struct symvers *sv = symvers_load(write_file("empty.symvers", "", 0),
					  err, sizeof(err));
	bool ok = sv && symvers_count(sv) == 0 && !symvers_find(sv, "x");

	symvers_free(sv);
	return ok;
}

static void test_rejects(void)
{
	static const char good[] = "0x1\tfoo\tvmlinux\tEXPORT_SYMBOL\n";
	char buf[256];

#define REJECT(line, want) \
	(snprintf(buf, sizeof(buf), "%s%s", good, line), \
	 rejects(buf, strlen(buf), want))
	check(REJECT("0x2\tbar\tvmlinux\n", "bad.symvers:2: expected 4 or 5"),
	      "too few fields, with file:line");
	check(REJECT("0x2\tbar\tvmlinux\tEXPORT_SYMBOL\tNS\textra\n", "found 6"),
	      "too many fields");
	check(REJECT("zz\tbar\tvmlinux\tEXPORT_SYMBOL\n", ":2: bad CRC 'zz'"), "bad CRC");
	check(REJECT("0x2\tbar\tvmlinux\tEXPORT_SOMETHING\n", "unknown export type"),
	      "unknown export type");
	check(REJECT("0x2\t\tvmlinux\tEXPORT_SYMBOL\n", "bad symbol name"), "empty symbol");
	check(REJECT("0x2\tfoo\tdrivers/x\tEXPORT_SYMBOL\n", "exported again by drivers/x"),
	      "conflicting duplicate export");
#undef REJECT
	check(rejects("0x1\tfoo\0bar\n", 12, "binary data"), "binary file");
	check(!symvers_load("/nonexistent/Module.symvers", buf, sizeof(buf)) &&
	      strstr(buf, "/nonexistent/Module.symvers: No such file"), "missing file");
	check(loads_empty(), "empty file is a valid, empty Module.symvers");
}

static void test_module_names(void)
{
	char name[] = "usb-storage";

	check(!strcmp(module_name_normalize(name), "usb_storage"), "normalize '-' to '_'");
	check(module_names_equal("usb-storage", "usb_storage") &&
	      !module_names_equal("usb-storage", "usb_storag") &&
	      !module_names_equal("usbxstorage", "usb_storage"),
	      "module names compare modulo '-'/'_'");
}

int main(void)
{
	if (!tap_begin("test_symvers"))
		return 1;
	test_lookups();
	test_old_layout();
	test_rejects();
	test_module_names();
	return tap_end();
}
