/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the config parser, dp_config_load(), on the input as a
 * config file (a memfd read through /proc/self/fd), then the run-time
 * `guest add` path (dp_config_guest_begin/set/end) with the lines of the
 * input as key = value pairs against the loaded or the embedded config.
 *
 * Checked beyond the sanitizers: the return value is one the header
 * documents; a refusal comes with one NUL-terminated line naming the file;
 * an accepted config obeys every range docs/config.md gives (so a check
 * cannot be skipped by some odd spelling of a value).
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_common.h"

static int memfd = -1;
static char path[64];
static struct dp_config cfg, base;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[DP_ERR_MAX];

	(void)argc;
	(void)argv;
	memfd = memfd_create("fuzz_config", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	if (dp_config_load(NULL, "/tmp/hostlane-fuzz", &base, err, sizeof(err)) != 0) {
		fprintf(stderr, "embedded config refused: %s\n", err);
		abort();
	}
	return 0;
}

static void
check_guest(const struct dp_guest_conf *g)
{
	size_t n = strnlen(g->name, sizeof(g->name));

	FUZZ_CHECK(n >= 1 && n < sizeof(g->name), "guest name of %zu bytes", n);
	FUZZ_CHECK(g->channel <= DP_CHAN_ETHDEV, "channel %d", g->channel);
	FUZZ_CHECK(g->max_sessions >= 1 && g->max_sessions <= DP_MAX_SESSIONS,
		   "max_sessions %u", g->max_sessions);
	FUZZ_CHECK(g->max_inflight >= 1 && g->max_inflight <= DP_MAX_INFLIGHT,
		   "max_inflight %u", g->max_inflight);
	FUZZ_CHECK(g->memif.max_regions >= 1 &&
		   g->memif.max_regions <= DP_MEMIF_MAX_REGIONS,
		   "max_regions %u", g->memif.max_regions);
	FUZZ_CHECK(g->memif.max_log2_ring >= DP_MEMIF_MIN_LOG2_RING &&
		   g->memif.max_log2_ring <= DP_MEMIF_MAX_LOG2_RING,
		   "max_log2_ring %u", g->memif.max_log2_ring);
	FUZZ_CHECK(g->memif.max_region_size >= 4096 &&
		   g->memif.max_region_size <= (uint64_t)16 << 30,
		   "max_region_size %lu", (unsigned long)g->memif.max_region_size);
	FUZZ_CHECK(g->max_chain >= 1 && g->max_chain <= 64, "max_chain %u",
		   g->max_chain);
	FUZZ_CHECK(g->max_frame >= 64 && g->max_frame <= 65535, "max_frame %u",
		   g->max_frame);
	FUZZ_CHECK(g->socket_mode <= 0777, "socket_mode %o", (unsigned int)g->socket_mode);
	FUZZ_CHECK(memchr(g->socket, '\0', sizeof(g->socket)) != NULL &&
		   memchr(g->handler, '\0', sizeof(g->handler)) != NULL &&
		   memchr(g->devargs, '\0', sizeof(g->devargs)) != NULL,
		   "unterminated string");
	if (g->channel != DP_CHAN_ETHDEV)
		FUZZ_CHECK(g->socket[0] == '/', "socket '%s' not absolute", g->socket);
	if (g->has_mac)
		FUZZ_CHECK(!(g->mac[0] & 1), "group MAC accepted");
}

static void
check_config(const struct dp_config *c)
{
	FUZZ_CHECK(c->n_guests <= c->max_guests && c->max_guests <= DP_GUESTS_CAP &&
		   c->n_ports <= DP_MAX_PORTS,
		   "%u guests %u ports", c->n_guests, c->n_ports);
	FUZZ_CHECK(memchr(c->runtime_dir, '\0', sizeof(c->runtime_dir)) != NULL &&
		   c->runtime_dir[0] == '/', "runtime_dir");
	for (unsigned int i = 0; i < c->n_guests; i++) {
		check_guest(&c->guests[i]);
		for (unsigned int j = 0; j < i; j++) {
			FUZZ_CHECK(strcmp(c->guests[i].name, c->guests[j].name) != 0,
				   "guest %s twice", c->guests[i].name);
			if (c->guests[i].channel != DP_CHAN_ETHDEV &&
			    c->guests[j].channel != DP_CHAN_ETHDEV)
				FUZZ_CHECK(strcmp(c->guests[i].socket,
						  c->guests[j].socket) != 0,
					   "socket %s twice", c->guests[i].socket);
		}
	}
	for (unsigned int i = 0; i < c->n_ports; i++)
		FUZZ_CHECK(memchr(c->ports[i].name, '\0', sizeof(c->ports[i].name)) &&
			   memchr(c->ports[i].devargs, '\0',
				  sizeof(c->ports[i].devargs)), "port strings");
}

static void
check_err(int rc, const char *err, size_t cap)
{
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOENT || rc == -ENOMEM,
		   "rc %d", rc);
	if (rc == 0)
		return;
	FUZZ_CHECK(memchr(err, '\0', cap) != NULL && err[0] != '\0',
		   "no error line for rc %d", rc);
	FUZZ_CHECK(strchr(err, '\n') == NULL || strchr(err, '\n')[1] == '\0',
		   "error of several lines: %s", err);
}

/* The input's lines as `guest add NAME key=value...`. */
static void
guest_add(const struct dp_config *c, const uint8_t *data, size_t size)
{
	char buf[1024], err[DP_ERR_MAX], *save = NULL, *line;
	struct dp_guest_conf g;
	size_t n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
	int rc;

	memcpy(buf, data, n);
	buf[n] = '\0';
	line = strtok_r(buf, "\n", &save);
	if (line == NULL)
		return;
	rc = dp_config_guest_begin(c, &g, line, err, sizeof(err));
	check_err(rc, err, sizeof(err));
	if (rc != 0)
		return;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		char *eq = strchr(line, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		rc = dp_config_guest_set(&g, line, eq + 1, err, sizeof(err));
		check_err(rc, err, sizeof(err));
		if (rc != 0)
			return;
	}
	rc = dp_config_guest_end(c, &g, err, sizeof(err));
	check_err(rc, err, sizeof(err));
	if (rc == 0)
		check_guest(&g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[DP_ERR_MAX];
	int rc;

	if (ftruncate(memfd, 0) < 0 ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	err[0] = '\0';
	dp_config_free(&cfg);
	rc = dp_config_load(path, "/tmp/hostlane-fuzz", &cfg, err, sizeof(err));
	check_err(rc, err, sizeof(err));
	if (rc == 0)
		check_config(&cfg);
	else
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0,
			   "error does not name the file: %s", err);
	guest_add(rc == 0 ? &cfg : &base, data, size);
	return 0;
}
