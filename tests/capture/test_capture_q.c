/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture's fast-path accounting (dataplane/capture_q.h) with a ring and
 * a pool of the test's own: copies cut to snaplen and stamped; when the
 * pool runs dry or the ring fills, the copies are dropped and counted and
 * nothing leaks; copies of frames the channel refused are freed, not
 * queued, not counted.
 */
#include <inttypes.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "capture.h"
#include "capture_q.h"
#include "unit_check.h"

#define RING 8			/* holds 7 */
#define POOL 10
#define FRAMES 20

static struct rte_mempool *src;	/* the frames "on the wire" */

static int
eal_start(void)
{
	char *argv[] = {
		"test_capture_q", "--no-huge", "-m", "64", "--no-pci",
		"--no-shconf", "--file-prefix=hostlane_unit_cap", "--no-telemetry",
		"--log-level=*:error", "-l", "0", NULL,
	};

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

/* Frame i: 100 + i bytes of value i. */
static void
frames(struct rte_mbuf **pkts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		pkts[i] = rte_pktmbuf_alloc(src);
		memset(rte_pktmbuf_append(pkts[i], 100 + i), (int)i, 100 + i);
	}
}

static unsigned int
drain(struct dp_cap_q *q)
{
	struct rte_mbuf *m = NULL;
	unsigned int n = 0;

	while (rte_ring_dequeue(q->ring, (void **)&m) == 0) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

/* More frames than the pool has copies and the ring has room. */
static void
test_drops(struct dp_cap_q *q)
{
	struct rte_mbuf *pkts[FRAMES], *copies[FRAMES];
	struct rte_mbuf *m = NULL;

	frames(pkts, FRAMES);
	dp_cap_q_copy(q, pkts, FRAMES, DP_CAP_IN, 42, copies);
	dp_cap_q_commit(q, copies, FRAMES, FRAMES);
	CHECK("drops", q->copied == RING - 1 && q->dropped == FRAMES - (RING - 1),
	      "copied %" PRIu64 " dropped %" PRIu64, q->copied, q->dropped);
	CHECK("drops: pool", rte_mempool_in_use_count(q->mp) == RING - 1,
	      "%u copies in use, not the %d queued", rte_mempool_in_use_count(q->mp),
	      RING - 1);
	CHECK("drops: order", rte_ring_dequeue(q->ring, (void **)&m) == 0 &&
	      m->pkt_len == 64 && rte_pktmbuf_mtod(m, uint8_t *)[63] == 0,
	      "the first copy is not frame 0 cut to 64 bytes");
	if (m != NULL) {
		const struct dp_cap_meta *meta = rte_mbuf_to_priv(m);

		CHECK("drops: meta", meta->tsc == 42 && meta->orig_len == 100 &&
		      meta->dir == DP_CAP_IN, "tsc %" PRIu64 " len %u dir %u",
		      meta->tsc, meta->orig_len, meta->dir);
		rte_pktmbuf_free(m);
	}
	drain(q);
	rte_pktmbuf_free_bulk(pkts, FRAMES);
	CHECK("drops: the frames", rte_mempool_in_use_count(src) == 0,
	      "%u frames leaked", rte_mempool_in_use_count(src));
}

/* The channel took 2 of 5: 2 copies queued, 3 freed, none counted dropped. */
static void
test_refused(struct dp_cap_q *q)
{
	struct rte_mbuf *pkts[5], *copies[5];
	uint64_t copied = q->copied, dropped = q->dropped;

	frames(pkts, 5);
	dp_cap_q_copy(q, pkts, 5, DP_CAP_OUT, 7, copies);
	dp_cap_q_commit(q, copies, 2, 5);
	CHECK("refused", q->copied == copied + 2 && q->dropped == dropped,
	      "copied +%" PRIu64 " dropped +%" PRIu64, q->copied - copied,
	      q->dropped - dropped);
	CHECK("refused: queued", drain(q) == 2, "not 2 copies queued");
	CHECK("refused: pool", rte_mempool_in_use_count(q->mp) == 0,
	      "%u copies leaked", rte_mempool_in_use_count(q->mp));
	rte_pktmbuf_free_bulk(pkts, 5);
}

int
main(void)
{
	struct dp_cap_q q = { .snaplen = 64 };

	if (eal_start() < 0) {
		printf("FAIL: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	src = rte_pktmbuf_pool_create("unit_cap_src", 63, 0, 0,
				      RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	q.mp = rte_pktmbuf_pool_create("unit_cap_q", POOL, 0,
				       RTE_ALIGN(sizeof(struct dp_cap_meta),
						 RTE_MBUF_PRIV_ALIGN),
				       RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	q.ring = rte_ring_create("unit_cap_r", RING, rte_socket_id(),
				 RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (src == NULL || q.mp == NULL || q.ring == NULL) {
		printf("FAIL: pools and ring: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	test_drops(&q);
	test_refused(&q);
	rte_ring_free(q.ring);
	rte_mempool_free(q.mp);
	rte_mempool_free(src);
	rte_eal_cleanup();
	if (failures == 0)
		printf("PASS: capture ring drop accounting\n");
	return failures == 0 ? 0 : 1;
}
