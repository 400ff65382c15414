/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soak: many guests with calls always in flight, every call checked and
 * accounted exactly once (issue 16 §7, bench/soak.sh).
 *
 *   soak RUNDIR COUNT DEPTH SECS [TICK_S]
 *     connect to guests g0 .. gCOUNT-1 (RUNDIR/gN.sock, no secret), open
 *     and activate echo on each, then for SECS keep DEPTH echo calls in
 *     flight on every connection. Each call's 64-byte input names its
 *     guest, slot and sequence number; its completion must be HL_OK with
 *     exactly that input as output, for a slot that has a call in flight.
 *     Every TICK_S (default 60) prints "tick T calls N" (calls completed so
 *     far); at the end stops submitting, collects what is still in flight
 *     (at most 10 s) and prints
 *       "soak calls N wrong W failed F dup D lost L"
 *     wrong: output not the input; failed: a status other than HL_OK;
 *     dup: a completion for a slot with nothing in flight; lost: calls
 *     still in flight after the drain.
 *
 * SIGINT or SIGTERM ends the calling early: then the drain and the result
 * as at SECS (tests/func/test_move.sh stops it so).
 *
 * One thread makes and polls every connection (a connection belongs to the
 * thread that made it). Exit 0 when W, F, D and L are all 0, 1 otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hostlane/hostlane.h>

#define SOAK_PAYLOAD 64u
#define SOAK_MAX_DEPTH 256u
#define SOAK_MAX_GUESTS 1024u
#define SOAK_DRAIN_S 10

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct soak_slot {
	uint64_t seq;		/**< of the call in flight */
	bool busy;
	uint8_t out[SOAK_PAYLOAD];
};

struct soak_guest {
	struct hl_conn *conn;
	struct hl_fn *fn;
	struct soak_slot *slots;
	uint64_t next_seq;
	unsigned int inflight;
};

struct soak_count {
	uint64_t calls, wrong, failed, dup;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* The input of guest g's call seq: names both, so a misdelivered reply fails. */
static void
soak_input(uint8_t in[SOAK_PAYLOAD], unsigned int g, uint64_t seq)
{
	memcpy(in, &seq, sizeof(seq));
	memcpy(in + 8, &g, sizeof(g));
	for (unsigned int i = 12; i < SOAK_PAYLOAD; i++)
		in[i] = (uint8_t)(seq * 7 + g * 13 + i);
}

static int
guest_open(struct soak_guest *g, const char *rundir, unsigned int idx,
	   unsigned int depth)
{
	char sock[512];
	struct hl_opts o;
	int st;

	snprintf(sock, sizeof(sock), "%s/g%u.sock", rundir, idx);
	hl_opts_init(&o);
	o.reconnect = HL_RECONNECT_NEVER;
	o.bulk_bytes = 0;
	/* Ring slots: twice the calls in flight, 128 at least. */
	o.log2_ring_size = 7;
	while ((1u << o.log2_ring_size) < 2 * depth)
		o.log2_ring_size++;
	o.timeout_ms = 20000;
	st = hl_connect(sock, NULL, &o, &g->conn);
	if (st == HL_OK)
		st = hl_fn_open(g->conn, "echo", HL_PLACE_ANY, &g->fn);
	if (st == HL_OK)
		st = hl_fn_activate(g->fn, NULL);
	if (st != HL_OK) {
		fprintf(stderr, "soak: g%u (%s): %s %s\n", idx, sock,
			hl_strerror(st), hl_connect_reason());
		return -1;
	}
	g->slots = calloc(depth, sizeof(*g->slots));
	return g->slots == NULL ? -1 : 0;
}

static int
submit(struct soak_guest *g, unsigned int idx, unsigned int slot)
{
	uint8_t in[SOAK_PAYLOAD];
	struct soak_slot *s = &g->slots[slot];
	int st;

	s->seq = g->next_seq++;
	soak_input(in, idx, s->seq);
	st = hl_fn_submit(g->fn, in, sizeof(in), s->out, sizeof(s->out), slot);
	if (st != HL_OK) {
		fprintf(stderr, "soak: g%u submit: %s\n", idx, hl_strerror(st));
		return -1;
	}
	s->busy = true;
	g->inflight++;
	return 0;
}

/* Check one completion; returns its slot, or -1 if it matched none. */
static int
complete(struct soak_guest *g, unsigned int idx, unsigned int depth,
	 const struct hl_completion *c, struct soak_count *n)
{
	uint8_t want[SOAK_PAYLOAD];
	struct soak_slot *s;

	if (c->tag >= depth || !g->slots[c->tag].busy) {
		n->dup++;
		return -1;
	}
	s = &g->slots[c->tag];
	s->busy = false;
	g->inflight--;
	n->calls++;
	if (c->status != HL_OK) {
		if (n->failed++ < 5)
			fprintf(stderr, "soak: g%u call %" PRIu64 ": %s\n", idx, s->seq,
				hl_strerror(c->status));
		return (int)c->tag;
	}
	soak_input(want, idx, s->seq);
	if (c->out_len != SOAK_PAYLOAD || memcmp(want, s->out, SOAK_PAYLOAD) != 0) {
		if (n->wrong++ < 5)
			fprintf(stderr, "soak: g%u call %" PRIu64 ": wrong output\n",
				idx, s->seq);
	}
	return (int)c->tag;
}

/* Poll one guest once; resubmit each finished slot while `more`. */
static int
poll_guest(struct soak_guest *g, unsigned int idx, unsigned int depth,
	   bool more, struct soak_count *n)
{
	struct hl_completion c[32];
	int k = hl_poll(g->conn, c, 32, 0);

	if (k < 0) {
		fprintf(stderr, "soak: g%u poll: %s\n", idx, hl_strerror(-k));
		return -1;
	}
	for (int i = 0; i < k; i++) {
		int slot = complete(g, idx, depth, &c[i], n);

		if (slot >= 0 && more && submit(g, idx, (unsigned int)slot) < 0)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int count, depth, secs, tick = 60;
	struct soak_count n = { 0 };
	struct soak_guest *gs;
	uint64_t lost = 0;
	double t0, next_tick, end;

	if ((argc != 5 && argc != 6) ||
	    parse_uint(argv[2], 1, SOAK_MAX_GUESTS, &count) < 0 ||
	    parse_uint(argv[3], 1, SOAK_MAX_DEPTH, &depth) < 0 ||
	    parse_uint(argv[4], 1, 86400, &secs) < 0 ||
	    (argc == 6 && parse_uint(argv[5], 1, 3600, &tick) < 0)) {
		fprintf(stderr, "usage: soak RUNDIR COUNT DEPTH SECS [TICK_S]\n");
		return 2;
	}
	gs = calloc(count, sizeof(*gs));
	if (gs == NULL)
		return 1;
	for (unsigned int i = 0; i < count; i++)
		if (guest_open(&gs[i], argv[1], i, depth) < 0)
			return 1;
	for (unsigned int i = 0; i < count; i++)
		for (unsigned int s = 0; s < depth; s++)
			if (submit(&gs[i], i, s) < 0)
				return 1;
	printf("started %u guests, %u calls in flight each\n", count, depth);
	fflush(stdout);
	t0 = now_s();
	next_tick = t0 + tick;
	end = t0 + secs;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (double t = t0; t < end && !stop; t = now_s()) {
		for (unsigned int i = 0; i < count; i++)
			if (poll_guest(&gs[i], i, depth, true, &n) < 0)
				return 1;
		if (t >= next_tick) {
			printf("tick %.0f calls %" PRIu64 "\n", t - t0, n.calls);
			fflush(stdout);
			next_tick += tick;
		}
	}
	for (double t = now_s(), stop = t + SOAK_DRAIN_S; t < stop; t = now_s()) {
		unsigned int left = 0;

		for (unsigned int i = 0; i < count; i++) {
			if (gs[i].inflight > 0 && poll_guest(&gs[i], i, depth, false, &n) < 0)
				return 1;
			left += gs[i].inflight;
		}
		if (left == 0)
			break;
	}
	for (unsigned int i = 0; i < count; i++) {
		lost += gs[i].inflight;
		hl_disconnect(gs[i].conn);
		free(gs[i].slots);
	}
	free(gs);
	printf("soak calls %" PRIu64 " wrong %" PRIu64 " failed %" PRIu64
	       " dup %" PRIu64 " lost %" PRIu64 "\n", n.calls, n.wrong, n.failed,
	       n.dup, lost);
	return (n.wrong | n.failed | n.dup | lost) == 0 ? 0 : 1;
}
