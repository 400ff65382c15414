/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-ins for libhostlane-dpdk.so, for test_loader.c: one source built
 * several ways (tests/guestlib/meson.build). By default a good plugin whose
 * open says what it was given; FAKE_ABI / FAKE_TP_SIZE break its header,
 * FAKE_NO_SYMBOL leaves the symbol out, FAKE_UNRESOLVED makes it need a
 * symbol nothing defines (dlopen with RTLD_NOW refuses it).
 */
#include <stdio.h>
#include <string.h>

#include "hl_transport.h"

#ifndef FAKE_ABI
#define FAKE_ABI HL_PLUGIN_ABI
#endif
#ifndef FAKE_TP_SIZE
#define FAKE_TP_SIZE sizeof(struct hl_tp)
#endif

#ifdef FAKE_UNRESOLVED
extern int fake_plugin_nowhere(void);
#endif

/* What out->tp is set to when args are "ok". */
static int fake_marker;

/* "ok": a transport (out->tp = the marker); anything else: HL_E_IO, and
 * the reason says what the plugin was given. */
static int
fake_open(const char *args, const struct hl_opts *o, struct hl_tp *out,
	  char *reason, size_t reason_len)
{
	(void)o;
#ifdef FAKE_UNRESOLVED
	if (fake_plugin_nowhere() != 0)
		return HL_E_IO;
#endif
	if (strcmp(args, "ok") == 0) {
		out->tp = &fake_marker;
		return HL_OK;
	}
	snprintf(reason, reason_len, "fake plugin: %s", args);
	return HL_E_IO;
}

#ifdef FAKE_NO_SYMBOL
const struct hl_plugin hl_dpdk_plugin_not_it = {
#else
const struct hl_plugin hl_dpdk_plugin = {
#endif
	.abi = FAKE_ABI,
	.tp_size = FAKE_TP_SIZE,
	.open = fake_open,
};
