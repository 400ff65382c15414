/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crash_client: the libhostlane guest of the crash and restart tests.
 *
 *   crash_client stream SOCK SECRET NSESS     async echo calls on NSESS
 *                                             sessions until killed
 *   crash_client once SOCK SECRET             connect, open, call, close
 *   crash_client restart SOCK SECRET AFTER    async calls across a host
 *                                             restart, then AFTER more
 *   crash_client stall SOCK SECRET GOFILE     submit until the window is
 *                                             full (S2C ring of 16), stop
 *                                             reading until GOFILE exists
 *   crash_client steady SOCK SECRET STOPFILE  sync calls until STOPFILE
 *
 * Every mode checks every result it gets and prints what it counted; exit
 * 0 if every check passed, 1 otherwise (each failure prints a FAIL line).
 * Progress lines (READY, STALLED, ...) are for the shell script to wait on.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hostlane/hostlane.h>

#define WINDOW 64u		/* async requests kept in flight */
#define MAX_SEQ (1u << 22)	/* requests one run may submit */
#define PAYLOAD 48u		/* echo payload bytes */
#define RUN_LIMIT_MS 100000	/* no mode runs longer (the test's bound) */
#define STALL_CALLS 200u	/* stall: requests tried, never read */
#define STALL_LOG2_RING 4u	/* stall: 16 S2C buffers */
#define FACT20 2432902008176640000ull

enum tag_state { TAG_FREE, TAG_SENT, TAG_DONE };

static int failures;

static void __attribute__((format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static struct hl_conn *
connect_to(const char *sock, const char *secret, const struct hl_opts *o)
{
	struct hl_conn *c = NULL;
	int rc = hl_connect(sock, secret, o, &c);

	if (rc != HL_OK)
		fail("connect %s: %s (%s)", sock, hl_status_name(rc),
		     hl_connect_reason());
	return c;
}

static struct hl_fn *
open_active(struct hl_conn *c, const char *name)
{
	struct hl_fn *fn = NULL;
	int rc = hl_fn_open(c, name, HL_PLACE_SW, &fn);

	if (rc == HL_OK)
		rc = hl_fn_activate(fn, NULL);
	if (rc != HL_OK) {
		fail("open+activate %s: %s", name, hl_status_name(rc));
		hl_fn_close(fn);
		return NULL;
	}
	return fn;
}

static void
payload(uint32_t seq, uint8_t *p)
{
	for (uint32_t i = 0; i < PAYLOAD; i++)
		p[i] = (uint8_t)(seq * 31u + i);
}

/* ---- the async stream: exactly one completion per submitted request ---- */

struct stream {
	struct hl_conn *c;
	struct hl_fn **fns;
	unsigned int nfns;
	uint8_t *state;			/* enum tag_state, by sequence number */
	uint8_t out[WINDOW][PAYLOAD];	/* one output buffer per window slot */
	uint32_t free_buf[WINDOW];
	unsigned int nfree;
	uint32_t seq;			/* next sequence number */
	uint64_t submitted, ok, err, err_disc, submit_refused;
	uint64_t disconnect_seen_at;	/* seq when the host was first seen gone */
	uint64_t ok_after;		/* OK completions submitted after that */
	bool host_gone;
};

static int
stream_init(struct stream *s, struct hl_conn *c, struct hl_fn **fns,
	    unsigned int nfns)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->fns = fns;
	s->nfns = nfns;
	s->state = calloc(MAX_SEQ, 1);
	for (uint32_t i = 0; i < WINDOW; i++)
		s->free_buf[s->nfree++] = i;
	return s->state == NULL ? -1 : 0;
}

static void
stream_gone(struct stream *s)
{
	if (!s->host_gone) {
		s->host_gone = true;
		s->disconnect_seen_at = s->seq;
	}
}

/* Submit until the window is full; false when submit refused. */
static bool
stream_fill(struct stream *s)
{
	uint8_t in[PAYLOAD];

	while (s->nfree > 0 && s->seq < MAX_SEQ) {
		uint32_t b = s->free_buf[s->nfree - 1];
		uint64_t tag = ((uint64_t)s->seq << 8) | b;
		int rc;

		payload(s->seq, in);
		rc = hl_fn_submit(s->fns[s->seq % s->nfns], in, PAYLOAD,
				  s->out[b], PAYLOAD, tag);
		if (rc != HL_OK) {
			s->submit_refused++;
			if (rc != HL_E_DISCONNECTED && rc != HL_E_TIMEOUT)
				fail("submit #%u: %s", s->seq, hl_status_name(rc));
			stream_gone(s);
			return false;
		}
		s->nfree--;
		s->state[s->seq++] = TAG_SENT;
		s->submitted++;
	}
	return true;
}

static void
stream_complete(struct stream *s, const struct hl_completion *e)
{
	uint32_t seq = (uint32_t)(e->tag >> 8), b = (uint32_t)(e->tag & 0xff);
	uint8_t want[PAYLOAD];

	if (seq >= s->seq || b >= WINDOW || s->state[seq] != TAG_SENT) {
		fail("completion for tag %#" PRIx64 " (state %u): twice or never "
		     "submitted", e->tag, seq < MAX_SEQ ? s->state[seq] : 9u);
		return;
	}
	s->state[seq] = TAG_DONE;
	s->free_buf[s->nfree++] = b;
	if (e->status != HL_OK) {
		s->err++;
		if (e->status == HL_E_DISCONNECTED)
			s->err_disc++;
		else
			fail("request #%u completed with %s", seq,
			     hl_status_name(e->status));
		stream_gone(s);
		return;
	}
	payload(seq, want);
	if (e->out_len != PAYLOAD || memcmp(s->out[b], want, PAYLOAD) != 0)
		fail("request #%u: wrong echo (%u bytes)", seq, e->out_len);
	s->ok++;
	if (s->host_gone && seq >= s->disconnect_seen_at)
		s->ok_after++;
}

/* One round: fill the window, collect what completed. */
static void
stream_round(struct stream *s, int wait_ms)
{
	struct hl_completion comp[WINDOW];
	int n;

	stream_fill(s);
	n = hl_poll(s->c, comp, WINDOW, wait_ms);
	if (n < 0) {
		if (-n != HL_E_DISCONNECTED)
			fail("hl_poll: %s", hl_status_name(-n));
		stream_gone(s);
	}
	for (int i = 0; i < n; i++)
		stream_complete(s, &comp[i]);
}

/* Collect the rest: everything submitted must complete, within a bound. */
static void
stream_drain(struct stream *s)
{
	int64_t end = now_ms() + 10000;

	while (s->nfree < WINDOW && now_ms() < end) {
		struct hl_completion comp[WINDOW];
		int n = hl_poll(s->c, comp, WINDOW, 100);

		for (int i = 0; i < n; i++)
			stream_complete(s, &comp[i]);
	}
	if (s->nfree != WINDOW)
		fail("%u requests never completed", WINDOW - s->nfree);
	if (s->submitted != s->ok + s->err)
		fail("submitted %" PRIu64 " != completed ok %" PRIu64 " + error %"
		     PRIu64, s->submitted, s->ok, s->err);
}

static struct hl_conn *
stream_open(const char *sock, const char *secret, unsigned int nfns,
	    struct hl_fn **fns)
{
	struct hl_opts o;
	struct hl_conn *c;

	hl_opts_init(&o);
	o.name = "crash_client";
	o.timeout_ms = 2000;
	c = connect_to(sock, secret, &o);
	for (unsigned int i = 0; c != NULL && i < nfns; i++)
		if ((fns[i] = open_active(c, "echo")) == NULL)
			return NULL;
	return c;
}

static int
cmd_stream(const char *sock, const char *secret, unsigned int nfns)
{
	struct hl_fn *fns[16] = { NULL };
	struct stream s;
	struct hl_conn *c;
	int64_t end = now_ms() + RUN_LIMIT_MS;
	bool said = false;

	if (nfns < 1 || nfns > 16)
		return 2;
	c = stream_open(sock, secret, nfns, fns);
	if (c == NULL || stream_init(&s, c, fns, nfns) < 0)
		return 1;
	while (now_ms() < end && failures == 0) {
		stream_round(&s, 10);
		if (!said && s.ok >= 1000) {
			printf("READY %u sessions, %u in flight\n", nfns, WINDOW);
			said = true;
		}
	}
	fail("stream: not killed within %d ms", RUN_LIMIT_MS);
	return 1;
}

static int
cmd_restart(const char *sock, const char *secret, uint64_t after)
{
	struct hl_fn *fns[2] = { NULL };
	struct hl_stats st;
	struct stream s;
	struct hl_conn *c;
	int64_t end = now_ms() + RUN_LIMIT_MS, gone_ms = 0, back_ms = 0;
	bool said = false;

	c = stream_open(sock, secret, 2, fns);
	if (c == NULL || stream_init(&s, c, fns, 2) < 0)
		return 1;
	while (now_ms() < end && failures == 0 && s.ok_after < after) {
		stream_round(&s, 10);
		if (!said && s.ok >= 1000) {
			printf("READY\n");
			said = true;
		}
		/* A clean stop may answer every call in flight before it says
		 * DISCONNECT: then no call fails and only the count shows it. */
		hl_conn_stats(c, &st);
		if (st.disconnects > 0)
			stream_gone(&s);
		if (s.seq >= MAX_SEQ) {
			fail("%u requests submitted, the restart not through", MAX_SEQ);
			break;
		}
		if (s.host_gone && gone_ms == 0)
			gone_ms = now_ms();
		if (s.ok_after > 0 && back_ms == 0)
			back_ms = now_ms();
	}
	stream_drain(&s);
	hl_conn_stats(c, &st);
	printf("restart: submitted %" PRIu64 ", completed ok %" PRIu64
	       ", completed with an error %" PRIu64 " (HL_E_DISCONNECTED %" PRIu64
	       "), submits refused while the host was gone %" PRIu64
	       "; %" PRIu64 " ok after the restart; back after %" PRId64
	       " ms; disconnects %" PRIu64 ", reconnects %" PRIu64
	       ", lost in flight %" PRIu64 "\n", s.submitted, s.ok, s.err,
	       s.err_disc, s.submit_refused, s.ok_after,
	       back_ms > 0 ? back_ms - gone_ms : -1, st.disconnects,
	       st.reconnects, st.lost_inflight);
	if (!s.host_gone)
		fail("never saw the host go");
	if (s.ok_after < after)
		fail("only %" PRIu64 " calls succeeded after the restart",
		     s.ok_after);
	if (st.reconnects < 1)
		fail("hl_stats.reconnects = %" PRIu64, st.reconnects);
	if (st.lost_inflight != s.err_disc)
		fail("hl_stats.lost_inflight %" PRIu64 " != %" PRIu64
		     " DISCONNECTED completions", st.lost_inflight, s.err_disc);
	hl_disconnect(c);
	free(s.state);
	return failures != 0;
}

static int
cmd_once(const char *sock, const char *secret)
{
	struct hl_conn *c = connect_to(sock, secret, NULL);
	struct hl_fn *fn = c != NULL ? open_active(c, "factorial") : NULL;
	uint64_t r = 0;
	int rc;

	if (fn != NULL) {
		rc = hl_fn_call_u64(fn, 20, 1, &r);
		if (rc != HL_OK || r != FACT20)
			fail("factorial(20): %s, %" PRIu64, hl_status_name(rc), r);
		rc = hl_fn_close(fn);
		if (rc != HL_OK)
			fail("close: %s", hl_status_name(rc));
	}
	hl_disconnect(c);
	if (failures == 0)
		printf("once: factorial(20) correct on a new connection\n");
	return failures != 0;
}

/* ---- a guest that stops reading its S2C ring ---------------------------- */

static int
cmd_stall(const char *sock, const char *secret, const char *gofile)
{
	static uint8_t out[STALL_CALLS][PAYLOAD];
	struct hl_completion comp[WINDOW];
	uint8_t in[PAYLOAD], seen[STALL_CALLS] = { 0 };
	uint32_t ok = 0, timedout = 0, done = 0, sent = 0;
	struct hl_opts o;
	struct hl_conn *c;
	struct hl_fn *fn;
	int64_t end;
	int rc, n;

	hl_opts_init(&o);
	o.name = "crash_stall";
	o.log2_ring_size = STALL_LOG2_RING;
	o.timeout_ms = 3000;
	c = connect_to(sock, secret, &o);
	fn = c != NULL ? open_active(c, "echo") : NULL;
	if (fn == NULL)
		return 1;
	/* libhostlane keeps no more in flight than the S2C ring can answer
	 * (its window): the submits stop with NO_SLOTS before the ring of 16
	 * could overflow, so the host never has to drop a reply. (A guest
	 * that ignores that is hostile: tests/hostile s2c-none-posted.) */
	for (uint32_t i = 0; i < STALL_CALLS; i++) {
		payload(i, in);
		rc = hl_fn_submit(fn, in, PAYLOAD, out[i], PAYLOAD, i);
		if (rc == HL_E_NO_SLOTS && i > 0)
			break;
		if (rc != HL_OK) {
			fail("stall: submit #%u: %s", i, hl_status_name(rc));
			break;
		}
		sent++;
	}
	if (sent >= 1u << STALL_LOG2_RING)
		fail("stall: %u submitted on a ring of %u: the window let the "
		     "replies overflow it", sent, 1u << STALL_LOG2_RING);
	printf("STALLED %u requests submitted, S2C ring of %u\n", sent,
	       1u << STALL_LOG2_RING);
	end = now_ms() + RUN_LIMIT_MS / 2;
	while (!file_exists(gofile) && now_ms() < end)
		usleep(10000);
	/* Reading again: every request completes once, answered or timed out. */
	end = now_ms() + 10000;
	while (done < sent && now_ms() < end) {
		n = hl_poll(c, comp, WINDOW, 100);
		for (int i = 0; i < n; i++) {
			uint64_t t = comp[i].tag;
			if (t >= sent || seen[t]++) {
				fail("stall: completion for tag %" PRIu64 " twice "
				     "or never submitted", t);
				continue;
			}
			done++;
			payload((uint32_t)t, in);
			if (comp[i].status == HL_OK &&
			    memcmp(out[t], in, PAYLOAD) == 0)
				ok++;
			else if (comp[i].status == HL_E_TIMEOUT)
				timedout++;
			else
				fail("stall: tag %" PRIu64 ": %s", t,
				     hl_status_name(comp[i].status));
		}
	}
	if (done != sent)
		fail("stall: %u of %u requests completed", done, sent);
	/* And it works again. */
	for (uint32_t i = 0; i < 1000 && failures == 0; i++) {
		uint8_t back[PAYLOAD];
		uint32_t len = 0;
		payload(i + 7, in);
		rc = hl_fn_call(fn, in, PAYLOAD, back, sizeof(back), &len);
		if (rc != HL_OK || len != PAYLOAD || memcmp(back, in, PAYLOAD))
			fail("stall: call %u after reading again: %s", i,
			     hl_status_name(rc));
	}
	printf("RECOVERED: %u answered, %u timed out, then 1000 sync calls ok\n",
	       ok, timedout);
	if (ok != sent)
		fail("stall: %u of %u answered (%u timed out: replies dropped?)",
		     ok, sent, timedout);
	hl_disconnect(c);
	return failures != 0;
}

/* ---- a well-behaved neighbour ------------------------------------------- */

static int
cmd_steady(const char *sock, const char *secret, const char *stopfile)
{
	struct hl_conn *c = connect_to(sock, secret, NULL);
	struct hl_fn *fact = c != NULL ? open_active(c, "factorial") : NULL;
	struct hl_fn *echo = fact != NULL ? open_active(c, "echo") : NULL;
	uint64_t ok = 0, bad = 0, r;
	uint8_t in[PAYLOAD], back[PAYLOAD];
	int64_t start = now_ms(), end = start + RUN_LIMIT_MS;
	bool said = false;

	if (echo == NULL)
		return 1;
	for (uint32_t i = 0; now_ms() < end; i++) {
		uint32_t len = 0;
		int rc = hl_fn_call_u64(fact, 20, 1, &r);

		if (rc != HL_OK || r != FACT20) {
			bad++;
			fail("steady: factorial(20): %s", hl_status_name(rc));
		} else {
			ok++;
		}
		payload(i, in);
		rc = hl_fn_call(echo, in, PAYLOAD, back, sizeof(back), &len);
		if (rc != HL_OK || len != PAYLOAD || memcmp(back, in, PAYLOAD)) {
			bad++;
			fail("steady: echo: %s", hl_status_name(rc));
		} else {
			ok++;
		}
		if (!said && ok >= 1000) {
			printf("READY\n");
			said = true;
		}
		if ((i & 255) == 0 && file_exists(stopfile))
			break;
		if (bad > 10)
			break;
	}
	printf("steady: %" PRIu64 " calls correct, %" PRIu64 " failed, in %"
	       PRId64 " ms\n", ok, bad, now_ms() - start);
	hl_disconnect(c);
	return failures != 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && strcmp(argv[1], "stream") == 0)
		return cmd_stream(argv[2], argv[3], (unsigned int)atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "once") == 0)
		return cmd_once(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "restart") == 0)
		return cmd_restart(argv[2], argv[3], strtoull(argv[4], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "stall") == 0)
		return cmd_stall(argv[2], argv[3], argv[4]);
	if (argc == 5 && strcmp(argv[1], "steady") == 0)
		return cmd_steady(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: crash_client stream SOCK SECRET NSESS\n"
		"       crash_client once SOCK SECRET\n"
		"       crash_client restart SOCK SECRET AFTER\n"
		"       crash_client stall SOCK SECRET GOFILE\n"
		"       crash_client steady SOCK SECRET STOPFILE\n");
	return 2;
}
