/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Func-test helper: drive libhostlane's memif client transport against a
 * memif server that echoes frames (dpdk-testpmd, io forwarding, loop).
 *
 *   memif_echo SOCKET echo poll|intr|hybrid COUNT   every frame back, in order
 *   memif_echo SOCKET kill PID                      host dies mid-wait
 *   memif_echo SOCKET secret WRONG_SECRET           refused, with a reason
 *   memif_echo SOCKET connect                       hl_connect: no HELLO reply
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hl_memif.h"

#define WINDOW 256u
#define PINGPONG 2000u
#define STEP_TIMEOUT_MS 10000

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t me[6] = { 0x02, 0x48, 0x4c, 0, 0, 1 };

/*
 * Both sides' ring indices as the shared memory holds them, beside the
 * client's own copies: a stall shows which side stopped (and where).
 */
static void
dump_rings(const struct hl_memif *m)
{
	const volatile struct memif_ring *c2s = m->c2s.ring, *s2c = m->s2c.ring;
	const volatile struct memif_desc *d = &s2c->desc[m->s2c.tail & m->mask];

	fprintf(stderr, "rings: C2S head %u tail %u flags %#x (client head %u "
		"tail %u); S2C head %u tail %u flags %#x (client head %u tail %u "
		"partial %u); S2C desc[%u] length %u flags %#x\n",
		c2s->head, c2s->tail, c2s->flags, m->c2s.head, m->c2s.tail,
		s2c->head, s2c->tail, s2c->flags, m->s2c.head, m->s2c.tail,
		m->s2c_partial, m->s2c.tail & m->mask, d->length, d->flags);
}

static int
fail(const char *what, int rc, const struct hl_memif *m)
{
	fprintf(stderr, "FAIL %s: %s (%s) %s\n", what, hl_status_name(rc),
		hl_strerror(rc), m != NULL ? m->reason : "");
	if (m != NULL && m->c2s.ring != NULL)
		dump_rings(m);
	return 1;
}

/* Frame i: a valid hostlane request with a length and bytes derived from i. */
static uint32_t
make_frame(uint64_t i, uint8_t *buf)
{
	struct hl_frame_hdr h;
	uint32_t plen = (uint32_t)((i * 7919u) % (HL_PAYLOAD_MAX + 1));

	hl_proto_hdr_init(&h, bcast, me, HL_OP_FN_CALL, 7, i);
	h.hl.payload_len = plen;
	h.hl.arg0 = i;
	memcpy(buf, &h, sizeof(h));
	for (uint32_t k = 0; k < plen; k++)
		buf[HL_FRAME_HDR_LEN + k] = (uint8_t)(i + k * 31u);
	return HL_FRAME_HDR_LEN + plen;
}

static void
cfg_default(struct hl_memif_cfg *cfg, const char *path, enum hl_wait_mode mode)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->socket_path = path;
	cfg->name = "memif_echo";
	cfg->log2_ring_size = 10;
	cfg->wait_mode = mode;
	cfg->spin_polls = 100;
	cfg->timeout_ms = STEP_TIMEOUT_MS;
}

static int
open_client(const char *path, enum hl_wait_mode mode, struct hl_memif **m)
{
	struct hl_memif_cfg cfg;
	char reason[HL_MEMIF_REASON_LEN] = "";
	int rc;

	cfg_default(&cfg, path, mode);
	rc = hl_memif_open(&cfg, m, reason, sizeof(reason), NULL);
	if (rc != HL_OK)
		fprintf(stderr, "FAIL connect: %s: %s\n", hl_status_name(rc), reason);
	return rc;
}

static int
check_frame(uint64_t i, const uint8_t *got, uint32_t len)
{
	static uint8_t want[HL_FRAME_MAX];
	uint32_t wlen = make_frame(i, want);

	if (len != wlen || memcmp(got, want, len) != 0) {
		fprintf(stderr, "FAIL frame %llu: got %u bytes, want %u%s\n",
			(unsigned long long)i, len, wlen,
			len == wlen ? " (content differs)" : "");
		return 1;
	}
	return hl_proto_hdr_validate(got, len) != HL_OK;
}

static int
echo(struct hl_memif *m, uint64_t count, uint64_t window)
{
	static uint8_t buf[HL_FRAME_MAX];
	uint64_t sent = 0, got = 0;
	uint32_t len;
	int rc;

	while (got < count) {
		while (sent < count && sent - got < window) {
			rc = hl_memif_send(m, buf, make_frame(sent, buf),
					   STEP_TIMEOUT_MS);
			if (rc != HL_OK)
				return fail("send", rc, m);
			sent++;
		}
		rc = hl_memif_recv(m, buf, sizeof(buf), &len);
		if (rc == HL_E_AGAIN) {
			rc = hl_memif_wait(m, STEP_TIMEOUT_MS);
			if (rc != HL_OK)
				return fail("wait", rc, m);
			continue;
		}
		if (rc != HL_OK)
			return fail("recv", rc, m);
		if (check_frame(got, buf, len))
			return 1;
		got++;
	}
	return 0;
}

static enum hl_wait_mode
parse_mode(const char *s)
{
	return strcmp(s, "poll") == 0 ? HL_WAIT_POLL :
	       strcmp(s, "intr") == 0 ? HL_WAIT_INTR : HL_WAIT_HYBRID;
}

static int
run_echo(const char *path, const char *mode, uint64_t count)
{
	struct hl_memif *m;
	int rc = open_client(path, parse_mode(mode), &m);

	if (rc != HL_OK)
		return 1;
	/* Windowed for throughput, then ping-pong so that waits do sleep. */
	rc = echo(m, count, WINDOW);
	if (rc == 0)
		rc = echo(m, PINGPONG, 1);
	printf("%s: %llu + %u frames echoed; tx %llu rx %llu dropped %llu kicks %llu "
	       "sleeps %llu wakeups %llu\n", mode, (unsigned long long)count, PINGPONG,
	       (unsigned long long)m->stats.tx_frames,
	       (unsigned long long)m->stats.rx_frames,
	       (unsigned long long)m->stats.rx_dropped,
	       (unsigned long long)m->stats.kicks,
	       (unsigned long long)m->stats.sleeps,
	       (unsigned long long)m->stats.wakeups);
	if (rc == 0 && m->stats.rx_dropped != 0)
		rc = fail("rx_dropped != 0", HL_E_INTERNAL, m);
	/* Not a timing check: many sleeps ended by no interrupt at all means
	 * the server's eventfd writes never reached us. */
	if (rc == 0 && m->stats.sleeps >= 10 && m->stats.wakeups == 0)
		rc = fail("slept but never woken by the server", HL_E_INTERNAL, m);
	if (rc == 0 && m->wait_mode == HL_WAIT_POLL && m->stats.sleeps != 0)
		rc = fail("poll mode slept", HL_E_INTERNAL, m);
	hl_memif_close(m);
	return rc;
}

static void *
killer(void *arg)
{
	usleep(300 * 1000);
	kill((pid_t)(intptr_t)arg, SIGKILL);
	return NULL;
}

/* A wait pending when the server dies must end with DISCONNECTED. */
static int
run_kill(const char *path, pid_t pid)
{
	static uint8_t buf[HL_FRAME_MAX];
	struct hl_memif *m;
	pthread_t t;
	int rc = open_client(path, HL_WAIT_HYBRID, &m);

	if (rc != HL_OK || echo(m, 1000, WINDOW) != 0)
		return 1;
	pthread_create(&t, NULL, killer, (void *)(intptr_t)pid);
	rc = hl_memif_wait(m, 60000);
	pthread_join(t, NULL);
	printf("wait after kill: %s, reason: %s\n", hl_status_name(rc), m->reason);
	if (rc != HL_E_DISCONNECTED)
		return fail("wait after kill", rc, m);
	rc = hl_memif_send(m, buf, make_frame(0, buf), 1000);
	if (rc != HL_E_DISCONNECTED)
		return fail("send after kill", rc, m);
	hl_memif_close(m);
	return 0;
}

static int
run_secret(const char *path, const char *secret)
{
	struct hl_memif_cfg cfg;
	struct hl_memif *m;
	char reason[HL_MEMIF_REASON_LEN] = "";
	int rc;

	cfg_default(&cfg, path, HL_WAIT_HYBRID);
	cfg.secret = secret;
	rc = hl_memif_open(&cfg, &m, reason, sizeof(reason), NULL);
	printf("wrong secret: %s, reason: %s\n", hl_status_name(rc), reason);
	return rc == HL_E_REFUSED && reason[0] != '\0' && m == NULL ? 0 : 1;
}

/* The full hl_connect path: memif comes up, the echoed HELLO is no reply. */
static int
run_connect(const char *path)
{
	struct hl_opts o;
	struct hl_conn *c;
	int rc;

	hl_opts_init(&o);
	o.timeout_ms = 300;
	rc = hl_connect(path, NULL, &o, &c);
	printf("hl_connect to an echo server: %s, reason: %s\n",
	       hl_status_name(rc), hl_connect_reason());
	return rc == HL_E_TIMEOUT && c == NULL ? 0 : 1;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && strcmp(argv[2], "echo") == 0)
		return run_echo(argv[1], argv[3], strtoull(argv[4], NULL, 0));
	if (argc == 4 && strcmp(argv[2], "kill") == 0)
		return run_kill(argv[1], (pid_t)atoi(argv[3]));
	if (argc == 4 && strcmp(argv[2], "secret") == 0)
		return run_secret(argv[1], argv[3]);
	if (argc == 3 && strcmp(argv[2], "connect") == 0)
		return run_connect(argv[1]);
	fprintf(stderr, "usage: see the comment at the top of memif_echo.c\n");
	return 2;
}
