/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of dp_config_load: the embedded default, every key, every refusal. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>

#include "accel.h"
#include "balance.h"
#include "config.h"
#include "handler.h"
#include "unit_check.h"

static char tmp_path[64];
static struct dp_config cfg;	/* large: keep it off the stack */

/* Every function in the catalog: "functions = all". */
static uint32_t
all_functions(void)
{
	uint32_t m = 0;

	for (unsigned int id = 1; id <= FPGA_FN_COUNT; id++)
		m |= FPGA_FN_BIT(id);
	return m;
}

static void
write_file(const char *text)
{
	FILE *f = fopen(tmp_path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(tmp_path);
		exit(1);
	}
}

/* ---- checks for files that must load ------------------------------------ */

static const struct dp_guest_conf *
guest(const char *what, const char *name)
{
	const struct dp_guest_conf *g = dp_config_guest(&cfg, name);

	CHECK(what, g != NULL, "guest %s missing", name);
	return g;
}

static bool
secret_is(const struct dp_guest_conf *g, const char *s)
{
	uint8_t want[MEMIF_SECRET_LEN] = { 0 };

	memcpy(want, s, strlen(s));
	return memcmp(g->memif.secret, want, MEMIF_SECRET_LEN) == 0;
}

/* Every default of a guest that set no key but its name. */
static void
check_guest_defaults(const char *what, const struct dp_guest_conf *g,
		     const char *socket)
{
	if (g == NULL)
		return;
	CHECK(what, strcmp(g->socket, socket) == 0, "%s: socket '%s', want '%s'",
	      g->name, g->socket, socket);
	CHECK(what, g->channel == DP_CHAN_MEMIF, "%s: channel %d", g->name, g->channel);
	CHECK(what, strcmp(g->handler, "echo") == 0, "%s: handler '%s'", g->name,
	      g->handler);
	CHECK(what, g->socket_mode == 0600, "%s: socket_mode %o", g->name,
	      (unsigned int)g->socket_mode);
	CHECK(what, secret_is(g, ""), "%s: secret set", g->name);
	CHECK(what, g->memif.interface_id == 0, "%s: interface_id %u", g->name,
	      g->memif.interface_id);
	CHECK(what, g->memif.max_regions == 4, "%s: max_regions %u", g->name,
	      g->memif.max_regions);
	CHECK(what, g->memif.max_region_size == (uint64_t)256 << 20,
	      "%s: max_region_size %" PRIu64, g->name, g->memif.max_region_size);
	CHECK(what, g->memif.max_log2_ring == 12, "%s: max_log2_ring %u", g->name,
	      g->memif.max_log2_ring);
	CHECK(what, g->max_frame == 9728, "%s: max_frame %u", g->name, g->max_frame);
	CHECK(what, g->max_chain == 16, "%s: max_chain %u", g->name, g->max_chain);
	CHECK(what, g->max_sessions == 16 && g->max_inflight == 256,
	      "%s: max_sessions %u max_inflight %u", g->name, g->max_sessions,
	      g->max_inflight);
	CHECK(what, g->fn_allowed == all_functions(), "%s: fn_allowed %#x, want %#x",
	      g->name, g->fn_allowed, all_functions());
	CHECK(what, g->fair.poll_budget == 32 && g->fair.weight == 1 &&
	      g->fair.calls_per_s == 0 && g->fair.calls_burst == 0 &&
	      g->fair.bytes_per_s == 0 && g->fair.bytes_burst == 0,
	      "%s: fairness %" PRIu64 " x %" PRIu64 ", buckets set", g->name,
	      g->fair.poll_budget, g->fair.weight);
}

static void
check_global_defaults(const char *what, const char *runtime_dir)
{
	CHECK(what, strcmp(cfg.runtime_dir, runtime_dir) == 0, "runtime_dir '%s'",
	      cfg.runtime_dir);
	CHECK(what, cfg.mbufs == 16383, "mbufs %u", cfg.mbufs);
	CHECK(what, cfg.handshake_timeout_ms == 5000, "handshake_timeout_ms %u",
	      cfg.handshake_timeout_ms);
	CHECK(what, cfg.function_capacity == 1024 && cfg.max_repetitions == 1000000000,
	      "function_capacity %u max_repetitions %" PRIu64,
	      cfg.function_capacity, cfg.max_repetitions);
}

static void
check_embedded(const char *what, const char *rt)
{
	const struct dp_guest_conf *g0 = guest(what, "demo0"), *g1 = guest(what, "demo1");
	char sock[128];

	CHECK(what, cfg.n_guests == 2 && cfg.n_ports == 1, "%u guests, %u ports",
	      cfg.n_guests, cfg.n_ports);
	CHECK(what, cfg.n_ports == 1 && strcmp(cfg.ports[0].name, "uplink0") == 0 &&
	      strcmp(cfg.ports[0].devargs, "net_null0,no-rx=1") == 0,
	      "port '%s' devargs '%s'", cfg.ports[0].name, cfg.ports[0].devargs);
	CHECK(what, cfg.mbufs == 16383 && cfg.handshake_timeout_ms == 5000,
	      "mbufs %u timeout %u", cfg.mbufs, cfg.handshake_timeout_ms);
	CHECK(what, strcmp(cfg.runtime_dir, rt) == 0, "runtime_dir '%s', want '%s'",
	      cfg.runtime_dir, rt);
	CHECK(what, cfg.mac_aging_s == 300 && cfg.mac_table_size == 8192 &&
	      cfg.ports[0].role == DP_PORT_UPLINK, "mac_aging_s %u mac_table_size %u "
	      "role %d", cfg.mac_aging_s, cfg.mac_table_size, (int)cfg.ports[0].role);
	CHECK(what, g0 == NULL || !g0->has_mac, "demo0 has a mac");
	if (g0 != NULL) {
		snprintf(sock, sizeof(sock), "%s/demo0.sock", rt);
		CHECK(what, strcmp(g0->socket, sock) == 0, "demo0 socket '%s'", g0->socket);
		CHECK(what, dp_handler_find(g0->handler) != NULL &&
		      secret_is(g0, "demo0-secret"),
		      "demo0 handler '%s' or secret wrong", g0->handler);
	}
	if (g1 != NULL) {
		snprintf(sock, sizeof(sock), "%s/demo1.sock", rt);
		CHECK(what, strcmp(g1->socket, sock) == 0, "demo1 socket '%s'", g1->socket);
		CHECK(what, dp_handler_find(g1->handler) != NULL &&
		      secret_is(g1, "demo1-secret"),
		      "demo1 handler '%s' or secret wrong", g1->handler);
	}
}

static void
ok_embedded(const char *what)
{
	check_embedded(what, "/run/hostlane");
}

static void
ok_embedded_rt(const char *what)
{
	check_embedded(what, "/tmp/hl-override");
}

static const char all_keys[] =
	"; every key, none at its default\n"
	"[hostlane]\n"
	"runtime_dir = /tmp/hl-unit-rt\n"
	"mbufs = 4095\n"
	"handshake_timeout_ms = 250\n"
	"function_capacity = 7\n"
	"max_repetitions = 18446744073709551615\n"
	"mac_aging_s = 1000000\n"
	"mac_table_size = 64\n"
	"mac_limit_per_port = 5\n"
	"\n"
	"[port up0]\n"
	"devargs = net_null0,no-rx=1\n"
	"role = uplink\n"
	"[port up1]\n"
	"role = exception\n"
	"devargs = 0000:3b:00.0\n"
	"\n"
	"[guest g1]\n"
	"channel = memif\n"
	"socket = /tmp/hl-unit/g1.sock\n"
	"socket_mode = 0660\n"
	"secret = abcdefghijklmnopqrstuvwx\n"
	"interface_id = 4294967295\n"
	"handler = drop\n"
	"max_regions = 8\n"
	"max_region_size = 1G\n"
	"max_ring_size = 16384\n"
	"max_frame = 65535\n"
	"max_chain = 64\n"
	"functions = factorial, crc32c\n"
	"max_sessions = 256\n"
	"max_inflight = 4096\n"
	"mac = 52:54:00:Ab:cD:ef\n"
	"\n"
	"[guest g2]\n"
	"channel = memif\n";

static void
check_all_keys(const char *what, const char *rt)
{
	const struct dp_guest_conf *g1 = guest(what, "g1"), *g2 = guest(what, "g2");
	char sock[128];

	CHECK(what, strcmp(cfg.runtime_dir, rt) == 0, "runtime_dir '%s', want '%s'",
	      cfg.runtime_dir, rt);
	CHECK(what, cfg.mbufs == 4095, "mbufs %u", cfg.mbufs);
	CHECK(what, cfg.handshake_timeout_ms == 250, "handshake_timeout_ms %u",
	      cfg.handshake_timeout_ms);
	CHECK(what, cfg.function_capacity == 7 && cfg.max_repetitions == UINT64_MAX,
	      "function_capacity %u max_repetitions %" PRIu64,
	      cfg.function_capacity, cfg.max_repetitions);
	CHECK(what, cfg.n_ports == 2 && cfg.n_guests == 2, "%u ports, %u guests",
	      cfg.n_ports, cfg.n_guests);
	CHECK(what, strcmp(cfg.ports[0].name, "up0") == 0 &&
	      strcmp(cfg.ports[0].devargs, "net_null0,no-rx=1") == 0 &&
	      strcmp(cfg.ports[1].name, "up1") == 0 &&
	      strcmp(cfg.ports[1].devargs, "0000:3b:00.0") == 0, "ports wrong");
	CHECK(what, cfg.ports[0].role == DP_PORT_UPLINK &&
	      cfg.ports[1].role == DP_PORT_EXCEPTION, "port roles %d %d",
	      (int)cfg.ports[0].role, (int)cfg.ports[1].role);
	CHECK(what, cfg.mac_aging_s == 1000000 && cfg.mac_table_size == 64,
	      "mac_aging_s %u mac_table_size %u", cfg.mac_aging_s, cfg.mac_table_size);
	CHECK(what, cfg.mac_limit_per_port == 5, "mac_limit_per_port %u",
	      cfg.mac_limit_per_port);
	CHECK(what, g1 == NULL || (g1->has_mac && memcmp(g1->mac,
	      (uint8_t[6]){ 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef }, 6) == 0),
	      "g1 mac wrong");
	CHECK(what, g2 == NULL || !g2->has_mac, "g2 has a mac");
	if (g1 != NULL) {
		/* An explicit socket is kept whatever the runtime dir. */
		CHECK(what, strcmp(g1->socket, "/tmp/hl-unit/g1.sock") == 0,
		      "g1 socket '%s'", g1->socket);
		CHECK(what, g1->socket_mode == 0660, "g1 socket_mode %o",
		      (unsigned int)g1->socket_mode);
		CHECK(what, memcmp(g1->memif.secret, "abcdefghijklmnopqrstuvwx",
				   MEMIF_SECRET_LEN) == 0, "g1 secret wrong");
		CHECK(what, g1->memif.interface_id == UINT32_MAX, "g1 interface_id %u",
		      g1->memif.interface_id);
		CHECK(what, strcmp(g1->handler, "drop") == 0, "g1 handler '%s'", g1->handler);
		CHECK(what, g1->memif.max_regions == 8, "g1 max_regions %u",
		      g1->memif.max_regions);
		CHECK(what, g1->memif.max_region_size == (uint64_t)1 << 30,
		      "g1 max_region_size %" PRIu64, g1->memif.max_region_size);
		CHECK(what, g1->memif.max_log2_ring == 14, "g1 max_log2_ring %u",
		      g1->memif.max_log2_ring);
		CHECK(what, g1->max_frame == 65535 && g1->max_chain == 64,
		      "g1 max_frame %u max_chain %u", g1->max_frame, g1->max_chain);
		CHECK(what, g1->fn_allowed == (FPGA_FN_BIT(FPGA_FN_FACTORIAL) |
					      FPGA_FN_BIT(FPGA_FN_CRC32C)),
		      "g1 fn_allowed %#x", g1->fn_allowed);
		CHECK(what, g1->max_sessions == DP_MAX_SESSIONS &&
		      g1->max_inflight == DP_MAX_INFLIGHT,
		      "g1 max_sessions %u max_inflight %u", g1->max_sessions,
		      g1->max_inflight);
	}
	snprintf(sock, sizeof(sock), "%s/g2.sock", rt);
	check_guest_defaults(what, g2, sock);
}

static void
ok_all_keys(const char *what)
{
	check_all_keys(what, "/tmp/hl-unit-rt");
}

static void
ok_all_keys_rt(const char *what)
{
	check_all_keys(what, "/tmp/hl-override");
}

static void
ok_minimums(const char *what)
{
	const struct dp_guest_conf *g = guest(what, "m");

	CHECK(what, cfg.mbufs == 1023 && cfg.handshake_timeout_ms == 10 &&
	      cfg.function_capacity == 1 && cfg.max_repetitions == 1,
	      "mbufs %u timeout %u capacity %u reps %" PRIu64, cfg.mbufs,
	      cfg.handshake_timeout_ms, cfg.function_capacity, cfg.max_repetitions);
	if (g == NULL)
		return;
	CHECK(what, g->max_sessions == 1 && g->max_inflight == 1 &&
	      g->fn_allowed == FPGA_FN_BIT(FPGA_FN_ECHO), "sessions %u inflight %u fns %#x",
	      g->max_sessions, g->max_inflight, g->fn_allowed);
	CHECK(what, g->memif.max_regions == 1 && g->memif.max_region_size == 4096 &&
	      g->memif.max_log2_ring == 1 && g->max_frame == 64 && g->max_chain == 1 &&
	      g->socket_mode == 0 && g->memif.interface_id == 0,
	      "minimums not kept: regions %u size %" PRIu64 " log2 %u frame %u "
	      "chain %u mode %o id %u", g->memif.max_regions,
	      g->memif.max_region_size, g->memif.max_log2_ring, g->max_frame,
	      g->max_chain, (unsigned int)g->socket_mode, g->memif.interface_id);
}

static void
ok_maximums(const char *what)
{
	const struct dp_guest_conf *g = guest(what, "m");

	CHECK(what, cfg.mbufs == 1u << 22 && cfg.handshake_timeout_ms == 600000,
	      "mbufs %u timeout %u", cfg.mbufs, cfg.handshake_timeout_ms);
	if (g == NULL)
		return;
	CHECK(what, g->memif.max_region_size == (uint64_t)16 << 30 &&
	      g->socket_mode == 0777, "size %" PRIu64 " mode %o",
	      g->memif.max_region_size, (unsigned int)g->socket_mode);
}

static void
ok_sizes(const char *what)
{
	static const struct { const char *g; uint64_t size; } want[] = {
		{ "k", (uint64_t)64 << 10 }, { "m", (uint64_t)4 << 20 },
		{ "g", (uint64_t)16 << 30 }, { "b", 1048576 },
		{ "bg", (uint64_t)16 << 30 }, { "x", 65536 },
	};

	for (size_t i = 0; i < RTE_DIM(want); i++) {
		const struct dp_guest_conf *g = guest(what, want[i].g);

		if (g != NULL)
			CHECK(what, g->memif.max_region_size == want[i].size,
			      "guest %s: %" PRIu64 ", want %" PRIu64, want[i].g,
			      g->memif.max_region_size, want[i].size);
	}
}

static void
ok_empty(const char *what)
{
	CHECK(what, cfg.n_guests == 0 && cfg.n_ports == 0, "%u guests, %u ports",
	      cfg.n_guests, cfg.n_ports);
	check_global_defaults(what, "/run/hostlane");
}

static void
ok_layout(const char *what)
{
	const struct dp_guest_conf *g = guest(what, "Gx_9-a");

	CHECK(what, cfg.n_guests == 1 && cfg.n_ports == 0, "%u guests, %u ports",
	      cfg.n_guests, cfg.n_ports);
	if (g != NULL)
		CHECK(what, g->max_chain == 7 && strcmp(g->handler, "drop") == 0 &&
		      secret_is(g, "x y"), "values around spaces and comments wrong "
		      "(chain %u handler '%s')", g->max_chain, g->handler);
	CHECK(what, cfg.mbufs == 2047, "mbufs %u", cfg.mbufs);
}

static void
ok_default_vs_explicit(const char *what)
{
	const struct dp_guest_conf *a = guest(what, "a"), *b = guest(what, "b");

	if (a != NULL && b != NULL)
		CHECK(what, strcmp(a->socket, "/tmp/hl-unit-rt/a.sock") == 0 &&
		      strcmp(b->socket, "/tmp/hl-unit-rt/b.sock") == 0,
		      "sockets '%s' '%s'", a->socket, b->socket);
}

static void
ok_punct_secret(const char *what)
{
	const struct dp_guest_conf *g = guest(what, "g");

	if (g != NULL)
		CHECK(what, secret_is(g, "~!@#$%^&*()_+{}|:<>?` .,"), "secret not kept");
}

static void
ok_pfs(const char *what)
{
	const struct dp_pf_conf *a = &cfg.pfs[0], *b = &cfg.pfs[1];

	CHECK(what, cfg.n_pfs == 2, "%u PFs", cfg.n_pfs);
	if (cfg.n_pfs != 2)
		return;
	CHECK(what, strcmp(a->name, "p0") == 0 && strcmp(a->pci, "0000:3b:00.1") == 0 &&
	      a->netdev[0] == '\0' && a->vfs == 65535,
	      "p0: name '%s' pci '%s' netdev '%s' vfs %u", a->name, a->pci, a->netdev,
	      a->vfs);
	CHECK(what, strcmp(b->name, "p1") == 0 && b->pci[0] == '\0' &&
	      strcmp(b->netdev, "enp59s0f0np0xx") == 0 && b->vfs == 0,
	      "p1: name '%s' pci '%s' netdev '%s' vfs %u", b->name, b->pci, b->netdev,
	      b->vfs);
}

static void
ok_idle(const char *what)
{
	CHECK(what, cfg.idle.mode == DP_IDLE_POLL && cfg.idle.spin_us == 5 &&
	      cfg.idle.pause_us == 0 && cfg.idle.sleep_max_us == 100000 &&
	      cfg.idle.block_us == 7, "idle %u spin %u pause %u sleep %u block %u",
	      cfg.idle.mode, cfg.idle.spin_us, cfg.idle.pause_us,
	      cfg.idle.sleep_max_us, cfg.idle.block_us);
	CHECK(what, cfg.n_lcore_confs == 2 && cfg.lcore_confs[0].id == 1 &&
	      cfg.lcore_confs[0].idle == DP_IDLE_ADAPTIVE &&
	      cfg.lcore_confs[1].id == 3 && cfg.lcore_confs[1].idle == DP_IDLE_POLL,
	      "%u [lcore] sections", cfg.n_lcore_confs);
}

static void
ok_idle_default(const char *what)
{
	CHECK(what, cfg.idle.mode == DP_IDLE_ADAPTIVE && cfg.n_lcore_confs == 0,
	      "idle %u, %u [lcore] sections", cfg.idle.mode, cfg.n_lcore_confs);
}

static void
ok_balance(const char *what)
{
	CHECK(what, cfg.balance.placement == DP_BAL_CYCLES &&
	      cfg.balance.interval_ms == 500 && cfg.balance.threshold_pct == 40,
	      "placement %u interval %u threshold %u", cfg.balance.placement,
	      cfg.balance.interval_ms, cfg.balance.threshold_pct);
}

static void
ok_balance_default(const char *what)
{
	CHECK(what, cfg.balance.placement == DP_BAL_ROUNDROBIN &&
	      cfg.balance.interval_ms == 0 && cfg.balance.threshold_pct == 25,
	      "placement %u interval %u threshold %u", cfg.balance.placement,
	      cfg.balance.interval_ms, cfg.balance.threshold_pct);
}

static void
ok_any(const char *what)
{
	(void)what;
}

static void
ok_fair(const char *what)
{
	const struct dp_guest_conf *g = guest(what, "g");

	if (g == NULL)
		return;
	CHECK(what, g->fair.poll_budget == 256 && g->fair.weight == 16 &&
	      g->fair.calls_per_s == 100000000 && g->fair.calls_burst == 7 &&
	      g->fair.bytes_per_s == (uint64_t)100 << 30 &&
	      g->fair.bytes_burst == (uint64_t)64 << 10,
	      "budget %" PRIu64 " weight %" PRIu64 " calls %" PRIu64 "/%" PRIu64
	      " bytes %" PRIu64 "/%" PRIu64, g->fair.poll_budget, g->fair.weight,
	      g->fair.calls_per_s, g->fair.calls_burst, g->fair.bytes_per_s,
	      g->fair.bytes_burst);
}

static void
ok_passthrough(const char *what)
{
	CHECK(what, strcmp(cfg.vf.pt_driver, "e1000e") == 0 &&
	      strcmp(cfg.vf.pt_bus, "pci.7") == 0 &&
	      cfg.vf.unplug_timeout_ms == 600000, "driver '%s' bus '%s' %u ms",
	      cfg.vf.pt_driver, cfg.vf.pt_bus, cfg.vf.unplug_timeout_ms);
}

static void
ok_sock(const char *what)
{
	const struct dp_guest_conf *g = guest(what, "g");
	const struct dp_sock_conf *c;
	const uint8_t lo4[4] = { 127, 0, 0, 1 }, ten[4] = { 10, 9, 8, 7 };
	const uint8_t lo6[16] = { [15] = 1 };

	if (g == NULL)
		return;
	c = &g->sock;
	CHECK(what, c->enabled && c->max_sockets == 4096 &&
	      c->families == DP_SOCK_FAM_INET6 && c->n_bind == 2 &&
	      c->host.lo == 41000 && c->host.hi == 41009 && c->n_connect == 3 &&
	      strcmp(c->netns, "blue") == 0, "sockets %u max %u fam %u binds %u "
	      "host %u-%u rules %u netns '%s'", c->enabled, c->max_sockets,
	      c->families, c->n_bind, c->host.lo, c->host.hi, c->n_connect, c->netns);
	CHECK(what, dp_sock_conf_bind_ok(c, 0) && dp_sock_conf_bind_ok(c, 8080) &&
	      dp_sock_conf_bind_ok(c, 9000) && dp_sock_conf_bind_ok(c, 9099) &&
	      !dp_sock_conf_bind_ok(c, 9100) && !dp_sock_conf_bind_ok(c, 22),
	      "bind ranges");
	CHECK(what, dp_sock_conf_dest_ok(c, HL_SOCK_AF_INET, ten, 80) &&
	      !dp_sock_conf_dest_ok(c, HL_SOCK_AF_INET, ten, 81) &&
	      dp_sock_conf_dest_ok(c, HL_SOCK_AF_INET, lo4, 5) &&
	      dp_sock_conf_dest_ok(c, HL_SOCK_AF_INET6, lo6, 5000) &&
	      !dp_sock_conf_dest_ok(c, HL_SOCK_AF_INET6, lo6, 4999) &&
	      !dp_sock_conf_dest_ok(c, HL_SOCK_AF_INET6, lo4, 80) &&
	      !dp_sock_conf_family_ok(c, HL_SOCK_AF_INET) &&
	      dp_sock_conf_family_ok(c, HL_SOCK_AF_INET6), "destinations, families");
}

static void
ok_sock_default(const char *what)
{
	const struct dp_guest_conf *g = guest(what, "g");

	if (g == NULL)
		return;
	CHECK(what, !g->sock.enabled && g->sock.max_sockets == 64 &&
	      g->sock.n_connect == 0 && cfg.sockets.workers == 1 &&
	      cfg.sockets.budget[0] == 16, "defaults: sockets %u, max %u, workers %u",
	      g->sock.enabled, g->sock.max_sockets, cfg.sockets.workers);
}

/* ---- the table ------------------------------------------------------------ */

struct cfg_case {
	const char *name;
	const char *text;	/* NULL: the embedded default */
	const char *runtime_dir;
	int rc;
	const char *want[3];	/* substrings of the error (besides the file);
				 * "a|b" accepts either */
	void (*check)(const char *what);
};

#define OK(name, text, rt, fn) { name, text, rt, 0, { NULL }, fn }
#define BAD(name, text, ...) { name, text, NULL, -EINVAL, { __VA_ARGS__ }, NULL }
#define G "[guest g]\n"

static const struct cfg_case cases[] = {
	OK("embedded default", NULL, NULL, ok_embedded),
	OK("embedded default, --runtime-dir", NULL, "/tmp/hl-override", ok_embedded_rt),
	OK("every key", all_keys, NULL, ok_all_keys),
	OK("every key, --runtime-dir", all_keys, "/tmp/hl-override", ok_all_keys_rt),
	OK("minimums", "[hostlane]\nmbufs = 1023\nhandshake_timeout_ms = 10\n"
	   "function_capacity = 1\nmax_repetitions = 1\n"
	   "[guest m]\nmax_sessions = 1\nmax_inflight = 1\nfunctions = echo\n"
	   "max_regions = 1\nmax_region_size = 4096\nmax_ring_size = 2\n"
	   "max_frame = 64\nmax_chain = 1\nsocket_mode = 0\ninterface_id = 0\n",
	   NULL, ok_minimums),
	OK("maximums", "[hostlane]\nmbufs = 4194304\nhandshake_timeout_ms = 600000\n"
	   "[guest m]\nmax_region_size = 16G\nsocket_mode = 0777\n", NULL, ok_maximums),
	OK("size suffixes", "[guest k]\nmax_region_size = 64K\n"
	   "[guest m]\nmax_region_size = 4M\n[guest g]\nmax_region_size = 16G\n"
	   "[guest b]\nmax_region_size = 1048576\n"
	   "[guest bg]\nmax_region_size = 17179869184\n"
	   "[guest x]\nmax_region_size = 065536\n", NULL, ok_sizes),
	OK("empty file", "", NULL, ok_empty),
	OK("comments, blanks, spaces", "; top comment\n\n  [hostlane]  \n"
	   "mbufs=2047\n[guest Gx_9-a]\n\tmax_chain   =   7  \n; handler = echo\n"
	   "handler = drop\nsecret = x y\n", NULL, ok_layout),
	OK("default socket next to explicit ones",
	   "[hostlane]\nruntime_dir = /tmp/hl-unit-rt\n[guest a]\n"
	   "[guest b]\nsocket = /tmp/hl-unit-rt/b.sock\n", NULL, ok_default_vs_explicit),
	OK("secret of 24 bytes", G "secret = 123456789012345678901234\n", NULL, ok_any),

	/* Fairness: a guest's budget, weight and token buckets. */
	OK("fairness keys", G "poll_budget = 256\nweight = 16\ncalls_per_s = 100000000\n"
	   "calls_burst = 7\nbytes_per_s = 100G\nbytes_burst = 64K\n", NULL, ok_fair),
	/* Sockets: the service and a guest's policy (sock_conf.h). */
	OK("socket keys", "[sockets]\nworkers = 16\ncpus = 0-1,3\nbudget_recv = 4096\n"
	   G "sockets = yes\nmax_sockets = 4096\nsock_families = inet6\n"
	   "sock_bind_ports = 8080,9000-9099\nsock_host_ports = 41000-41009\n"
	   "sock_connect = 10.0.0.0/8:80,127.0.0.1,[::1/128]:5000-5999\n"
	   "sock_netns = blue\n", NULL, ok_sock),
	OK("socket defaults", G "handler = hostlane\n", NULL, ok_sock_default),
	BAD("sockets maybe", G "sockets = maybe\n", "[guest g] sockets:", "not yes or no"),
	BAD("sock key without sockets", G "sock_bind_ports = 80\n", "[guest g] sockets:",
	    "sockets is not yes"),
	BAD("max_sockets 0", G "sockets = yes\nmax_sockets = 0\n", "[guest g] max_sockets:",
	    "[1, 4096]"),
	BAD("max_sockets 4097", G "sockets = yes\nmax_sockets = 4097\n", "max_sockets:",
	    "[1, 4096]"),
	BAD("sock family", G "sockets = yes\nsock_families = inet,unix\n",
	    "[guest g] sock_families:", "'unix' is not inet or inet6"),
	BAD("bind range upside down", G "sockets = yes\nsock_bind_ports = 90-80\n",
	    "[guest g] sock_bind_ports:", "LO <= HI"),
	BAD("bind port 0 in a range", G "sockets = yes\nsock_bind_ports = 0-10\n",
	    "sock_bind_ports:", "not a port"),
	BAD("bind port 65536", G "sockets = yes\nsock_bind_ports = 65536\n",
	    "sock_bind_ports:", "not a port"),
	BAD("nine bind ranges", G "sockets = yes\nsock_bind_ports = 1,2,3,4,5,6,7,8,9\n",
	    "sock_bind_ports:", "more than 8"),
	BAD("host ports", G "sockets = yes\nsock_host_ports = some\n",
	    "[guest g] sock_host_ports:", "not same, ephemeral or"),
	BAD("connect prefix 33", G "sockets = yes\nsock_connect = 10.0.0.0/33\n",
	    "[guest g] sock_connect:", "A.B.C.D[/N]"),
	BAD("connect bad address", G "sockets = yes\nsock_connect = 10.0.0.256\n",
	    "sock_connect:", "A.B.C.D[/N]"),
	BAD("connect unbracketed v6", G "sockets = yes\nsock_connect = ::1:80\n",
	    "sock_connect:", "A.B.C.D[/N]"),
	BAD("connect ports", G "sockets = yes\nsock_connect = 10.0.0.1:80-x\n",
	    "sock_connect:", "the ports after ':'"),
	BAD("netns path", G "sockets = yes\nsock_netns = ../etc\n", "[guest g] sock_netns:",
	    "not a namespace name"),
	BAD("socket workers 0", "[sockets]\nworkers = 0\n", "[sockets] workers:", "[1, 16]"),
	BAD("socket cpus backwards", "[sockets]\ncpus = 3,1\n", "[sockets] cpus:", "ascend"),
	BAD("socket budget 0", "[sockets]\nbudget_cmd = 0\n", "[sockets] budget_cmd:",
	    "[1, 4096]"),
	BAD("socket unknown key", "[sockets]\nthreads = 2\n", "[sockets] threads:",
	    "unknown key"),
	BAD("poll_budget 0", G "poll_budget = 0\n", "[guest g] poll_budget:",
	    "out of range [1, 256]"),
	BAD("weight 17", G "weight = 17\n", "[guest g] weight:", "out of range [1, 16]"),
	BAD("calls_per_s too high", G "calls_per_s = 100000001\n", "calls_per_s",
	    "out of range"),
	BAD("bytes_per_s not a size", G "bytes_per_s = 1T\n", "bytes_per_s", "not a size"),
	BAD("bytes_burst above 256M", G "bytes_per_s = 1M\nbytes_burst = 512M\n",
	    "bytes_burst", "out of range"),
	BAD("calls_burst without its rate", G "calls_burst = 10\n",
	    "[guest g] calls_burst:", "given without calls_per_s"),
	BAD("bytes_burst without its rate", G "bytes_burst = 10\n",
	    "[guest g] bytes_burst:", "given without bytes_per_s"),

	/* Placement and rebalancing: [hostlane] placement, rebalance_*. */
	OK("placement keys", "[hostlane]\nplacement = cycles\nrebalance_interval_ms = 500\n"
	   "rebalance_threshold = 40\n", NULL, ok_balance),
	OK("placement default", "[hostlane]\nmbufs = 2047\n", NULL, ok_balance_default),
	BAD("placement unknown", "[hostlane]\nplacement = random\n",
	    "[hostlane] placement:", "not roundrobin or cycles"),
	BAD("rebalance interval too short", "[hostlane]\nrebalance_interval_ms = 50\n",
	    "[hostlane] rebalance_interval_ms:", "below 100"),
	BAD("rebalance interval not a number", "[hostlane]\nrebalance_interval_ms = often\n",
	    "rebalance_interval_ms"),
	BAD("rebalance threshold 0", "[hostlane]\nrebalance_threshold = 0\n",
	    "[hostlane] rebalance_threshold:", "out of range [1, 100]"),
	BAD("rebalance threshold above 100", "[hostlane]\nrebalance_threshold = 101\n",
	    "rebalance_threshold", "out of range"),
	BAD("rebalance key unknown", "[hostlane]\nrebalance_every = 3\n",
	    "rebalance_every", "unknown key"),

	/* Adaptive idle: [hostlane] idle* and [lcore N]. */
	OK("idle keys and [lcore N]", "[hostlane]\nidle = poll\nidle_spin_us = 5\n"
	   "idle_pause_us = 0\nidle_sleep_max_us = 100000\nidle_block_us = 7\n"
	   "[lcore 1]\nidle = adaptive\n[lcore 3]\nidle = poll\n", NULL, ok_idle),
	OK("idle default", "[hostlane]\nmbufs = 2047\n", NULL, ok_idle_default),
	BAD("idle mode unknown", "[hostlane]\nidle = sometimes\n", "idle",
	    "not poll or adaptive"),
	BAD("idle sleep 0", "[hostlane]\nidle_sleep_max_us = 0\n", "idle_sleep_max_us"),
	BAD("idle key unknown", "[hostlane]\nidle_nap_us = 3\n", "idle_nap_us", "unknown key"),
	BAD("lcore id not a number", "[lcore x]\nidle = poll\n", "[lcore x]", "not an lcore id"),
	BAD("lcore id too large", "[lcore 100000]\nidle = poll\n", "[lcore 100000]",
	    "not an lcore id"),
	BAD("lcore key unknown", "[lcore 1]\nmode = poll\n", "mode", "unknown key"),
	BAD("lcore idle unknown", "[lcore 1]\nidle = spin\n", "idle", "not poll or adaptive"),

	/* Sections. */
	BAD("unknown section", "[hostlanes]\nmbufs = 2047\n", "[hostlanes]", "unknown section"),
	BAD("guest without name", "[guest]\n", "[guest]", "unknown section"),
	BAD("guest name all blank", "[guest ]\nmax_chain = 2\n", "[guest]", "unknown section"),
	BAD("guest name with dot", "[guest a.b]\n", "[guest a.b]", "guest name"),
	BAD("guest name with space", "[guest a b]\n", "[guest a b]", "guest name"),
	BAD("guest name with slash", "[guest ../x]\n", "[guest ../x]", "guest name"),
	BAD("guest name of 32", "[guest abcdefghijklmnopqrstuvwxyz012345]\n",
	    "[guest abcdefghijklmnopqrstuvwxyz012345]", "guest name"),
	BAD("duplicate guest", "[guest a]\nmax_chain = 2\n[guest b]\n[guest a]\nmax_chain = 3\n",
	    "[guest a]", "twice"),
	BAD("port bad name", "[port up:0]\ndevargs = net_null0\n", "[port up:0]", "port name"),
	BAD("duplicate port", "[port p]\ndevargs = net_null0\n[port p]\ndevargs = net_null1\n",
	    "[port p]", "twice"),

	/* Keys. */
	BAD("unknown key in [hostlane]", "[hostlane]\nmbuf = 2047\n", "[hostlane] mbuf:", "unknown key"),
	BAD("unknown key in guest", G "sockett = /tmp/x.sock\n", "[guest g] sockett:", "unknown key"),
	BAD("key case matters", G "Handler = echo\n", "[guest g] Handler:", "unknown key"),
	BAD("unknown handler", G "handler = reflect\n", "[guest g] handler:", "unknown handler"),
	BAD("unknown channel", G "channel = carrier-pigeon\n", "[guest g] channel:", "unknown channel"),
	BAD("relative socket", G "socket = run/g.sock\n", "[guest g] socket:", "absolute"),
	BAD("relative runtime_dir", "[hostlane]\nruntime_dir = run\n", "[hostlane] runtime_dir:", "absolute"),
	BAD("secret of 25 bytes", G "secret = 1234567890123456789012345\n", "[guest g] secret:", "24"),
	BAD("port without devargs", "[port p]\ndevarg = net_null0\n", "[port p]", "devargs"),
	BAD("port with no keys", "[port p]\n[guest g]\n", "[port p]", "devargs"),
	BAD("port with extra key", "[port p]\ndevargs = net_null0\nqueues = 2\n",
	    "[port p] queues:", "unknown key"),
	BAD("port role unknown", "[port p]\ndevargs = net_null0\nrole = trunk\n",
	    "[port p] role:", "unknown role"),
	BAD("port role only", "[port p]\nrole = uplink\n", "[port p]", "devargs"),
	BAD("mac multicast", G "mac = 01:00:5e:00:00:01\n", "[guest g] mac:", "unicast"),
	BAD("mac broadcast", G "mac = ff:ff:ff:ff:ff:ff\n", "[guest g] mac:", "unicast"),
	BAD("mac zero", G "mac = 00:00:00:00:00:00\n", "[guest g] mac:", "unicast"),
	BAD("mac short", G "mac = 52:54:00:12:34\n", "[guest g] mac:", "unicast"),
	BAD("mac long", G "mac = 52:54:00:12:34:56:78\n", "[guest g] mac:", "unicast"),
	BAD("mac dashes", G "mac = 52-54-00-12-34-56\n", "[guest g] mac:", "unicast"),
	BAD("mac one digit", G "mac = 52:54:0:12:34:567\n", "[guest g] mac:", "unicast"),
	BAD("mac not hex", G "mac = 52:54:00:12:34:zz\n", "[guest g] mac:", "unicast"),
	BAD("mac with sign", G "mac = 52:54:00:12:+3:45\n", "[guest g] mac:", "unicast"),
	BAD("mac_aging_s 0", "[hostlane]\nmac_aging_s = 0\n", "[hostlane] mac_aging_s:", "range"),
	BAD("mac_table_size small", "[hostlane]\nmac_table_size = 63\n",
	    "[hostlane] mac_table_size:", "range"),
	BAD("mac_limit_per_port 0", "[hostlane]\nmac_limit_per_port = 0\n",
	    "[hostlane] mac_limit_per_port:", "range"),
	BAD("duplicate socket", "[guest a]\nsocket = /tmp/s.sock\n[guest b]\nsocket = /tmp/s.sock\n",
	    "[guest b] socket:", "guest a"),
	BAD("explicit socket on a default one",
	    "[hostlane]\nruntime_dir = /tmp/rt\n[guest a]\n[guest b]\nsocket = /tmp/rt/a.sock\n",
	    "[guest b] socket:", "guest a"),

	/* Numbers. */
	BAD("bad number", "[hostlane]\nmbufs = 12x\n", "[hostlane] mbufs:", "not a"),
	BAD("number with space", "[hostlane]\nmbufs = 20 47\n", "[hostlane] mbufs:", "not a"),
	BAD("number 9 in octal", G "socket_mode = 0689\n", "[guest g] socket_mode:", "not a"),
	BAD("negative number", "[hostlane]\nmbufs = -1\n", "[hostlane] mbufs:", "not a"),
	BAD("negative chain", G "max_chain = -5\n", "[guest g] max_chain:", "not a"),
	BAD("minus zero", G "socket_mode = -0\n", "[guest g] socket_mode:", "not a"),
	BAD("plus sign", G "interface_id = +5\n", "[guest g] interface_id:", "not a"),
	BAD("number too big for 64 bits", G "interface_id = 18446744073709551616\n",
	    "[guest g] interface_id:", "not a"),
	BAD("suffix on a count", "[hostlane]\nmbufs = 4K\n", "[hostlane] mbufs:", "not a"),
	BAD("mbufs below range", "[hostlane]\nmbufs = 1022\n", "[hostlane] mbufs:", "out of range"),
	BAD("mbufs above range", "[hostlane]\nmbufs = 4194305\n", "[hostlane] mbufs:", "out of range"),
	BAD("timeout below range", "[hostlane]\nhandshake_timeout_ms = 9\n",
	    "[hostlane] handshake_timeout_ms:", "out of range"),
	BAD("timeout above range", "[hostlane]\nhandshake_timeout_ms = 600001\n",
	    "[hostlane] handshake_timeout_ms:", "out of range"),
	BAD("interface_id above 32 bits", G "interface_id = 4294967296\n",
	    "[guest g] interface_id:", "out of range"),
	BAD("socket_mode above 0777", G "socket_mode = 01000\n", "[guest g] socket_mode:", "not an octal mode"),
	BAD("max_regions 0", G "max_regions = 0\n", "[guest g] max_regions:", "out of range"),
	BAD("max_regions 9", G "max_regions = 9\n", "[guest g] max_regions:", "out of range"),
	BAD("max_frame 63", G "max_frame = 63\n", "[guest g] max_frame:", "out of range"),
	BAD("max_frame 65536", G "max_frame = 65536\n", "[guest g] max_frame:", "out of range"),
	BAD("max_chain 0", G "max_chain = 0\n", "[guest g] max_chain:", "out of range"),
	BAD("max_chain 65", G "max_chain = 65\n", "[guest g] max_chain:", "out of range"),
	BAD("max_ring_size 1", G "max_ring_size = 1\n", "[guest g] max_ring_size:", "out of range"),
	BAD("max_ring_size 0", G "max_ring_size = 0\n", "[guest g] max_ring_size:", "out of range"),
	BAD("max_ring_size 32768", G "max_ring_size = 32768\n", "[guest g] max_ring_size:", "out of range"),
	BAD("max_ring_size 3", G "max_ring_size = 3\n", "[guest g] max_ring_size:", "power of two"),
	BAD("max_ring_size 4095", G "max_ring_size = 4095\n", "[guest g] max_ring_size:", "power of two"),
	BAD("max_ring_size 12288", G "max_ring_size = 12288\n", "[guest g] max_ring_size:", "power of two"),
	BAD("max_sessions 0", G "max_sessions = 0\n", "[guest g] max_sessions:", "out of range"),
	BAD("max_sessions 257", G "max_sessions = 257\n", "[guest g] max_sessions:", "out of range"),
	BAD("max_inflight 0", G "max_inflight = 0\n", "[guest g] max_inflight:", "out of range"),
	BAD("max_inflight 4097", G "max_inflight = 4097\n", "[guest g] max_inflight:", "out of range"),
	BAD("function_capacity 0", "[hostlane]\nfunction_capacity = 0\n",
	    "[hostlane] function_capacity:", "out of range"),
	BAD("function_capacity 2^20 + 1", "[hostlane]\nfunction_capacity = 1048577\n",
	    "[hostlane] function_capacity:", "out of range"),
	BAD("max_repetitions 0", "[hostlane]\nmax_repetitions = 0\n",
	    "[hostlane] max_repetitions:", "out of range"),
	BAD("max_repetitions 2^64", "[hostlane]\nmax_repetitions = 18446744073709551616\n",
	    "[hostlane] max_repetitions:", "not a"),
	BAD("unknown function", G "functions = factorial, sqrt\n", "[guest g] functions:", "sqrt"),
	BAD("all among others", G "functions = echo, all\n", "[guest g] functions:", "unknown function"),
	BAD("function name case", G "functions = CRC32C\n", "[guest g] functions:", "unknown function"),
	BAD("max_ring_size junk", G "max_ring_size = big\n", "[guest g] max_ring_size:", "not a"),

	/* Sizes. */
	BAD("size 1K below range", G "max_region_size = 1K\n", "[guest g] max_region_size:", "out of range"),
	BAD("size 4095", G "max_region_size = 4095\n", "[guest g] max_region_size:", "out of range"),
	BAD("size 17G", G "max_region_size = 17G\n", "[guest g] max_region_size:", "out of range"),
	BAD("size 16385M", G "max_region_size = 16385M\n", "[guest g] max_region_size:", "out of range"),
	BAD("size 16G + 1", G "max_region_size = 17179869185\n", "[guest g] max_region_size:", "out of range"),
	BAD("size lowercase k", G "max_region_size = 64k\n", "[guest g] max_region_size:", "not a size"),
	BAD("size T suffix", G "max_region_size = 1T\n", "[guest g] max_region_size:", "not a size"),
	BAD("size KB suffix", G "max_region_size = 64KB\n", "[guest g] max_region_size:", "not a size"),
	BAD("size suffix alone", G "max_region_size = M\n", "[guest g] max_region_size:", "not a size"),
	BAD("size negative", G "max_region_size = -1M\n", "[guest g] max_region_size:", "not a size"),
	BAD("size overflows with suffix", G "max_region_size = 18446744073709551615G\n",
	    "[guest g] max_region_size:", "not a size"),

	/* File shape. */
	BAD("line without '='", "[hostlane]\nmbufs = 2047\nhandshake_timeout_ms\n", "line 3"),
	BAD("key outside a section", "mbufs = 2047\n[hostlane]\n", "line 1"),
	BAD("section without ']'", "[hostlane\nmbufs = 2047\n", "line 1"),
	/* rte_cfgfile refuses empty values itself; the error must still say where. */
	BAD("empty value", G "secret =\n", "line 2|[guest g] secret:"),
	BAD("empty number", "[hostlane]\nmbufs =  \n", "line 2|[hostlane] mbufs:"),

	/* A key or a section given twice: rte_cfgfile would keep both and
	 * the parser see one. */
	BAD("key twice in [hostlane]", "[hostlane]\nmbufs = 2047\nmbufs = 4095\n",
	    "[hostlane] mbufs: given twice (lines 2 and 3)"),
	BAD("key twice in a guest, spelled apart", G "max_chain = 2\nhandler = drop\n"
	    "\t max_chain=3   ; again\n", "[guest g] max_chain: given twice (lines 2 and 4)"),
	BAD("secret twice", G "secret = a\nsecret = b\n", "[guest g] secret: given twice"),
	BAD("key twice in a port", "[port p]\ndevargs = net_null0\ndevargs = net_null1\n",
	    "[port p] devargs: given twice (lines 2 and 3)"),
	BAD("[hostlane] twice", "[hostlane]\nmbufs = 2047\n[guest a]\n[hostlane]\n"
	    "handshake_timeout_ms = 100\n", "[hostlane] given twice (lines 1 and 4)"),
	BAD("[hostlane] twice, blanks inside", "[hostlane]\n[ hostlane ]\n",
	    "[hostlane] given twice (lines 1 and 2)"),
	BAD("guest twice, keys apart", "[guest a]\nmax_chain = 2\n[guest b]\n[guest a]\n"
	    "handler = drop\n", "[guest a] given twice (lines 1 and 4)"),
	OK("one key in two sections", "[guest a]\nmax_chain = 2\n[guest b]\nmax_chain = 3\n"
	   "[hostlane]\nmbufs = 2047\n", NULL, ok_any),
	OK("a key commented out and given", G "; max_chain = 2\nmax_chain = 3\n", NULL,
	   ok_any),

	/* Control characters and secrets outside printable ASCII. */
	BAD("secret with a control byte", G "secret = ab\x01" "cd\n", "[guest g] secret:",
	    "0x01"),
	BAD("secret with an escape", G "secret = ab\x1b[31m\n", "[guest g] secret:", "0x1b"),
	BAD("secret with DEL", G "secret = ab\x7f\n", "[guest g] secret:", "0x7f"),
	BAD("secret in UTF-8", G "secret = caf\xc3\xa9\n", "[guest g] secret:",
	    "printable ASCII"),
	BAD("socket with a tab", G "socket = /tmp/a\tb.sock\n", "[guest g] socket:",
	    "control character 0x09"),
	BAD("devargs with an escape", "[port p]\ndevargs = net_null0\x1b[2J\n",
	    "[port p] devargs:", "control character 0x1b"),
	BAD("metrics_file with a control byte", "[hostlane]\nmetrics_file = /tmp/m\x02\n",
	    "[hostlane] metrics_file:", "control character 0x02"),
	OK("secret of printable punctuation", G "secret = ~!@#$%^&*()_+{}|:<>?` .,\n",
	   NULL, ok_punct_secret),

	/* Sockets hostlane owns, compared as canonical paths. */
	BAD("two spellings of one socket (.. in a missing dir)",
	    "[guest a]\nsocket = /tmp/hl-unit-none/a.sock\n"
	    "[guest b]\nsocket = /tmp/hl-unit-none/../hl-unit-none/a.sock\n",
	    "[guest b] socket:", "guest a's socket"),
	BAD("two spellings of one socket (// and /./)",
	    "[guest a]\nsocket = /tmp/hl-unit-none/a.sock\n"
	    "[guest b]\nsocket = /tmp//./hl-unit-none///a.sock\n",
	    "[guest b] socket:", "/tmp/hl-unit-none/a.sock"),
	BAD("an explicit socket on a default one, spelled apart",
	    "[hostlane]\nruntime_dir = /tmp/hl-unit-rt\n[guest a]\n"
	    "[guest b]\nsocket = /tmp/../tmp/hl-unit-rt/a.sock\n", "[guest b] socket:",
	    "guest a's socket"),
	BAD("vhost and memif on one socket", "[guest a]\nsocket = /tmp/hl-unit-none/s\n"
	    "[guest b]\nchannel = vhost\nsocket = /tmp/hl-unit-none/./s\n",
	    "[guest b] socket:", "guest a's socket"),
	BAD("a guest on the control socket",
	    "[hostlane]\nruntime_dir = /tmp/hl-unit-rt\n[guest a]\n"
	    "socket = /tmp/hl-unit-rt/control.sock\n", "[guest a] socket:",
	    "control socket"),
	BAD("a guest called control", "[hostlane]\nruntime_dir = /tmp/hl-unit-rt\n"
	    "[guest control]\n", "[guest control] socket:", "control socket"),
	BAD("a guest on the metrics file", "[hostlane]\nmetrics_file = /tmp/hl-unit-m/m.prom\n"
	    "[guest a]\nsocket = /tmp/hl-unit-m/m.prom\n", "[guest a] socket:",
	    "metrics_file"),
	BAD("a guest on the metrics file's temporary",
	    "[hostlane]\nmetrics_file = /tmp/hl-unit-m/m.prom\n"
	    "[guest a]\nsocket = /tmp/hl-unit-m/./m.prom.tmp\n", "[guest a] socket:",
	    "temporary"),
	BAD("the metrics file on the control socket",
	    "[hostlane]\nruntime_dir = /tmp/hl-unit-rt\n"
	    "metrics_file = /tmp/hl-unit-rt/x/../control.sock\n",
	    "[hostlane] metrics_file:", "control socket"),
	BAD("a socket naming a directory", G "socket = /tmp/hl-unit-none/\n",
	    "[guest g] socket:", "does not name a file"),
	BAD("a socket named ..", G "socket = /tmp/hl-unit-none/..\n",
	    "[guest g] socket:", "does not name a file"),
	BAD("metrics_file naming a directory", "[hostlane]\nmetrics_file = /tmp/\n",
	    "[hostlane] metrics_file:", "does not name a file"),
	/* [pf NAME] */
	OK("two PFs, by pci (upper case kept lower) and by netdev",
	   "[pf p0]\npci = 0000:3B:00.1\nvfs = 65535\n[pf p1]\nnetdev = enp59s0f0np0xx\n"
	   "vfs = 0\n", NULL, ok_pfs),
	BAD("pf without pci or netdev", "[pf p]\nvfs = 4\n", "[pf p]",
	    "missing key pci or netdev"),
	BAD("pf with pci and netdev", "[pf p]\npci = 0000:3b:00.0\nnetdev = eth0\n",
	    "[pf p]", "both given"),
	BAD("pf bad name", "[pf p.0]\npci = 0000:3b:00.0\n", "[pf p.0]", "pf name"),
	BAD("pf name of 26", "[pf abcdefghijklmnopqrstuvwxyz]\npci = 0000:3b:00.0\n",
	    "[pf abcdefghijklmnopqrstuvwxyz]", "pf name must be 1-25"),
	OK("pf name of 25", "[pf abcdefghijklmnopqrstuvwxy]\npci = 0000:3b:00.0\n", NULL,
	   ok_any),
	BAD("pf twice", "[pf p]\npci = 0000:3b:00.0\n[pf p]\npci = 0000:3b:00.1\n",
	    "[pf p]", "twice"),
	BAD("two PFs on one PCI address",
	    "[pf a]\npci = 0000:3b:00.0\n[pf b]\npci = 0000:3B:00.0\n",
	    "[pf b] pci:", "0000:3b:00.0 is also [pf a]"),
	BAD("two PFs on one netdev", "[pf a]\nnetdev = eth0\n[pf b]\nnetdev = eth0\n",
	    "[pf b] netdev:", "eth0 is also [pf a]"),
	BAD("pf pci without domain", "[pf p]\npci = 3b:00.0\n", "[pf p] pci:",
	    "not a PCI address"),
	BAD("pf pci function 8", "[pf p]\npci = 0000:3b:00.8\n", "[pf p] pci:",
	    "not a PCI address"),
	BAD("pf pci device 20", "[pf p]\npci = 0000:3b:20.0\n", "[pf p] pci:",
	    "not a PCI address"),
	BAD("pf pci with a path", "[pf p]\npci = ../../../etc\n", "[pf p] pci:",
	    "not a PCI address"),
	BAD("pf pci trailing junk", "[pf p]\npci = 0000:3b:00.0x\n", "[pf p] pci:",
	    "not a PCI address"),
	BAD("pf netdev with a slash", "[pf p]\nnetdev = ../eth0\n", "[pf p] netdev:",
	    "not an interface name"),
	BAD("pf netdev ..", "[pf p]\nnetdev = ..\n", "[pf p] netdev:",
	    "not an interface name"),
	BAD("pf netdev of 16 bytes", "[pf p]\nnetdev = abcdefghijklmnop\n",
	    "[pf p] netdev:", "not an interface name"),
	BAD("pf netdev with a blank", "[pf p]\nnetdev = eth 0\n", "[pf p] netdev:",
	    "not an interface name"),
	BAD("pf vfs over 16 bits", "[pf p]\npci = 0000:3b:00.0\nvfs = 65536\n",
	    "[pf p] vfs:", "out of range"),
	BAD("pf vfs negative", "[pf p]\npci = 0000:3b:00.0\nvfs = -1\n",
	    "[pf p] vfs:", "not an unsigned"),
	BAD("pf vfs garbage", "[pf p]\npci = 0000:3b:00.0\nvfs = 4x\n",
	    "[pf p] vfs:", "not an unsigned"),
	BAD("pf unknown key", "[pf p]\npci = 0000:3b:00.0\ndriver = ice\n",
	    "[pf p] driver:", "unknown key"),
	BAD("pf key with an escape", "[pf p]\nnetdev = et\x1bh0\n", "[pf p] netdev:",
	    "control character 0x1b"),
	BAD("pf without name", "[pf]\npci = 0000:3b:00.0\n", "[pf]", "unknown section"),
	OK("ethdev guests have no socket to compare", "[guest a]\nchannel = ethdev\n"
	   "devargs = net_null0\n[guest b]\nchannel = ethdev\ndevargs = net_null1\n",
	   NULL, ok_any),

	/* [vf] passthrough keys: names that go into QEMU's device_add. */
	OK("passthrough keys", "[vf]\nvf_pool = x\nmode = passthrough\n"
	   "passthrough_driver = e1000e\npassthrough_bus = pci.7\n"
	   "unplug_timeout_ms = 600000\n", NULL, ok_passthrough),
	BAD("passthrough_driver with options", "[vf]\nvf_pool = x\n"
	    "passthrough_driver = vfio-pci,x-no-mmap=on\n",
	    "[vf] passthrough_driver:", "not a QEMU device driver"),
	BAD("passthrough_bus not an id", "[vf]\nvf_pool = x\n"
	    "passthrough_bus = 7\n", "[vf] passthrough_bus:", "not a QEMU device id"),
	BAD("unplug_timeout_ms too short", "[vf]\nvf_pool = x\n"
	    "unplug_timeout_ms = 99\n", "[vf] unplug_timeout_ms:", "out of range"),
};

/* ---- the runner ------------------------------------------------------------ */

/* True if s contains one of the '|'-separated alternatives in want. */
static bool
contains_any(const char *s, const char *want)
{
	char alt[128];

	while (*want != '\0') {
		size_t n = strcspn(want, "|");

		snprintf(alt, sizeof(alt), "%.*s", (int)n, want);
		if (strstr(s, alt) != NULL)
			return true;
		want += n + (want[n] == '|');
	}
	return false;
}

static void
run(const char *name, const char *text, const char *rt, int want_rc,
    const char *const want[], size_t n_want, void (*check)(const char *))
{
	char err[DP_ERR_MAX] = "";
	const char *path = NULL;
	int rc;

	if (text != NULL) {
		write_file(text);
		path = tmp_path;
	}
	dp_config_free(&cfg);
	memset(&cfg, 0xa5, sizeof(cfg));
	rc = dp_config_load(path, rt, &cfg, err, sizeof(err));
	if (rc != want_rc) {
		fail(name, "rc %d, want %d (error: '%s')", rc, want_rc, err);
		return;
	}
	if (rc != 0) {
		if (path != NULL)
			CHECK(name, strncmp(err, path, strlen(path)) == 0 &&
			      strncmp(err + strlen(path), ": ", 2) == 0,
			      "error does not start with the file: '%s'", err);
		CHECK(name, strchr(err, '\n') == NULL && err[0] != '\0',
		      "error is not one line: '%s'", err);
		for (size_t i = 0; i < n_want && want[i] != NULL; i++)
			CHECK(name, contains_any(err, want[i]),
			      "error '%s' lacks '%s'", err, want[i]);
	}
	if (rc == 0 && check != NULL)
		check(name);
}

static void
run_case(const struct cfg_case *c)
{
	run(c->name, c->text, c->runtime_dir, c->rc, c->want, RTE_DIM(c->want),
	    c->check);
}

/* Cases whose text is built: long values, many sections, many keys. */

static char *
repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		exit(1);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

struct long_case {
	const char *name;
	const char *section;
	const char *key;
	const char *prefix;	/* value starts so, then 'a'/'1' up to len */
	char fill;
	size_t len;
	int rc;
	const char *want;
};

static const struct long_case long_cases[] = {
	{ "devargs of 300", "port p", "devargs", "", 'a', 300, -EINVAL, "longer than" },
	{ "devargs of 255 (may be cut)", "port p", "devargs", "", 'a', 255, -EINVAL, "longer than" },
	{ "devargs of 254", "port p", "devargs", "", 'a', 254, 0, NULL },
	{ "socket of 300", "guest g", "socket", "/", 's', 300, -EINVAL, "longer than" },
	{ "socket of 108", "guest g", "socket", "/", 's', 108, -EINVAL, "longer than" },
	{ "socket of 107", "guest g", "socket", "/", 's', 107, 0, NULL },
	{ "runtime_dir of 300", "hostlane", "runtime_dir", "/", 'r', 300, -EINVAL, "longer than" },
	{ "secret of 300", "guest g", "secret", "", 'x', 300, -EINVAL, "longer than" },
	{ "mbufs of 300 digits", "hostlane", "mbufs", "", '1', 300, -EINVAL, "not a" },
	{ "max_region_size of 300 digits", "guest g", "max_region_size", "", '9', 300, -EINVAL, "not a" },
	{ "handler of 300", "guest g", "handler", "", 'e', 300, -EINVAL, "handler" },
};

static void
run_long_cases(void)
{
	for (size_t i = 0; i < RTE_DIM(long_cases); i++) {
		const struct long_case *c = &long_cases[i];
		char *fill = repeat(c->fill, c->len - strlen(c->prefix));
		size_t cap = c->len + 128;
		char *text = malloc(cap), want_sk[96];
		const char *want[2] = { want_sk, c->want };

		if (text == NULL)
			exit(1);
		snprintf(text, cap, "[%s]\n%s = %s%s\n", c->section, c->key,
			 c->prefix, fill);
		snprintf(want_sk, sizeof(want_sk), "[%s] %s:", c->section, c->key);
		run(c->name, text, NULL, c->rc, want, c->rc != 0 ? 2 : 0, NULL);
		if (c->rc == 0 && strcmp(c->key, "devargs") == 0)
			CHECK(c->name, cfg.n_ports == 1 &&
			      strlen(cfg.ports[0].devargs) == c->len,
			      "devargs kept %zu bytes, want %zu",
			      strlen(cfg.ports[0].devargs), c->len);
		if (c->rc == 0 && strcmp(c->key, "socket") == 0)
			CHECK(c->name, cfg.n_guests == 1 &&
			      strlen(cfg.guests[0].socket) == c->len,
			      "socket kept %zu bytes, want %zu",
			      strlen(cfg.guests[0].socket), c->len);
		free(fill);
		free(text);
	}
}

/* "[hostlane]\n<head>" and n guest sections into buf; one guest's socket
 * may be given (same_at > 0: guests same_at and same_at * 9 share it). */
static void
many_guests(char *buf, size_t cap, const char *head, int n, int same_at)
{
	size_t off = (size_t)snprintf(buf, cap, "[hostlane]\nruntime_dir = /tmp\n%s",
				      head);

	for (int i = 0; i < n && off < cap; i++) {
		off += (size_t)snprintf(buf + off, cap - off, "[guest g%d]\n", i);
		if (same_at > 0 && (i == same_at || i == same_at * 9))
			off += (size_t)snprintf(buf + off, cap - off,
						"socket = /tmp/hl-unit-same.sock\n");
	}
}

/* Issue 16: max_guests slots, 1024 by default, at most DP_GUESTS_CAP. */
static void
run_many_guests(void)
{
	size_t cap = (size_t)(DP_GUESTS_CAP + 2) * 48;
	char *buf = malloc(cap);
	const char *want[2];

	if (buf == NULL)
		exit(1);
	many_guests(buf, cap, "", DP_GUESTS_DEFAULT, 0);
	run("1024 guests", buf, NULL, 0, NULL, 0, NULL);
	CHECK("1024 guests", cfg.n_guests == DP_GUESTS_DEFAULT &&
	      cfg.max_guests == DP_GUESTS_DEFAULT &&
	      strcmp(cfg.guests[1023].name, "g1023") == 0 &&
	      strcmp(cfg.guests[1023].socket, "/tmp/g1023.sock") == 0,
	      "%u guests, max_guests %u", cfg.n_guests, cfg.max_guests);

	many_guests(buf, cap, "", DP_GUESTS_DEFAULT + 1, 0);
	want[0] = "[hostlane] max_guests:";
	want[1] = "1025 guests are configured, more than max_guests 1024";
	run("1025 guests", buf, NULL, -EINVAL, want, 2, NULL);

	many_guests(buf, cap, "max_guests = 8\n", 9, 0);
	want[1] = "9 guests are configured, more than max_guests 8";
	run("max_guests 8, 9 guests", buf, NULL, -EINVAL, want, 2, NULL);
	many_guests(buf, cap, "max_guests = 8\n", 8, 0);
	run("max_guests 8, 8 guests", buf, NULL, 0, NULL, 0, NULL);
	CHECK("max_guests 8, 8 guests", cfg.max_guests == 8 && cfg.n_guests == 8,
	      "max_guests %u, %u guests", cfg.max_guests, cfg.n_guests);

	many_guests(buf, cap, "max_guests = 4096\n", DP_GUESTS_CAP + 1, 0);
	want[0] = "[guest g4096]";
	want[1] = "more than 4096 guests (the hard cap of max_guests)";
	run("4097 guests", buf, NULL, -EINVAL, want, 2, NULL);
	many_guests(buf, cap, "max_guests = 4097\n", 1, 0);
	want[0] = "[hostlane] max_guests:";
	want[1] = "out of range [1, 4096]";
	run("max_guests 4097", buf, NULL, -EINVAL, want, 2, NULL);
	many_guests(buf, cap, "max_guests = 0\n", 1, 0);
	want[1] = "out of range [1, 4096]";
	run("max_guests 0", buf, NULL, -EINVAL, want, 2, NULL);

	/* Sockets are compared sorted: the clash is found on the later guest. */
	many_guests(buf, cap, "", DP_GUESTS_DEFAULT, 100);
	want[0] = "[guest g900] socket:";
	want[1] = "is the same file as guest g100's socket";
	run("1024 guests, two with one socket", buf, NULL, -EINVAL, want, 2, NULL);
	free(buf);
}

static void
run_built_cases(void)
{
	char *buf = malloc(64 * 1024), *dir = repeat('d', 100);
	const char *want[3];
	size_t off;

	if (buf == NULL)
		exit(1);

	/* A default socket path that does not fit sun_path. */
	snprintf(buf, 64 * 1024, "[hostlane]\nruntime_dir = /%s\n[guest guest01]\n", dir);
	want[0] = "[guest guest01] socket:";
	want[1] = "longer than";
	run("default socket too long", buf, NULL, -EINVAL, want, 2, NULL);
	want[0] = "--runtime-dir";
	run("--runtime-dir relative", "[guest g]\n", "tmp/x", -EINVAL, want, 1, NULL);
	snprintf(buf, 64 * 1024, "/%s", dir);
	want[0] = "[guest guest01] socket:";
	run("--runtime-dir makes the default socket too long", "[guest guest01]\n", buf,
	    -EINVAL, want, 2, NULL);


	/* 9 PFs: one more than DP_MAX_PFS. */
	off = 0;
	for (int i = 0; i <= DP_MAX_PFS; i++)
		off += (size_t)snprintf(buf + off, 64 * 1024 - off,
					"[pf p%d]\npci = 0000:3b:00.%d\n", i, i % 8);
	want[0] = "[pf p8]";
	want[1] = "more than 8 PFs";
	run("9 PFs", buf, NULL, -EINVAL, want, 2, NULL);

	/* More keys than the parser reads at once: refused, not cut. */
	off = (size_t)snprintf(buf, 64 * 1024, "[hostlane]\n");
	for (int i = 0; i < 49; i++)
		off += (size_t)snprintf(buf + off, 64 * 1024 - off, "k%d = 1\n", i);
	want[0] = "[hostlane] more than 48 keys";
	run("49 keys in [hostlane]", buf, NULL, -EINVAL, want, 1, NULL);
	off = (size_t)snprintf(buf, 64 * 1024, "[guest g]\n");
	for (int i = 0; i < 33; i++)
		off += (size_t)snprintf(buf + off, 64 * 1024 - off, "k%d = 1\n", i);
	want[0] = "[guest g] more than 32 keys";
	run("33 keys in a guest", buf, NULL, -EINVAL, want, 1, NULL);
	off = (size_t)snprintf(buf, 64 * 1024, "[guest g]\n");
	for (int i = 0; i < 65; i++)
		off += (size_t)snprintf(buf + off, 64 * 1024 - off, "k%d = 1\n", i);
	want[0] = "[guest g] more than 64 keys";
	run("65 keys in a guest (the pre-check's bound)", buf, NULL, -EINVAL, want, 1,
	    NULL);

	/* One key many times: the second one is refused, with both lines. */
	off = (size_t)snprintf(buf, 64 * 1024, "[guest g]\n");
	for (int i = 0; i < 32; i++)
		off += (size_t)snprintf(buf + off, 64 * 1024 - off, "max_chain = 8\n");
	want[0] = "[guest g] max_chain: given twice (lines 2 and 3)";
	run("a key 32 times", buf, NULL, -EINVAL, want, 1, NULL);

	/* A line longer than the reader's buffer. */
	{
		char *v = repeat('a', 400);

		snprintf(buf, 64 * 1024, "[port p]\ndevargs = %s\n", v);
		want[0] = "line 2";
		run("line of 410 bytes", buf, NULL, -EINVAL, want, 1, NULL);
		free(v);
	}
	free(dir);
	free(buf);
}

static void
ring_size_one(unsigned int v)
{
	bool ok = (v & (v - 1)) == 0 && v >= 2 && v <= 16384;
	char err[DP_ERR_MAX] = "", what[48], text[64];
	int rc;

	snprintf(what, sizeof(what), "max_ring_size %u", v);
	snprintf(text, sizeof(text), "[guest g]\nmax_ring_size = %u\n", v);
	write_file(text);
	dp_config_free(&cfg);
	rc = dp_config_load(tmp_path, NULL, &cfg, err, sizeof(err));
	CHECK(what, (rc == 0) == ok, "rc %d (%s)", rc, err);
	if (rc == 0 && ok)
		CHECK(what, (1u << cfg.guests[0].memif.max_log2_ring) == v,
		      "log2 %u", cfg.guests[0].memif.max_log2_ring);
	if (rc != 0)
		CHECK(what, strstr(err, "[guest g] max_ring_size:") != NULL,
		      "error '%s'", err);
}

/* Every power of two in range is taken as its log2; its neighbours are not. */
static void
run_ring_sizes(void)
{
	for (unsigned int v = 0; v <= 64; v++)
		ring_size_one(v);
	for (unsigned int k = 7; k <= 16; k++) {
		ring_size_one((1u << k) - 1);
		ring_size_one(1u << k);
		ring_size_one((1u << k) + 1);
	}
}

static void
run_missing_file(void)
{
	static const char *const what = "missing file";
	char err[DP_ERR_MAX] = "";
	dp_config_free(&cfg);
	int rc = dp_config_load("/nonexistent/hostlane.conf", NULL, &cfg, err,
				sizeof(err));

	CHECK(what, rc == -ENOENT, "rc %d, want -ENOENT", rc);
	CHECK(what, strstr(err, "/nonexistent/hostlane.conf") == err,
	      "error does not name the file: '%s'", err);
	CHECK(what, strstr(err, "No such file") != NULL, "error lacks the cause: '%s'", err);
}

static void
run_small_err_buffer(void)
{
	static const char *const what = "small error buffer";
	char err[16];

	memset(err, 'Z', sizeof(err));
	write_file("[hostlanes]\n");
	dp_config_free(&cfg);
	CHECK(what, dp_config_load(tmp_path, NULL, &cfg, err, 8) == -EINVAL,
	      "accepted");
	CHECK(what, memchr(err, '\0', 8) != NULL && err[8] == 'Z',
	      "error overran an 8-byte buffer");
}

/* A file with NUL bytes: reported as such, not as a long line. */
static void
run_nul_bytes(void)
{
	static const char text[] = "[hostlane]\nmbufs = 2047\0junk\n[guest g]\n";
	static const char *const what = "NUL byte";
	char err[DP_ERR_MAX] = "";
	FILE *f = fopen(tmp_path, "w");

	if (f == NULL || fwrite(text, 1, sizeof(text) - 1, f) != sizeof(text) - 1 ||
	    fclose(f) != 0) {
		perror(tmp_path);
		exit(1);
	}
	dp_config_free(&cfg);
	CHECK(what, dp_config_load(tmp_path, NULL, &cfg, err, sizeof(err)) == -EINVAL,
	      "accepted");
	CHECK(what, strstr(err, ": NUL byte at line 2") != NULL, "error '%s'", err);
}

/* Paths through symlinks and files: the directory as the kernel sees it. */
static void
run_real_paths(void)
{
	char dir[] = "/tmp/hl-unit-paths-XXXXXX", text[512], real[64], link[64];
	const char *want[2];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(real, sizeof(real), "%s/real", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	if (mkdir(real, 0700) < 0 || symlink(real, link) < 0) {
		perror(dir);
		exit(1);
	}
	snprintf(text, sizeof(text), "[guest a]\nsocket = %s/a.sock\n"
		 "[guest b]\nsocket = %s/a.sock\n", real, link);
	want[0] = "[guest b] socket:";
	want[1] = "guest a's socket";
	run("one socket through a symlinked directory", text, NULL, -EINVAL, want, 2,
	    NULL);
	snprintf(text, sizeof(text), "[guest control]\n");
	want[0] = "[guest control] socket:";
	want[1] = "control socket";
	run("--runtime-dir through a symlink, a guest called control", text, link,
	    -EINVAL, want, 2, NULL);
	snprintf(text, sizeof(text), "[guest a]\nsocket = %s/a.sock/x.sock\n", tmp_path);
	want[0] = "[guest a] socket:";
	want[1] = "Not a directory";
	run("a socket under a regular file", text, NULL, -EINVAL, want, 2, NULL);
	snprintf(text, sizeof(text), "[guest a]\nsocket = %s/a.sock\n"
		 "[guest b]\nsocket = %s/b.sock\n", real, link);
	run("two sockets through a symlink", text, NULL, 0, NULL, 0, NULL);
	unlink(link);
	rmdir(real);
	rmdir(dir);
}

/* guest add: the same checks as the file, against the loaded config. */
static int
add_one(const char *name, const char *key, const char *val, char *err, size_t len)
{
	static struct dp_guest_conf g;
	int rc = dp_config_guest_begin(&cfg, &g, name, err, len);

	if (rc == 0 && key != NULL)
		rc = dp_config_guest_set(&g, key, val, err, len);
	return rc == 0 ? dp_config_guest_end(&cfg, &g, err, len) : rc;
}

static void
run_guest_add(void)
{
	static const struct { const char *what, *key, *val, *want; } bad[] = {
		{ "guest add: secret with a control byte", "secret", "a\x01" "b",
		  "guest add: [guest x] secret: control character 0x01 at byte 2" },
		{ "guest add: secret with a newline", "secret", "a\nb", "0x0a" },
		{ "guest add: secret in UTF-8", "secret", "\xc3\xa9", "printable ASCII" },
		{ "guest add: socket with an escape", "socket", "/tmp/\x1b.sock",
		  "[guest x] socket: control character 0x1b" },
		{ "guest add: the control socket", "socket", "/tmp/hl-unit-rt/control.sock",
		  "[guest x] socket: '/tmp/hl-unit-rt/control.sock' is the same file as "
		  "hostlane's control socket" },
		{ "guest add: the control socket, spelled apart", "socket",
		  "/tmp/hl-unit-rt/../hl-unit-rt/control.sock", "control socket" },
		{ "guest add: another guest's socket, spelled apart", "socket",
		  "/tmp//hl-unit-rt/./a.sock", "guest a's socket" },
		{ "guest add: the metrics file's temporary", "socket",
		  "/tmp/hl-unit-m/m.prom.tmp", "metrics_file's temporary file" },
	};
	char err[DP_ERR_MAX];

	write_file("[hostlane]\nruntime_dir = /tmp/hl-unit-rt\n"
		   "metrics_file = /tmp/hl-unit-m/m.prom\n[guest a]\n");
	dp_config_free(&cfg);
	if (dp_config_load(tmp_path, NULL, &cfg, err, sizeof(err)) != 0) {
		fail("guest add", "base config refused: %s", err);
		return;
	}
	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		err[0] = '\0';
		CHECK(bad[i].what, add_one("x", bad[i].key, bad[i].val, err,
					   sizeof(err)) == -EINVAL, "accepted");
		CHECK(bad[i].what, strstr(err, bad[i].want) != NULL, "error '%s' lacks '%s'",
		      err, bad[i].want);
	}
	CHECK("guest add: a guest called control",
	      add_one("control", NULL, NULL, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "control socket") != NULL, "error '%s'", err);
	CHECK("guest add: a printable secret", add_one("x", "secret", "s3 cr-et!", err,
						       sizeof(err)) == 0, "error '%s'", err);
	CHECK("guest add: a burst without its rate",
	      add_one("x", "calls_burst", "5", err, sizeof(err)) == -EINVAL &&
	      strstr(err, "guest add: [guest x] calls_burst: given without") != NULL,
	      "error '%s'", err);
	CHECK("guest add: the control socket is where the config says",
	      strcmp(cfg.control_socket, "/tmp/hl-unit-rt/control.sock") == 0,
	      "control_socket '%s'", cfg.control_socket);
}

/* guest set: the fairness keys only, with the file's checks. */
static void
run_guest_fair_set(void)
{
	static const struct { const char *what, *key, *val, *want; } bad[] = {
		{ "guest set: weight 0", "weight", "0", "guest set: [guest g] weight: 0 is "
		  "out of range [1, 16]" },
		{ "guest set: not a fairness key", "max_inflight", "8",
		  "[guest g] max_inflight: not a key guest set changes" },
		{ "guest set: a size that is not", "bytes_per_s", "12Q", "not a size" },
		{ "guest set: a control byte", "weight", "1\x01", "control character" },
	};
	struct dp_guest_conf g;
	char err[DP_ERR_MAX];

	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "g");
	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		err[0] = '\0';
		CHECK(bad[i].what, dp_config_guest_fair_set(&g, bad[i].key, bad[i].val,
							 err, sizeof(err)) == -EINVAL,
		      "accepted");
		CHECK(bad[i].what, strstr(err, bad[i].want) != NULL, "error '%s' lacks '%s'",
		      err, bad[i].want);
	}
	CHECK("guest set: calls_per_s", dp_config_guest_fair_set(&g, "calls_per_s", "5",
		err, sizeof(err)) == 0 && g.fair.calls_per_s == 5, "error '%s'", err);
	CHECK("guest set: bytes_burst", dp_config_guest_fair_set(&g, "bytes_burst", "2M",
		err, sizeof(err)) == 0 && g.fair.bytes_burst == 2u << 20, "error '%s'", err);
	CHECK("guest set: the burst's rate missing",
	      dp_config_guest_fair_check(&g, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "bytes_burst: given without bytes_per_s") != NULL,
	      "error '%s'", err);
}

int
main(void)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/hl-unit-cfg-XXXXXX");
	fd = mkstemp(tmp_path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	for (size_t i = 0; i < RTE_DIM(cases); i++)
		run_case(&cases[i]);
	run_long_cases();
	run_built_cases();
	run_many_guests();
	run_ring_sizes();
	run_missing_file();
	run_small_err_buffer();
	run_nul_bytes();
	run_real_paths();
	run_guest_add();
	run_guest_fair_set();
	unlink(tmp_path);
	printf("config: %zu table cases, %zu long-value cases, 10 built, ring sizes, "
	       "many guests, missing file, small buffer, NUL bytes, real paths, guest add: "
	       "%d failure(s)\n", RTE_DIM(cases),
	       RTE_DIM(long_cases), failures);
	return failures == 0 ? 0 : 1;
}
