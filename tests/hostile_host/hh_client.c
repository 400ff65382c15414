/* SPDX-License-Identifier: BSD-3-Clause */
/* hostile_host's client side: connecting, and checking what came of it. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "hh.h"

int hh_client_failures;

void
hh_opts(struct hl_opts *o, int timeout_ms)
{
	hl_opts_init(o);
	o->timeout_ms = timeout_ms;
	o->name = "hostile-host-test";
	o->reconnect = HL_RECONNECT_NEVER;
}

int
hh_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;		/* the directory's own fd */
}

/* Mappings of libhostlane's memif region ("memfd:hostlane-memif"). */
int
hh_region_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, "hostlane-memif") != NULL;
	fclose(f);
	return n;
}

void
hh_reason_has(const char *reason, const char *want)
{
	CLI_CHECK(strstr(reason, want) != NULL, "reason \"%s\" does not say "
		  "\"%s\"", reason, want);
}

/* hl_connect() must fail with want, saying why, and leave nothing open. */
void
hh_connect_fails(const char *path, const struct hl_opts *o, int want,
		 const char *why)
{
	struct hl_conn *c = (struct hl_conn *)&c;
	int rc = hl_connect(path, NULL, o, &c);

	CLI_CHECK(rc == want, "hl_connect: %s (%s), want %s", hl_status_name(rc),
		  hl_connect_reason(), hl_status_name(want));
	CLI_CHECK(c == NULL, "hl_connect failed but gave a connection");
	if (rc == HL_OK)
		hl_disconnect(c);
	else if (why != NULL)
		hh_reason_has(hl_connect_reason(), why);
}

struct hl_conn *
hh_connect(const char *path, const struct hl_opts *o)
{
	struct hl_conn *c = NULL;
	int rc = hl_connect(path, NULL, o, &c);

	CLI_CHECK(rc == HL_OK, "hl_connect: %s (%s)", hl_status_name(rc),
		  hl_connect_reason());
	return rc == HL_OK ? c : NULL;
}

/* Open and activate name; NULL (and a failure) if that does not work. */
struct hl_fn *
hh_open(struct hl_conn *c, const char *name)
{
	struct hl_fn *fn = NULL;
	int rc = hl_fn_open(c, name, HL_PLACE_ANY, &fn);

	if (rc == HL_OK)
		rc = hl_fn_activate(fn, NULL);
	CLI_CHECK(rc == HL_OK, "open %s: %s (%s)", name, hl_status_name(rc),
		  hl_conn_reason(c));
	if (rc != HL_OK) {
		hl_fn_close(fn);
		return NULL;
	}
	return fn;
}
