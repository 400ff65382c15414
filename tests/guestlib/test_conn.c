/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit: connections and the function API end to end, against an in-process
 * fake host plugged in as the transport: HELLO, open nacks, activate, calls,
 * set/get, 256 async requests completed out of order, unknown and duplicate
 * replies, timeouts with late replies, wrong thread, a dead host; and the
 * host as the attacker: a transport that dies during the HELLO (closed
 * once, never used after), HELLO replies of the wrong size or version
 * range, and forged replies with every guessable request id.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gl_check.h"
#include "hl_conn.h"

#define FQ 512

enum fake_mode { FAKE_NOW, FAKE_HOLD, FAKE_DROP };

struct fake {
	uint8_t q[FQ][HL_FRAME_MAX];
	uint32_t qlen[FQ];
	uint32_t n;		/* frames queued */
	uint32_t lifo;		/* deliver newest first */
	enum fake_mode mode;
	int dead;
	int dup;		/* send every reply twice */
	uint32_t sessions;
	uint64_t set_arg;
	uint8_t held[HL_FRAME_MAX]; /* last dropped reply, for a late delivery */
	uint32_t held_len;
	/* The host as the attacker. */
	int die_on_hello;	/* HELLO sent: the transport dies */
	int die_after_reply;	/* dies once its queue has been read */
	int die_in_wait;	/* dies in its next wait, its queue still
				   readable (memif: replies in the ring) */
	uint32_t hello_len;	/* HELLO reply payload bytes (0: 48) */
	uint16_t hello_vmin, hello_vmax; /* HELLO reply's range (0: 1..1) */
	uint32_t forge;		/* forged replies before each real one */
	uint32_t forge_left;	/* of the current request, still to come */
	uint32_t forge_next;	/* guess number of the next forged reply */
	uint8_t forged[HL_FRAME_MAX]; /* the real reply, rewritten per guess */
	uint32_t forged_len;
	int closes;		/* ops->close calls */
	int misuse;		/* ops called after close, or on NULL */
};

static const uint8_t host_mac[6] = { 0x02, 0xaa, 0, 0, 0, 1 };
static const uint8_t evil_mac[6] = { 0x02, 0x66, 0, 0, 0, 6 };

/* Forged replies per request: the ids (gen << 16) | slot of the first
 * FORGE_GENS generations of every slot, then FORGE_GENS_SLOT0 more of slot
 * 0 (a synchronous caller always gets slot 0). */
#define FORGE_GENS 64u
#define FORGE_GENS_SLOT0 4096u
#define FORGE_IDS (FORGE_GENS * HL_MAX_INFLIGHT + FORGE_GENS_SLOT0 - FORGE_GENS)
#define FORGED_RESULT 1337u

static uint64_t
factorial(uint64_t n)
{
	uint64_t r = 1;

	while (n > 1)
		r *= n--;
	return r;
}

static void
fake_push(struct fake *f, const void *frame, uint32_t len)
{
	if (f->n < FQ) {
		memcpy(f->q[f->n], frame, len);
		f->qlen[f->n++] = len;
	}
}

static int
fake_fn_open(struct fake *f, const uint8_t *pl, uint32_t len,
	     struct hl_frame_hdr *h)
{
	struct hl_fn_open o;
	int st = hl_proto_fn_open_parse(pl, len, &o);

	if (st != HL_OK)
		return st;
	if (strcmp(o.name, "fib") == 0 && o.placement == HL_PLACE_HW)
		return HL_E_HW_UNAVAIL;
	if (strcmp(o.name, "factorial") != 0 && strcmp(o.name, "fib") != 0 &&
	    strcmp(o.name, "reverse") != 0)
		return HL_E_UNKNOWN_FN;
	h->hl.session = ++f->sessions;
	h->hl.arg0 = o.placement == HL_PLACE_ANY ? HL_PLACE_SW : o.placement;
	return HL_OK;
}

/* Build the reply to request h (payload pl) into out; returns its length. */
static uint32_t
fake_answer(struct fake *f, struct hl_frame_hdr *h, const uint8_t *pl,
	    uint8_t *out)
{
	uint32_t plen = h->hl.payload_len, olen = 0;
	int st = HL_OK;

	h->hl.state = HL_FN_NONE;
	if (h->hl.opcode >= HL_OP_FN_ACTIVATE &&
	    (h->hl.session == 0 || h->hl.session > f->sessions))
		st = HL_E_BAD_SESSION;
	else if (h->hl.opcode == HL_OP_HELLO) {
		struct hl_hello hi = { .name = "fakehost", .version_min = 1,
				       .version_max = 1, .max_inflight = 256,
				       .max_payload = HL_PAYLOAD_MAX };
		if (f->hello_vmax != 0) {
			hi.version_min = f->hello_vmin;
			hi.version_max = f->hello_vmax;
		}
		olen = f->hello_len != 0 ? f->hello_len : sizeof(hi);
		memset(out + HL_FRAME_HDR_LEN, 0, olen);
		memcpy(out + HL_FRAME_HDR_LEN, &hi,
		       olen < sizeof(hi) ? olen : sizeof(hi));
	} else if (h->hl.opcode == HL_OP_FN_OPEN) {
		st = fake_fn_open(f, pl, plen, h);
	} else if (h->hl.opcode == HL_OP_FN_ACTIVATE) {
		h->hl.arg0 = HL_PLACE_SW;
		h->hl.state = HL_FN_WAIT;
	} else if (h->hl.opcode == HL_OP_FN_CALL) {
		for (uint32_t i = 0; i < plen; i++)
			out[HL_FRAME_HDR_LEN + i] = pl[plen - 1 - i];
		olen = plen;
		h->hl.arg0 = factorial(h->hl.arg0);
		h->hl.state = HL_FN_DONE;
	} else if (h->hl.opcode == HL_OP_FN_SET) {
		f->set_arg = h->hl.arg0;
		h->hl.state = HL_FN_BUSY;
	} else if (h->hl.opcode == HL_OP_FN_GET) {
		h->hl.arg0 = factorial(f->set_arg);
		h->hl.state = HL_FN_DONE;
	} else if (h->hl.opcode == HL_OP_FN_RESET) {
		h->hl.state = HL_FN_WAIT;
	}
	hl_proto_hdr_make_reply(h, host_mac, (enum hl_status)st);
	h->hl.payload_len = olen;
	memcpy(out, h, sizeof(*h));
	return HL_FRAME_HDR_LEN + olen;
}

static struct fake fk;

/* An op on a transport libhostlane has closed (or on none at all). */
static int
fake_misused(const void *tp)
{
	if (tp == NULL || ((const struct fake *)tp)->closes > 0) {
		fk.misuse++;
		return 1;
	}
	return 0;
}

/* The forged copy of the real reply (out, olen) for guess number k. */
static void
fake_forge(struct fake *f, uint32_t k)
{
	struct hl_frame_hdr h;
	uint32_t gen = k < FORGE_GENS * HL_MAX_INFLIGHT ?
		       1 + k / HL_MAX_INFLIGHT :
		       1 + FORGE_GENS + (k - FORGE_GENS * HL_MAX_INFLIGHT);
	uint32_t slot = k < FORGE_GENS * HL_MAX_INFLIGHT ? k % HL_MAX_INFLIGHT : 0;

	memcpy(&h, f->forged, sizeof(h));
	h.hl.req_id = ((uint64_t)gen << 16) | slot;
	h.hl.arg0 = FORGED_RESULT;
	/* Before the HELLO reply names the host, a forger need not pose as
	 * it; after, it must (or it is dropped anyway). */
	if (h.hl.opcode == HL_OP_HELLO) {
		memcpy(h.eth.src, evil_mac, 6);
		memcpy(f->forged + HL_FRAME_HDR_LEN, "evil", 5);
	}
	memcpy(f->forged, &h, sizeof(h));
}

static int
fake_send(void *tp, const void *frame, uint32_t len, int timeout_ms)
{
	struct fake *f = tp;
	struct hl_frame_hdr h;
	uint8_t out[HL_FRAME_MAX];
	uint32_t olen;

	(void)timeout_ms;
	if (fake_misused(tp))
		return HL_E_INVAL;
	if (f->dead)
		return HL_E_DISCONNECTED;
	if (hl_proto_hdr_parse(frame, len, &h) != HL_OK ||
	    (h.hl.flags & HL_F_REPLY) || memcmp(h.eth.src, host_mac, 6) == 0)
		abort();	/* libhostlane must only send valid requests */
	olen = fake_answer(f, &h, (const uint8_t *)frame + HL_FRAME_HDR_LEN, out);
	if (f->die_on_hello && h.hl.opcode == HL_OP_HELLO) {
		f->dead = 1;
		return HL_OK;
	}
	if (f->forge) {
		memcpy(f->forged, out, olen);
		f->forged_len = olen;
		f->forge_left = f->forge;
		f->forge_next = 0;
	}
	if (f->mode == FAKE_DROP) {
		memcpy(f->held, out, olen);
		f->held_len = olen;
		return HL_OK;
	}
	fake_push(f, out, olen);
	if (f->dup)
		fake_push(f, out, olen);
	return HL_OK;
}

static int
fake_recv(void *tp, void *buf, uint32_t cap, uint32_t *len)
{
	struct fake *f = tp;
	uint32_t i;

	if (fake_misused(tp))
		return HL_E_INVAL;
	if (f->dead && !(f->die_in_wait && f->n > 0))
		return HL_E_DISCONNECTED;
	if (f->forge_left > 0 && f->mode != FAKE_HOLD) {
		fake_forge(f, f->forge_next++ % FORGE_IDS);
		f->forge_left--;
		memcpy(buf, f->forged, f->forged_len);
		*len = f->forged_len;
		return HL_OK;
	}
	if (f->n == 0 && f->die_after_reply) {
		f->dead = 1;
		return HL_E_DISCONNECTED;
	}
	if (f->n == 0 || f->mode == FAKE_HOLD)
		return HL_E_AGAIN;
	i = f->lifo ? f->n - 1 : 0;
	if (f->qlen[i] > cap)
		abort();
	memcpy(buf, f->q[i], f->qlen[i]);
	*len = f->qlen[i];
	f->n--;
	if (!f->lifo) {
		memmove(f->q[0], f->q[1], (size_t)f->n * HL_FRAME_MAX);
		memmove(f->qlen, f->qlen + 1, f->n * sizeof(f->qlen[0]));
	}
	return HL_OK;
}

static int
fake_wait(void *tp, int timeout_ms)
{
	struct fake *f = tp;

	(void)timeout_ms;
	if (fake_misused(tp))
		return HL_E_INVAL;
	if (f->die_in_wait && !f->dead) {
		f->dead = 1;
		f->mode = FAKE_NOW;
	}
	if (f->dead)
		return HL_E_DISCONNECTED;
	if (f->die_after_reply)
		return HL_OK;
	return (f->n > 0 || f->forge_left > 0) && f->mode != FAKE_HOLD ?
	       HL_OK : HL_E_TIMEOUT;
}

static const char *
fake_reason(const void *tp)
{
	if (fake_misused(tp))
		return "";
	return ((const struct fake *)tp)->dead ? "fake host died" : "";
}

static void
fake_stats(const void *tp, struct hl_stats *st)
{
	(void)fake_misused(tp);
	(void)st;
}

static void
fake_close(void *tp)
{
	if (tp == NULL) {
		fk.misuse++;
		return;
	}
	((struct fake *)tp)->closes++;
}

/* The fake shares no memory; it only checks that it is asked while open. */
static void
fake_bulk_area(void *tp, struct hl_bulk_area *a)
{
	(void)fake_misused(tp);
	memset(a, 0, sizeof(*a));
}

static const struct hl_transport_ops fake_ops = {
	.send = fake_send, .recv = fake_recv, .wait = fake_wait,
	.reason = fake_reason, .stats = fake_stats, .close = fake_close,
	.bulk_area = fake_bulk_area,
};

static struct hl_conn *
connect_fake(void)
{
	struct hl_opts o;
	struct hl_conn *c = NULL;

	memset(&fk, 0, sizeof(fk));
	hl_opts_init(&o);
	o.timeout_ms = 50;
	CHECK_EQ(hl_conn_create(&fake_ops, &fk, &o, &c), HL_OK);
	CHECK(c != NULL);
	CHECK_EQ(hl_conn_host_version(c), HL_PROTO_VERSION);
	CHECK(memcmp(c->host_mac, host_mac, 6) == 0);
	CHECK(strcmp(c->host_hello.name, "fakehost") == 0);
	return c;
}

static void
test_open_activate_call(struct hl_conn *c)
{
	struct hl_fn *fn = (struct hl_fn *)1, *fn2;
	enum hl_placement where;
	enum hl_fn_state state;
	uint64_t r;
	uint8_t out[16];
	uint32_t olen;

	CHECK_EQ(hl_fn_open(c, "nosuch", HL_PLACE_ANY, &fn), HL_E_UNKNOWN_FN);
	CHECK(fn == NULL);
	CHECK_EQ(hl_fn_open(c, "fib", HL_PLACE_HW, &fn), HL_E_HW_UNAVAIL);
	CHECK_EQ(hl_fn_open(c, "bad name", HL_PLACE_ANY, &fn), HL_E_INVAL);
	CHECK_EQ(hl_fn_open(c, "", HL_PLACE_ANY, &fn), HL_E_INVAL);
	CHECK_EQ(hl_fn_open(c, "fib", (enum hl_placement)7, &fn), HL_E_INVAL);
	CHECK_EQ(hl_fn_open(c, "fib", HL_PLACE_SW, &fn2), HL_OK);
	CHECK_EQ(hl_fn_open(c, "factorial", HL_PLACE_ANY, &fn), HL_OK);
	CHECK_EQ(hl_fn_placement(fn), HL_PLACE_SW);
	CHECK_EQ(hl_fn_activate(fn, &where), HL_OK);
	CHECK_EQ(where, HL_PLACE_SW);
	CHECK_EQ(hl_fn_call_u64(fn, 20, 1, &r), HL_OK);
	CHECK(r == 2432902008176640000ull);
	CHECK_EQ(hl_fn_call(fn, "hello", 5, out, sizeof(out), &olen), HL_OK);
	CHECK(olen == 5 && memcmp(out, "olleh", 5) == 0);
	CHECK_EQ(hl_fn_call(fn, "hello", 5, out, 3, &olen), HL_E_TOO_LARGE);
	CHECK(olen == 5 && memcmp(out, "oll", 3) == 0);
	CHECK_EQ(hl_fn_call(fn, out, HL_PAYLOAD_MAX + 1, NULL, 0, NULL),
		 HL_E_TOO_LARGE);
	CHECK_EQ(hl_fn_set(fn, NULL, 0, 10, 0, &state), HL_OK);
	CHECK_EQ(state, HL_FN_BUSY);
	CHECK_EQ(hl_fn_get(fn, NULL, 0, NULL, &r, &state), HL_OK);
	CHECK(state == HL_FN_DONE && r == 3628800);
	CHECK_EQ(hl_fn_reset(fn), HL_OK);
	CHECK_EQ(hl_fn_close(fn2), HL_OK);
	CHECK_EQ(hl_fn_close(NULL), HL_OK);
	/* fn stays open: hl_disconnect must free it */
}

static void
test_async(struct hl_conn *c)
{
	struct hl_completion comp[64];
	static uint8_t seen[HL_MAX_INFLIGHT];
	uint8_t outs[HL_MAX_INFLIGHT][4];
	struct hl_fn *fn;
	uint32_t got = 0;
	uint64_t prev = 0;
	int n, inorder = 1;

	CHECK_EQ(hl_fn_open(c, "reverse", HL_PLACE_ANY, &fn), HL_OK);
	fk.mode = FAKE_HOLD;
	fk.lifo = 1;
	for (uint32_t i = 0; i < HL_MAX_INFLIGHT; i++) {
		uint8_t in[4] = { (uint8_t)i, 1, 2, 3 };
		int rc = i % 2 ? hl_fn_submit_u64(fn, i % 21, 0, i)
			       : hl_fn_submit(fn, in, 4, outs[i], 4, i);
		CHECK_EQ(rc, HL_OK);
	}
	CHECK_EQ(hl_fn_submit_u64(fn, 1, 0, 999), HL_E_NO_SLOTS);
	CHECK_EQ(hl_poll(c, comp, 64, 0), 0);
	fk.mode = FAKE_NOW;
	while (got < HL_MAX_INFLIGHT &&
	       (n = hl_poll(c, comp, 64, 1000)) > 0) {
		for (int k = 0; k < n; k++) {
			uint64_t t = comp[k].tag;
			CHECK(t < HL_MAX_INFLIGHT && !seen[t]);
			seen[t % HL_MAX_INFLIGHT] = 1;
			CHECK_EQ(comp[k].status, HL_OK);
			CHECK_EQ(comp[k].state, HL_FN_DONE);
			if (t % 2)
				CHECK(comp[k].result == factorial(t % 21));
			else
				CHECK(comp[k].out_len == 4 && outs[t][3] == t);
			inorder &= got == 0 || t > prev;
			prev = t;
			got++;
		}
	}
	CHECK_EQ(got, HL_MAX_INFLIGHT);
	CHECK(!inorder);			/* the fake answered newest first */
	CHECK_EQ(hl_poll(c, comp, 64, 1000), 0); /* nothing in flight */
	fk.lifo = 0;
	CHECK_EQ(hl_fn_close(fn), HL_OK);
}

/* Replies nobody asked for, and second replies, are dropped and counted. */
static void
test_unknown_dup(struct hl_conn *c)
{
	struct hl_frame_hdr h;
	struct hl_stats st0, st1;
	struct hl_fn *fn;
	uint64_t r;

	CHECK_EQ(hl_fn_open(c, "factorial", HL_PLACE_ANY, &fn), HL_OK);
	hl_conn_stats(c, &st0);
	hl_proto_hdr_init(&h, host_mac, c->mac, HL_OP_FN_CALL, fn->session,
			  0xdeadbeef0042ull);
	hl_proto_hdr_make_reply(&h, host_mac, HL_OK);
	fake_push(&fk, &h, sizeof(h));		/* unknown id */
	hl_proto_hdr_init(&h, c->mac, host_mac, HL_OP_FN_CALL, 1, 0);
	fake_push(&fk, &h, sizeof(h));		/* not a reply */
	fake_push(&fk, &h, 10);			/* truncated */
	fk.mode = FAKE_DROP;
	CHECK_EQ(hl_fn_call_u64(fn, 5, 0, &r), HL_E_TIMEOUT);
	fk.mode = FAKE_NOW;
	fake_push(&fk, fk.held, fk.held_len);	/* late reply */
	CHECK_EQ(hl_fn_call_u64(fn, 6, 0, &r), HL_OK);
	CHECK_EQ(r, 720);
	hl_conn_stats(c, &st1);
	/* the late reply's slot was reused: stale id, counted as unknown */
	CHECK_EQ(st1.dropped_unknown - st0.dropped_unknown, 2);
	CHECK_EQ(st1.dropped_bad - st0.dropped_bad, 2);
	CHECK_EQ(st1.timeouts - st0.timeouts, 1);
	/* a second reply to a completed async request */
	struct hl_completion comp;
	fk.dup = 1;
	CHECK_EQ(hl_fn_submit_u64(fn, 4, 0, 78), HL_OK);
	fk.dup = 0;
	CHECK_EQ(hl_poll(c, &comp, 1, 1000), 1);
	CHECK(comp.tag == 78 && comp.result == 24);
	CHECK_EQ(hl_poll(c, &comp, 1, 0), 0);
	hl_conn_stats(c, &st1);
	CHECK_EQ(st1.dropped_dup - st0.dropped_dup, 1);
	/* an async request never answered completes with HL_E_TIMEOUT */
	fk.mode = FAKE_DROP;
	CHECK_EQ(hl_fn_submit_u64(fn, 3, 0, 77), HL_OK);
	fk.mode = FAKE_NOW;
	int n;
	while ((n = hl_poll(c, &comp, 1, 1000)) == 0)
		;
	CHECK_EQ(n, 1);
	CHECK(comp.tag == 77 && comp.status == HL_E_TIMEOUT);
	CHECK_EQ(hl_fn_close(fn), HL_OK);
}

static struct hl_conn *shared_conn;
static struct hl_fn *shared_fn;

static void *
other_thread(void *arg)
{
	struct hl_completion comp;
	uint64_t r;

	(void)arg;
	CHECK_EQ(hl_fn_call_u64(shared_fn, 3, 0, &r), HL_E_WRONG_THREAD);
	CHECK_EQ(hl_poll(shared_conn, &comp, 1, 0), -HL_E_WRONG_THREAD);
	CHECK_EQ(hl_fn_open(shared_conn, "fib", HL_PLACE_SW, &shared_fn),
		 HL_E_WRONG_THREAD);
	CHECK_EQ(hl_fn_close(shared_fn), HL_E_WRONG_THREAD);
	return NULL;
}

static void
test_wrong_thread(struct hl_conn *c)
{
	pthread_t t;
	uint64_t r;

	CHECK_EQ(hl_fn_open(c, "factorial", HL_PLACE_ANY, &shared_fn), HL_OK);
	shared_conn = c;
	pthread_create(&t, NULL, other_thread, NULL);
	pthread_join(t, NULL);
	CHECK_EQ(hl_fn_call_u64(shared_fn, 3, 0, &r), HL_OK);
	CHECK_EQ(r, 6);
}

static void
test_dead(struct hl_conn *c)
{
	struct hl_completion comp;
	struct hl_fn *fn;
	uint64_t r;

	CHECK_EQ(hl_fn_open(c, "factorial", HL_PLACE_ANY, &fn), HL_OK);
	CHECK_EQ(hl_fn_submit_u64(fn, 3, 0, 1), HL_OK);
	fk.dead = 1;
	CHECK_EQ(hl_fn_call_u64(fn, 3, 0, &r), HL_E_DISCONNECTED);
	/* The request in flight completes once, with the host's death. */
	CHECK_EQ(hl_poll(c, &comp, 1, 100), 1);
	CHECK_EQ(comp.tag, 1);
	CHECK_EQ(comp.status, HL_E_DISCONNECTED);
	CHECK_EQ(hl_poll(c, &comp, 1, 100), -HL_E_DISCONNECTED);
	CHECK_EQ(hl_fn_submit_u64(fn, 3, 0, 2), HL_E_DISCONNECTED);
	CHECK_EQ(hl_poll(c, &comp, 1, 100), -HL_E_DISCONNECTED);
	CHECK(strcmp(hl_conn_reason(c), "fake host died") == 0);
}

/* Open a connection on a fake set up by setup(); its HELLO must fail
 * with want, and the transport must be closed exactly once and never
 * used after that (it used to be closed twice: a double free). */
static void
hello_refused(void (*setup)(struct fake *), int want, const char *why)
{
	struct hl_opts o;
	struct hl_conn *c = (struct hl_conn *)1;

	memset(&fk, 0, sizeof(fk));
	setup(&fk);
	hl_opts_init(&o);
	o.timeout_ms = 50;
	CHECK_EQ(hl_conn_create(&fake_ops, &fk, &o, &c), want);
	CHECK(c == NULL);
	CHECK_EQ(fk.closes, 1);
	CHECK_EQ(fk.misuse, 0);
	if (strstr(hl_connect_reason(), why) == NULL) {
		fprintf(stderr, "reason '%s' lacks '%s'\n", hl_connect_reason(),
			why);
		CHECK(0);
	}
}

static void die_on_hello(struct fake *f) { f->die_on_hello = 1; }
static void die_after_reply(struct fake *f) { f->die_after_reply = 1; }
static void hello_short(struct fake *f) { f->hello_len = 40; }
static void hello_long(struct fake *f) { f->hello_len = 49; }
static void hello_v2(struct fake *f) { f->hello_vmin = 2; f->hello_vmax = 3; }
static void hello_v0(struct fake *f) { f->hello_vmin = 0; f->hello_vmax = 0xffff; }

static void
test_hello_faults(void)
{
	struct hl_opts o;
	struct hl_conn *c;

	hello_refused(die_on_hello, HL_E_DISCONNECTED, "fake host died");
	/* The reply came, then the transport died in the same drain. */
	hello_refused(die_after_reply, HL_E_DISCONNECTED, "fake host died");
	hello_refused(hello_short, HL_E_PROTO, "40 bytes");
	hello_refused(hello_long, HL_E_PROTO, "49 bytes");
	hello_refused(hello_v2, HL_E_VERSION, "2..3");
	/* A range that includes ours is fine. */
	memset(&fk, 0, sizeof(fk));
	hello_v0(&fk);
	hl_opts_init(&o);
	o.timeout_ms = 50;
	CHECK_EQ(hl_conn_create(&fake_ops, &fk, &o, &c), HL_OK);
	hl_disconnect(c);
	CHECK_EQ(fk.closes, 1);
	CHECK_EQ(fk.misuse, 0);
}

/*
 * The host answered, then went before the library saw the answer - a wait
 * or a send reports the death first: the reply it wrote is still the
 * result, for a synchronous call and for hl_poll() alike.
 */
static void
test_reply_before_death(void)
{
	struct hl_completion comp;
	struct hl_conn *c = NULL;
	struct hl_fn *fn = NULL;
	struct hl_opts o;
	uint64_t r = 0;

	for (int how = 0; how < 3; how++) {	/* sync, async, send */
		memset(&fk, 0, sizeof(fk));
		hl_opts_init(&o);
		o.timeout_ms = 1000;
		CHECK_EQ(hl_conn_create(&fake_ops, &fk, &o, &c), HL_OK);
		if (c == NULL)
			return;
		CHECK_EQ(hl_fn_open(c, "factorial", HL_PLACE_ANY, &fn), HL_OK);
		fk.mode = FAKE_HOLD;
		fk.die_in_wait = 1;
		if (how == 0) {
			CHECK_EQ(hl_fn_call_u64(fn, 20, 1, &r), HL_OK);
			CHECK(r == 2432902008176640000ull);
		} else {
			CHECK_EQ(hl_fn_submit_u64(fn, 20, 1, 7), HL_OK);
			if (how == 2) {	/* dead before the next send */
				fk.dead = 1;
				fk.mode = FAKE_NOW;
				CHECK_EQ(hl_fn_submit_u64(fn, 3, 1, 8),
					 HL_E_DISCONNECTED);
			}
			CHECK_EQ(hl_poll(c, &comp, 1, 1000), 1);
			CHECK(comp.tag == 7 && comp.status == HL_OK &&
			      comp.result == 2432902008176640000ull);
		}
		CHECK_EQ(hl_fn_call_u64(fn, 3, 1, &r), HL_E_DISCONNECTED);
		CHECK_EQ(fk.closes, 1);
		hl_disconnect(c);
		CHECK_EQ(fk.closes, 1);
		CHECK_EQ(fk.misuse, 0);
	}
}

/*
 * A station on a shared Ethernet answers every request with forged
 * replies, before the host does: every request id of the old, guessable
 * scheme ((gen << 16) | slot), from the host's MAC (from any MAC before
 * the HELLO reply), and a copy of the real reply sent to another MAC.
 * None may be taken; the host's own reply still must be.
 */
static void
test_forged_replies(void)
{
	struct hl_frame_hdr h;
	struct hl_stats st;
	struct hl_opts o;
	struct hl_conn *c = NULL;
	struct hl_fn *fn = NULL;
	uint64_t r = 0;
	uint32_t reqs;

	memset(&fk, 0, sizeof(fk));
	fk.forge = FORGE_IDS;
	hl_opts_init(&o);
	o.timeout_ms = 1000;
	CHECK_EQ(hl_conn_create(&fake_ops, &fk, &o, &c), HL_OK);
	if (c == NULL)
		return;
	CHECK(memcmp(c->host_mac, host_mac, 6) == 0);
	CHECK(strcmp(c->host_hello.name, "fakehost") == 0);
	CHECK_EQ(hl_fn_open(c, "factorial", HL_PLACE_ANY, &fn), HL_OK);
	CHECK_EQ(hl_fn_activate(fn, NULL), HL_OK);
	for (int i = 0; i < 8; i++) {
		CHECK_EQ(hl_fn_call_u64(fn, 20, 1, &r), HL_OK);
		CHECK(r == 2432902008176640000ull);
	}
	reqs = 3 + 8;
	/* The real reply, readdressed to another guest: same id, wrong dst. */
	fk.forge = 0;
	fk.mode = FAKE_DROP;
	CHECK_EQ(hl_fn_submit_u64(fn, 20, 1, 5), HL_OK);
	memcpy(&h, fk.held, sizeof(h));
	h.eth.dst[5] ^= 1;
	h.hl.arg0 = FORGED_RESULT;
	fake_push(&fk, &h, sizeof(h));
	fake_push(&fk, fk.held, fk.held_len);
	fk.mode = FAKE_NOW;
	struct hl_completion comp;
	CHECK_EQ(hl_poll(c, &comp, 1, 1000), 1);
	CHECK(comp.status == HL_OK && comp.result == 2432902008176640000ull);
	hl_conn_stats(c, &st);
	CHECK_EQ(st.replies, reqs + 1);
	CHECK_EQ(st.dropped_unknown, (uint64_t)reqs * FORGE_IDS);
	CHECK_EQ(st.dropped_bad, 1);
	hl_disconnect(c);
}

int
main(void)
{
	struct hl_conn *c;

	test_hello_faults();
	test_reply_before_death();
	test_forged_replies();
	c = connect_fake();

	test_open_activate_call(c);
	test_async(c);
	test_unknown_dup(c);
	test_wrong_thread(c);
	test_dead(c);
	hl_disconnect(c);
	hl_disconnect(NULL);
	CHECK_EQ(hl_connect(NULL, NULL, NULL, &c), HL_E_INVAL);
	CHECK_EQ(hl_connect("/nonexistent/sock", NULL, NULL, &c), HL_E_IO);
	CHECK(c == NULL && strstr(hl_connect_reason(), "nonexistent") != NULL);
	return gl_report("guestlib-conn");
}
