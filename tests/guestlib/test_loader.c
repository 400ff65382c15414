/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk_loader.c: how the dpdk: transport's plugin is found and refused.
 * argv: the fake plugins tests/guestlib/meson.build builds from
 * fake_plugin.c - no symbol, wrong ABI, wrong struct size, an unresolved
 * symbol - in that order. The good one is built as libhostlane-dpdk.so
 * beside this executable, where the loader looks when HOSTLANE_DPDK_PLUGIN
 * is unset (libhostlane is linked in statically here). Once loaded, the
 * plugin stays: that case comes last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gl_check.h"
#include "hl_transport.h"

static char reason[HL_TP_REASON_LEN];
static struct hl_tp tp;

/* hl_transport_open("dpdk:ARGS") with HOSTLANE_DPDK_PLUGIN = plugin (NULL:
 * unset); the status, the reason in reason[]. */
static int
open_with(const char *plugin, const char *args)
{
	struct hl_opts o;
	char uri[256];

	if (plugin != NULL)
		setenv("HOSTLANE_DPDK_PLUGIN", plugin, 1);
	else
		unsetenv("HOSTLANE_DPDK_PLUGIN");
	hl_opts_init(&o);
	snprintf(uri, sizeof(uri), "dpdk:%s", args);
	reason[0] = '\0';
	int rc = hl_transport_open(uri, NULL, &o, &tp, reason, sizeof(reason));
	printf("%-40.40s %s: %s\n", plugin != NULL ? plugin : "(beside the library)",
	       hl_status_name(rc), reason);
	return rc;
}

static int
has(const char *needle)
{
	return strstr(reason, needle) != NULL;
}

/* A file that is there but no shared object: dlopen's own error. */
static void
test_not_elf(void)
{
	char path[] = "/tmp/hl-loader-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, "not an ELF file\n", 16) == 16);
	close(fd);
	CHECK_EQ(open_with(path, "-l 0"), HL_E_INVAL);
	CHECK(has("dpdk: ") && has(path) && !has("not found"));
	unlink(path);
}

int
main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s NOSYM ABI SIZE UNRESOLVED\n", argv[0]);
		return 2;
	}
	/* HOSTLANE_DPDK_PLUGIN names the file: the message names it too, and
	 * does not suggest setting what is set. */
	CHECK_EQ(open_with("/nonexistent/libhostlane-dpdk.so", "-l 0"), HL_E_INVAL);
	CHECK(has("dpdk: ") && has("/nonexistent/libhostlane-dpdk.so not found") &&
	      !has("set HOSTLANE_DPDK_PLUGIN"));
	test_not_elf();
	for (int i = 1; i <= 3; i++) {
		CHECK_EQ(open_with(argv[i], "-l 0"), HL_E_INVAL);
		CHECK(has(argv[i]) && has("is not a plugin of this libhostlane"));
	}
	CHECK_EQ(open_with(argv[4], "-l 0"), HL_E_INVAL);
	CHECK(has("fake_plugin_nowhere"));	/* the undefined symbol */
	/* The good plugin, beside the library; its open gets the arguments. */
	CHECK_EQ(open_with(NULL, "-l 0 --vdev x"), HL_E_IO);
	CHECK(strcmp(reason, "fake plugin: -l 0 --vdev x") == 0);
	CHECK_EQ(open_with("", "ok"), HL_OK);	/* empty: as if unset */
	CHECK(tp.tp != NULL);			/* what the plugin opened */
	/* Loaded once and kept: the variable is no longer looked at. */
	CHECK_EQ(open_with("/nonexistent/libhostlane-dpdk.so", "again"), HL_E_IO);
	CHECK(strcmp(reason, "fake plugin: again") == 0);
	return gl_report("guestlib-loader");
}
