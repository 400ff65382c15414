/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * raw_flood: guests that flood hostlane far faster than it can answer, for
 * the weight test (tests/fair). Each is a raw memif client (tests/hostile's
 * evil.c, no libhostlane) that keeps WINDOW factorial(20) calls in its ring,
 * publishing a whole window at once and reading replies with no per-call
 * bookkeeping: the guests cost next to nothing per call, so the host is the
 * bottleneck and its budgets, not the guests, decide the shares. With
 * libhostlane the guest's own cost per call is about the host's, and on two
 * cores the shares then follow the guests' thread.
 *
 *   raw_flood COUNT WINDOW SOCK SECRET [SOCK SECRET ...]
 *     after every guest has had WINDOW calls answered, counts the calls
 *     each completes until they total COUNT, in rounds where every guest
 *     was still backlogged (rf_run()); prints "guest I N" per guest, then
 *     "total N". Every reply must be HL_OK with 20! in arg0.
 *
 * Exit 0 when every call completed right, 1 otherwise, 2 on bad usage.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hostlane/proto.h>

#include "evil.h"

#define RF_MAX_GUESTS 8
#define RF_FACT20 2432902008176640000ull
#define RF_LOG2_RING 12
#define RF_MAX_ROUNDS 100000000ull	/* a bound, never reached on a live host */

struct rf_guest {
	struct evil e;
	uint32_t session;
	unsigned int out;		/* calls sent, not answered */
	uint64_t done;
	uint64_t counted;
	uint16_t pre;			/* C2S head before the last fill */
};

static int
rf_up(struct rf_guest *g, const char *sock, const char *secret)
{
	int rc = evil_open(&g->e, sock, secret);

	if (rc == EVIL_OK)
		rc = evil_region_create(&g->e, RF_LOG2_RING);
	if (rc == EVIL_OK)
		rc = evil_handshake(&g->e, NULL, NULL);
	if (rc == EVIL_OK)
		rc = evil_hello(&g->e);
	if (rc == EVIL_OK)
		rc = evil_fn_open(&g->e, "factorial", true, &g->session) == HL_OK ?
			EVIL_OK : EVIL_PROTO;
	if (rc != EVIL_OK)
		fprintf(stderr, "raw_flood: %s: %s %s %s\n", sock, evil_rc_str(rc),
			g->e.err, g->e.reason);
	return rc;
}

/* Top the window up, published at once; g->pre is the head before it. */
static void
rf_fill(struct rf_guest *g, unsigned int window)
{
	_Alignas(struct hl_frame_hdr) uint8_t f[HL_FRAME_HDR_LEN];
	struct hl_frame_hdr *h = (struct hl_frame_hdr *)f;
	uint16_t n = evil_c2s_room(&g->e);

	g->pre = g->e.c2s.head;
	if (n > window - g->out)
		n = (uint16_t)(window - g->out);
	for (uint16_t i = 0; i < n; i++) {
		evil_req(&g->e, f, HL_OP_FN_CALL, g->session);
		h->hl.arg0 = 20;
		h->hl.arg1 = 1;
		evil_c2s_stage(&g->e, i, f, HL_FRAME_HDR_LEN, 0);
	}
	evil_c2s_publish(&g->e, n);
	g->out += n;
}

/* Take every reply there is. @return replies, or -1 on a wrong one. */
static int
rf_collect(struct rf_guest *g)
{
	_Alignas(struct hl_frame_hdr) uint8_t buf[EVIL_BUF];
	const struct hl_frame_hdr *h = (const struct hl_frame_hdr *)buf;
	int n = 0;

	/* Acquire: pairs with the server's release of tail. */
	while (__atomic_load_n(&g->e.s2c.ring->tail, __ATOMIC_ACQUIRE) != g->e.s2c.seen) {
		uint32_t len = 0;
		int rc = evil_recv_frame(&g->e, buf, sizeof(buf), &len, 0);

		if (rc != EVIL_OK || len < HL_FRAME_HDR_LEN || h->hl.status != HL_OK ||
		    h->hl.arg0 != RF_FACT20) {
			fprintf(stderr, "raw_flood: reply: %s, %u bytes, status %u, "
				"arg0 %" PRIu64 " %s\n", evil_rc_str(rc), len,
				len >= HL_FRAME_HDR_LEN ? h->hl.status : 0,
				len >= HL_FRAME_HDR_LEN ? (uint64_t)h->hl.arg0 : 0,
				g->e.err);
			return -1;
		}
		n++;
	}
	g->out -= (unsigned int)n;
	g->done += (uint64_t)n;
	return n;
}

/*
 * Looked at just after a fill: the host has not yet taken every frame
 * that was in the ring before it. Its tail moves in order up to the head,
 * so the ring then held frames all the time from the previous fill until
 * now: a look before the fill would miss a ring that ran dry while this
 * thread was preempted between the look and the fill.
 */
static bool
rf_backlogged(const struct rf_guest *g)
{
	/* Acquire: pairs with the server's release of tail. */
	uint16_t tail = __atomic_load_n(&g->e.c2s.ring->tail, __ATOMIC_ACQUIRE);

	/* Not yet at pre: a tail past it means the ring ran dry before the
	 * fill and the host took some of the new frames since. */
	return (int16_t)(uint16_t)(tail - g->pre) < 0;
}

/*
 * Rounds: collect, refill, look. The replies a round collects were made
 * since the last round's collect; they count only when every guest's ring
 * was still backlogged when looked at, this round and the last. Round r's
 * look covers its guest from fill r-1 to look r, so the two looks cover
 * every guest from before collect r-1 (fill r-2 comes before it) to after
 * collect r: the host, not this thread (which other processes may
 * preempt), decided what each got.
 */
static int
rf_run(struct rf_guest *g, unsigned int n, unsigned int window, uint64_t count,
       uint64_t max_rounds)
{
	uint64_t total = 0, got[RF_MAX_GUESTS];
	bool counting = false, was_backlogged = false;

	for (uint64_t r = 0; total < count; r++) {
		bool warm = true, backlogged = true;

		if (r == max_rounds) {
			fprintf(stderr, "raw_flood: %" PRIu64 " of %" PRIu64 " calls "
				"counted in %" PRIu64 " rounds: the host was seldom "
				"backlogged\n", total, count, r);
			return -1;
		}
		/* All collects first, then all fills, then all looks: the
		 * guests' intervals line up. */
		for (unsigned int i = 0; i < n; i++) {
			int k = rf_collect(&g[i]);

			if (k < 0)
				return -1;
			got[i] = (uint64_t)k;
		}
		for (unsigned int i = 0; i < n; i++) {
			rf_fill(&g[i], window);
			warm = warm && g[i].done >= window;
		}
		for (unsigned int i = 0; i < n; i++)
			backlogged = backlogged && rf_backlogged(&g[i]);
		for (unsigned int i = 0; counting && backlogged && was_backlogged &&
		     i < n; i++) {
			g[i].counted += got[i];
			total += got[i];
		}
		was_backlogged = backlogged;
		counting = counting || warm;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct rf_guest g[RF_MAX_GUESTS];
	unsigned int n, window, opened = 0;
	uint64_t count, total = 0;
	int rc = 1;

	if (argc < 5 || (argc - 3) % 2 != 0 || (argc - 3) / 2 > RF_MAX_GUESTS) {
		fprintf(stderr, "usage: raw_flood COUNT WINDOW SOCK SECRET "
			"[SOCK SECRET ...]\n");
		return 2;
	}
	count = strtoull(argv[1], NULL, 10);
	window = (unsigned int)strtoul(argv[2], NULL, 10);
	n = (unsigned int)(argc - 3) / 2;
	if (window == 0 || window >= (1u << RF_LOG2_RING))
		return 2;
	for (; opened < n; opened++)
		if (rf_up(&g[opened], argv[3 + 2 * opened], argv[4 + 2 * opened]) != EVIL_OK) {
			opened++;	/* evil_open() initialised it */
			goto out;
		}
	if (rf_run(g, n, window, count, RF_MAX_ROUNDS) < 0)
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		printf("guest %u %" PRIu64 "\n", i, g[i].counted);
		total += g[i].counted;
	}
	printf("total %" PRIu64 "\n", total);
	rc = 0;
out:
	for (unsigned int i = 0; i < opened; i++)
		evil_close(&g[i].e);
	return rc;
}
