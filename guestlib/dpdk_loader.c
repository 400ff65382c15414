/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk:EAL-ARGS — load the DPDK transport plugin on first use, so that
 * libhostlane itself never links DPDK.
 *
 * Where the plugin is looked for, first hit wins:
 *   1. $HOSTLANE_DPDK_PLUGIN (a file path);
 *   2. next to the libhostlane.so this code runs in, and in its hostlane/
 *      subdirectory (build tree; an installed library);
 *   3. HL_PLUGIN_DIR, the install directory chosen at build time.
 * The plugin stays loaded: DPDK cannot be unloaded from a process.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_transport.h"

#ifndef HL_PLUGIN_DIR
#define HL_PLUGIN_DIR "/usr/local/lib/hostlane"
#endif

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct hl_plugin *plugin;
static char load_error[HL_TP_REASON_LEN];

static void *
try_open(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const char *err = h == NULL ? dlerror() : NULL;

	/* Keep the first real failure: a file that is there but cannot load
	 * says more than the later "no such file" of the other places. */
	if (h == NULL && err != NULL && load_error[0] == '\0' &&
	    strstr(err, "No such file") == NULL)
		snprintf(load_error, sizeof(load_error), "%s", err);
	return h;
}

static void *
open_beside_lib(void)
{
	char dir[4096], path[4096 + 64];
	Dl_info info;
	void *h;

	if (dladdr((void *)hl_dpdk_open, &info) == 0 || info.dli_fname == NULL ||
	    strlen(info.dli_fname) >= sizeof(dir))
		return NULL;
	snprintf(dir, sizeof(dir), "%s", info.dli_fname);
	snprintf(path, sizeof(path), "%s/" HL_PLUGIN_FILE, dirname(dir));
	h = try_open(path);
	if (h == NULL) {
		snprintf(path, sizeof(path), "%s/hostlane/" HL_PLUGIN_FILE, dir);
		h = try_open(path);
	}
	return h;
}

/* The plugin's handle, and in *name the file it came from (for messages). */
static void *
open_plugin(const char **name)
{
	const char *env = getenv("HOSTLANE_DPDK_PLUGIN");
	void *h;

	if (env != NULL && *env != '\0') {
		*name = env;
		return try_open(env);
	}
	*name = HL_PLUGIN_FILE;
	h = open_beside_lib();
	return h != NULL ? h : try_open(HL_PLUGIN_DIR "/" HL_PLUGIN_FILE);
}

static const struct hl_plugin *
load(void)
{
	const struct hl_plugin *pl;
	const char *name;
	void *h;

	if (plugin != NULL)
		return plugin;
	load_error[0] = '\0';
	h = open_plugin(&name);
	if (h == NULL) {
		if (load_error[0] == '\0')
			snprintf(load_error, sizeof(load_error), "%s not found%s",
				 name, name == (const char *)HL_PLUGIN_FILE ?
				 " (built without DPDK? set HOSTLANE_DPDK_PLUGIN)" : "");
		return NULL;
	}
	pl = dlsym(h, HL_PLUGIN_SYM);
	if (pl == NULL || pl->abi != HL_PLUGIN_ABI ||
	    pl->tp_size != sizeof(struct hl_tp)) {
		snprintf(load_error, sizeof(load_error), "%s is not a plugin of "
			 "this libhostlane (ABI %u)", name, HL_PLUGIN_ABI);
		return NULL;
	}
	plugin = pl;
	return pl;
}

int
hl_dpdk_open(const char *eal_args, const struct hl_opts *o, struct hl_tp *out,
	     char *reason, size_t reason_len)
{
	const struct hl_plugin *pl;

	pthread_mutex_lock(&load_lock);
	pl = load();
	if (pl == NULL)
		snprintf(reason, reason_len, "dpdk: %s", load_error);
	pthread_mutex_unlock(&load_lock);
	if (pl == NULL)
		return HL_E_INVAL;
	return pl->open(eal_args, o, out, reason, reason_len);
}
