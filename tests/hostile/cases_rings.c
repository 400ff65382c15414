/* SPDX-License-Identifier: BSD-3-Clause */
/* Attack cases on the shared rings: indices, descriptors, chains, frames. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attack.h"

#define HELLO_LEN (HL_FRAME_HDR_LEN + sizeof(struct hl_hello))

/* Publish one C2S descriptor {region, offset, length}; expect want. */
static int
c2s_fault(struct ctx *c, uint16_t region, uint32_t offset, uint32_t length,
	  const char *want)
{
	struct memif_desc *d;
	struct evil e;

	if (up(c, &e))
		return 1;
	evil_c2s_stage(&e, 0, NULL, 0, 0);
	d = evil_c2s_desc(&e, 0);
	d->region = region;
	d->offset = offset;
	d->length = length;
	evil_c2s_publish(&e, 1);
	return want_disconnect(c, &e, want);
}

static int
c_desc_region(struct ctx *c)
{
	return c2s_fault(c, 1, 0, 64, "descriptor region index out of range");
}

static int
c_desc_region_max(struct ctx *c)
{
	return c2s_fault(c, 0xFFFF, 0, 64, "descriptor region index out of range");
}

static int
c_desc_offset(struct ctx *c)
{
	/* evil's region is 392 KiB; max_region_size is 1 MiB. */
	return c2s_fault(c, 0, 1u << 20, 64, "descriptor buffer lies outside its region");
}

static int
c_desc_wrap(struct ctx *c)
{
	/* 0xFFFFFF00 + 0x200 wraps to 0x100 in 32 bits. */
	return c2s_fault(c, 0, 0xFFFFFF00u, 0x200, "descriptor buffer lies outside its region");
}

static int
c_desc_huge_len(struct ctx *c)
{
	return c2s_fault(c, 0, 4096, 0xFFFFFFFFu, "descriptor buffer lies outside its region");
}

/* In the region by offset, one byte past it by length. */
static int
c_desc_one_past(struct ctx *c)
{
	struct memif_desc *d;
	struct evil e;

	if (up(c, &e))
		return 1;
	evil_c2s_stage(&e, 0, NULL, 0, 0);
	d = evil_c2s_desc(&e, 0);
	d->offset = (uint32_t)(e.region_size - 100);
	d->length = 101;
	evil_c2s_publish(&e, 1);
	return want_disconnect(c, &e, "descriptor buffer lies outside its region");
}

/* A request whose buffer ends exactly at the region's last byte: legal. */
static int
c_desc_at_end(struct ctx *c)
{
	uint8_t f[HELLO_LEN];
	struct memif_desc *d;
	uint64_t id;
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	evil_hello_frame(&e, f, &id);
	evil_c2s_stage(&e, 0, NULL, 0, 0);
	d = evil_c2s_desc(&e, 0);
	d->offset = (uint32_t)(e.region_size - sizeof(f));
	d->length = sizeof(f);
	memcpy(e.base + d->offset, f, sizeof(f));
	evil_c2s_publish(&e, 1);
	fail = evil_expect_reply(&e, id, HL_OK);
	if (fail)
		bad(c, "%s", e.err);
	else
		got(c, "HELLO at [region end - %zu, region end) answered OK", sizeof(f));
	evil_close(&e);
	return fail;
}

/* 3000 bytes from one buffer into the next: inside the region, under
 * max_frame, so the ring layer takes it; hostlane frames are <= 2048. */
/*
 * Send frame f (its first flen bytes set, zeros up to 3000) in one 3000-byte
 * descriptor: hostlane gets it as a chain of two mbufs. The reply must be
 * the answer to id alone: want_len bytes, not the chain's tail with it.
 */
static int
chained_rpc(struct evil *e, uint8_t *f, uint64_t id, uint16_t st,
	    uint32_t want_len, struct hl_frame_hdr *rep)
{
	uint8_t buf[HL_FRAME_MAX * 2];
	struct memif_desc *d;
	uint32_t n;
	int rc;

	evil_c2s_stage(e, 0, NULL, 0, 0);
	d = evil_c2s_desc(e, 0);
	memcpy(e->base + d->offset, f, 3000);
	d->length = 3000;
	evil_c2s_publish(e, 1);
	rc = evil_recv_frame(e, buf, sizeof(buf), &n, EVIL_WAIT_MS);
	if (rc != EVIL_OK) {
		snprintf(e->err, sizeof(e->err), "no reply: %s %s",
			 evil_rc_str(rc), e->reason);
		return 1;
	}
	memcpy(rep, buf, sizeof(*rep));
	if (n != want_len || rep->hl.req_id != id || rep->hl.status != st) {
		snprintf(e->err, sizeof(e->err), "reply of %u bytes (want %u), "
			 "req %llu status %u", n, want_len,
			 (unsigned long long)rep->hl.req_id, rep->hl.status);
		return 1;
	}
	return 0;
}

/* A request followed by padding over a second buffer: the padding goes,
 * the request is answered as if it came alone (issue 12 item 6). */
static int
c_len_beyond_buffer(struct ctx *c)
{
	uint8_t f[3000] = { 0 };
	struct hl_frame_hdr h, rep;
	uint32_t session;
	uint64_t id;
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	evil_hello_frame(&e, f, &id);
	fail = chained_rpc(&e, f, id, HL_OK, HL_FRAME_HDR_LEN +
			   sizeof(struct hl_hello), &rep);
	if (!fail)
		fail = evil_fn_open(&e, "factorial", true, &session) != HL_OK;
	if (!fail) {
		memset(f, 0, sizeof(f));
		id = evil_req(&e, f, HL_OP_FN_CALL, session);
		memcpy(&h, f, sizeof(h));
		h.hl.arg0 = 5;
		h.hl.arg1 = 1;
		memcpy(f, &h, sizeof(h));
		fail = chained_rpc(&e, f, id, HL_OK, HL_FRAME_HDR_LEN, &rep) ||
		       rep.hl.arg0 != 120;
	}
	fail = fail || still_works(c, &e);
	if (fail && e.err[0])
		bad(c, "%s", e.err);
	else if (fail)
		bad(c, "factorial(5) answered %llu", (unsigned long long)rep.hl.arg0);
	else
		got(c, "HELLO and factorial(5) in 3000-byte chained frames: "
		    "answered OK, replies of the request's size alone; works after");
	evil_close(&e);
	return fail;
}

static int
c_frame_long(struct ctx *c)
{
	struct memif_desc *d;
	struct evil e;

	if (up(c, &e))
		return 1;
	evil_c2s_stage(&e, 0, NULL, 0, 0);
	d = evil_c2s_desc(&e, 0);
	d->length = EVIL_MAX_FRAME + 1;
	evil_c2s_publish(&e, 1);
	return want_disconnect(c, &e, "frame longer than the limit");
}

/* Stage n descriptors of len bytes, NEXT on all but (if closed) the last. */
static int
chain_fault(struct ctx *c, uint16_t n, uint32_t len, bool closed, const char *want)
{
	struct evil e;

	if (up(c, &e))
		return 1;
	for (uint16_t i = 0; i < n; i++)
		evil_c2s_stage(&e, i, NULL, len,
			       closed && i == n - 1 ? 0 : MEMIF_DESC_FLAG_NEXT);
	evil_c2s_publish(&e, n);
	return want_disconnect(c, &e, want);
}

static int
c_chain_long(struct ctx *c)
{
	return chain_fault(c, EVIL_MAX_CHAIN + 1, 64, true,
			   "descriptor chain longer than the limit");
}

static int
c_chain_open(struct ctx *c)
{
	return chain_fault(c, 2, 64, false, "descriptor chain runs past the ring head");
}

static int
c_chain_open_ring(struct ctx *c)
{
	/* Every slot chained on: the chain limit stops it first. */
	return chain_fault(c, 32, 64, false, "descriptor chain longer than the limit");
}

static int
c_chain_frame_long(struct ctx *c)
{
	return chain_fault(c, 3, EVIL_BUF, true, "frame longer than the limit");
}

/* A HELLO cut into max_chain pieces: legal, reassembled, answered. */
static int
c_chain_legal(struct ctx *c)
{
	uint8_t f[HELLO_LEN];
	uint32_t cut[EVIL_MAX_CHAIN + 1] = { 0, 14, 40, 64, HELLO_LEN };
	uint64_t id;
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	evil_hello_frame(&e, f, &id);
	for (uint16_t i = 0; i < EVIL_MAX_CHAIN; i++)
		evil_c2s_stage(&e, i, f + cut[i], cut[i + 1] - cut[i],
			       i < EVIL_MAX_CHAIN - 1 ? MEMIF_DESC_FLAG_NEXT : 0);
	evil_c2s_publish(&e, EVIL_MAX_CHAIN);
	fail = evil_expect_reply(&e, id, HL_OK);
	if (fail)
		bad(c, "%s", e.err);
	else
		got(c, "HELLO in %d chained pieces answered OK", EVIL_MAX_CHAIN);
	evil_close(&e);
	return fail;
}

/* A junk frame then a HELLO in one burst: only the HELLO is answered. */
static int
junk_then_hello(struct ctx *c, uint32_t junk_len, const char *what)
{
	uint8_t junk[64], f[HELLO_LEN];
	uint64_t id;
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	memset(junk, 0x88, sizeof(junk));
	evil_c2s_stage(&e, 0, junk, junk_len, 0);
	evil_c2s_stage(&e, 1, f, evil_hello_frame(&e, f, &id), 0);
	evil_c2s_publish(&e, 2);
	fail = evil_expect_reply(&e, id, HL_OK) || still_works(c, &e);
	if (fail && e.err[0])
		bad(c, "%s", e.err);
	else if (!fail)
		got(c, "%s dropped (no reply); the next HELLO answered; connection works", what);
	evil_close(&e);
	return fail;
}

static int c_zero_len(struct ctx *c) { return junk_then_hello(c, 0, "0-byte frame"); }
static int c_runt(struct ctx *c) { return junk_then_hello(c, 10, "10-byte frame"); }

static int
c_c2s_head_jump(struct ctx *c)
{
	struct evil e;

	if (up(c, &e))
		return 1;
	evil_c2s_set_head(&e, (uint16_t)(e.c2s.head + e.ring_size + 1));
	return want_disconnect(c, &e, "C2S head moved by more than the ring size");
}

static int
c_c2s_head_back(struct ctx *c)
{
	struct evil e;

	if (up(c, &e))
		return 1;
	evil_c2s_set_head(&e, (uint16_t)(e.c2s.head - 1));
	return want_disconnect(c, &e, "C2S head moved by more than the ring size");
}

/* Exactly a ring's worth at once: the boundary is legal. */
static int
c_c2s_full_ring(struct ctx *c)
{
	uint8_t f[HELLO_LEN];
	uint64_t first = 0, id;
	struct evil e;
	int fail = 0;

	if (up(c, &e))
		return 1;
	for (uint16_t i = 0; i < e.ring_size; i++) {
		evil_c2s_stage(&e, i, f, evil_hello_frame(&e, f, &id), 0);
		if (i == 0)
			first = id;
	}
	evil_c2s_publish(&e, e.ring_size);
	for (uint16_t i = 0; i < e.ring_size && !fail; i++)
		fail = evil_expect_reply(&e, first + i, HL_OK);
	if (fail)
		bad(c, "%s", e.err);
	else
		got(c, "%u HELLOs published at once, %u answered OK in order",
		    e.ring_size, e.ring_size);
	evil_close(&e);
	return fail;
}

/*
 * Point the next S2C slot at {region, offset, length} (offset counted from
 * the region's end if from_end), make hostlane reply, expect want.
 */
static int
s2c_fault(struct ctx *c, uint16_t region, int64_t offset, bool from_end,
	  uint32_t length, const char *want)
{
	uint8_t f[HELLO_LEN];
	struct memif_desc *d;
	struct evil e;
	uint16_t tail;
	int fail;

	if (up(c, &e))
		return 1;
	d = evil_s2c_desc(&e, 0);
	d->region = region;
	d->offset = (uint32_t)(from_end ? (int64_t)e.region_size + offset : offset);
	d->length = length;
	evil_send_frame(&e, f, evil_hello_frame(&e, f, NULL));
	/* Keep the mapping for the guard check: close after. */
	fail = evil_wait_disconnect(&e, EVIL_WAIT_MS) != EVIL_REFUSED ||
	       strcmp(e.reason, want) != 0;
	tail = __atomic_load_n(&e.s2c.ring->tail, __ATOMIC_ACQUIRE);
	if (!evil_guards_ok(&e) || tail != e.s2c.seen) {
		fail = 1;
		bad(c, "DISCONNECT \"%s\"; GUARD BYTES WRITTEN or tail moved (%u, "
		    "seen %u)", e.reason, tail, e.s2c.seen);
	} else {
		got(c, "DISCONNECT \"%s\"; guards intact, S2C tail unmoved", e.reason);
	}
	evil_close(&e);
	return fail;
}

static int
c_s2c_straddle(struct ctx *c)
{
	return s2c_fault(c, 0, -16, true, EVIL_BUF,
			 "descriptor buffer lies outside its region");
}

static int
c_s2c_past(struct ctx *c)
{
	return s2c_fault(c, 0, 0, true, 64, "descriptor buffer lies outside its region");
}

static int
c_s2c_wrap(struct ctx *c)
{
	return s2c_fault(c, 0, 0xFFFFFFF0u, false, 0x100,
			 "descriptor buffer lies outside its region");
}

static int
c_s2c_region(struct ctx *c)
{
	return s2c_fault(c, 1, 4096, false, EVIL_BUF,
			 "descriptor region index out of range");
}

static int
s2c_head_fault(struct ctx *c, int16_t delta)
{
	uint8_t f[HELLO_LEN];
	struct evil e;

	if (up(c, &e))
		return 1;
	evil_s2c_set_head(&e, (uint16_t)(e.s2c.seen + delta));
	evil_send_frame(&e, f, evil_hello_frame(&e, f, NULL));
	return want_disconnect(c, &e, "S2C head moved by more than the ring size");
}

static int c_s2c_head_jump(struct ctx *c) { return s2c_head_fault(c, 33); }
static int c_s2c_head_back(struct ctx *c) { return s2c_head_fault(c, -1); }

static void
sleep_us(long us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000 };

	nanosleep(&ts, NULL);
}

/* Wait (bounded) until the server has consumed C2S up to our head. */
static int
c2s_drained(struct evil *e)
{
	for (int t = 0; t < EVIL_WAIT_MS * 10; t++) {
		if (__atomic_load_n(&e->c2s.ring->tail, __ATOMIC_ACQUIRE) == e->c2s.head)
			return 0;
		sleep_us(100);
	}
	return -1;
}

/*
 * A reply hostlane cannot place must be dropped, not treated as a fault.
 * Once request 2 has been consumed the pass that handled request 1 is
 * over, so request 1's reply is gone for good; then restore() makes room
 * again and request 3 is answered.
 */
static int
reply_dropped(struct ctx *c, struct evil *e, void (*restore)(struct evil *e),
	      const char *what)
{
	uint8_t f[HELLO_LEN], buf[HL_FRAME_MAX];
	struct hl_frame_hdr rep;
	uint64_t id[3];
	uint32_t n;
	int fail = 0, rc;

	for (int i = 0; i < 2 && !fail; i++) {
		evil_send_frame(e, f, evil_hello_frame(e, f, &id[i]));
		fail = c2s_drained(e);
	}
	restore(e);
	evil_send_frame(e, f, evil_hello_frame(e, f, &id[2]));
	do {
		rc = evil_recv_frame(e, buf, sizeof(buf), &n, EVIL_WAIT_MS);
		memcpy(&rep, buf, sizeof(rep));
		if (rc == EVIL_OK && rep.hl.req_id == id[0])
			fail = 1;
	} while (rc == EVIL_OK && rep.hl.req_id != id[2]);
	if (fail || rc != EVIL_OK) {
		bad(c, "%s %s %s", rc == EVIL_OK ? "dropped reply came back" :
		    evil_rc_str(rc), e->reason, e->err);
		evil_close(e);
		return 1;
	}
	fail = still_works(c, e);
	if (!fail)
		got(c, "%s: reply to request 1 dropped; request 3 answered; no DISCONNECT",
		    what);
	evil_close(e);
	return fail;
}

static void
repost_all(struct evil *e)
{
	for (uint16_t i = 0; i < e->ring_size; i++) {
		e->s2c.ring->desc[i].length = EVIL_BUF;
		e->s2c.ring->desc[i].flags = 0;
	}
	evil_s2c_set_head(e, (uint16_t)(e->s2c.seen + e->ring_size));
}

static int
c_s2c_none_posted(struct ctx *c)
{
	struct evil e;

	if (up(c, &e))
		return 1;
	evil_s2c_set_head(&e, e.s2c.seen);
	return reply_dropped(c, &e, repost_all, "head == tail");
}

/* Every posted buffer 16 bytes: a 112-byte reply needs 7 > max_chain. */
static int
c_s2c_tiny(struct ctx *c)
{
	struct evil e;

	if (up(c, &e))
		return 1;
	for (uint16_t i = 0; i < e.ring_size; i++)
		e.s2c.ring->desc[i].length = 16;
	return reply_dropped(c, &e, repost_all, "16-byte S2C buffers");
}

/* Posted buffers of 30 bytes: the reply comes chained over 4 of them. */
static int
c_s2c_chained(struct ctx *c)
{
	uint8_t f[HELLO_LEN];
	uint64_t id;
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	for (uint16_t i = 0; i < EVIL_MAX_CHAIN; i++)
		evil_s2c_desc(&e, i)->length = 30;
	evil_send_frame(&e, f, evil_hello_frame(&e, f, &id));
	fail = evil_expect_reply(&e, id, HL_OK);
	if (fail)
		bad(c, "%s", e.err);
	else
		got(c, "HELLO reply placed in 4 chained 30-byte buffers, region/offset untouched");
	evil_close(&e);
	return fail;
}

/*
 * Time of check: a second thread keeps flipping every C2S and S2C
 * descriptor between its proper value and one far outside the region while
 * HELLOs go back and forth. Whatever the server reads once must be what it
 * checks and uses: either replies, or a bounds DISCONNECT — never a crash,
 * never a write outside the region.
 */
struct flipper {
	struct evil *e;
	int stop;
	uint64_t flips;
};

static void *
flip_main(void *arg)
{
	struct flipper *fl = arg;
	struct evil *e = fl->e;

	while (!__atomic_load_n(&fl->stop, __ATOMIC_ACQUIRE)) {
		for (uint16_t i = 0; i < e->ring_size; i++) {
			volatile struct memif_desc *c2s = &e->c2s.ring->desc[i];
			volatile struct memif_desc *s2c = &e->s2c.ring->desc[i];
			uint32_t c2s_len = c2s->length, s2c_off = e->s2c.buf0 + i * EVIL_BUF;

			if (c2s_len == HELLO_LEN) {
				c2s->length = 0x7FFFFFFFu;
				c2s->length = HELLO_LEN;
			}
			s2c->offset = (uint32_t)e->region_size - 8;
			s2c->offset = s2c_off;
		}
		fl->flips++;
	}
	return NULL;
}

static int
c_toctou(struct ctx *c)
{
	uint8_t f[HELLO_LEN];
	struct flipper fl = { 0 };
	pthread_t th;
	struct evil e;
	int rc = EVIL_OK, n = 0;
	bool guards;

	if (up(c, &e))
		return 1;
	fl.e = &e;
	if (pthread_create(&th, NULL, flip_main, &fl) != 0) {
		evil_close(&e);
		return bad(c, "pthread_create failed");
	}
	for (; n < 2000 && rc == EVIL_OK; n++) {
		uint8_t buf[HL_FRAME_MAX];
		uint32_t len;

		rc = evil_send_frame(&e, f, evil_hello_frame(&e, f, NULL));
		/* EVIL_PROTO: we read a slot while the flipper had moved its
		 * offset (it may be descheduled right then); the slot stays
		 * unconsumed, so read it again a little later. */
		for (int k = 0; k < 5000 && (rc == EVIL_OK || rc == EVIL_PROTO); k++) {
			rc = evil_recv_frame(&e, buf, sizeof(buf), &len, EVIL_WAIT_MS);
			if (rc != EVIL_PROTO)
				break;
			sleep_us(1000);
		}
	}
	__atomic_store_n(&fl.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	if (rc == EVIL_TIMEOUT)
		rc = evil_wait_disconnect(&e, EVIL_WAIT_MS);
	guards = evil_guards_ok(&e);
	got(c, "%d round trips, %llu flip passes, then %s%s%s; guards %s", n,
	    (unsigned long long)fl.flips, rc == EVIL_OK ? "still connected" :
	    evil_rc_str(rc), rc == EVIL_OK ? "" : ": ",
	    rc == EVIL_REFUSED ? e.reason : e.err, guards ? "intact" : "WRITTEN");
	evil_close(&e);
	if (!guards)
		return 1;
	return !(rc == EVIL_OK ||
		 (rc == EVIL_REFUSED &&
		  strcmp(e.reason, "descriptor buffer lies outside its region") == 0));
}

const struct hcase hostile_ring_cases[] = {
	{ "desc-region-index", "C2S descriptor in region 1 (only 0 exists): DISCONNECT \"descriptor region index out of range\"", c_desc_region, NULL },
	{ "desc-region-0xffff", "region index 0xFFFF: \"descriptor region index out of range\"", c_desc_region_max, NULL },
	{ "desc-offset-past-region", "offset 1 MiB, past the region: \"descriptor buffer lies outside its region\"", c_desc_offset, NULL },
	{ "desc-offset-len-wrap", "offset 0xFFFFFF00 + length 0x200 (wraps 32 bits): \"descriptor buffer lies outside its region\"", c_desc_wrap, NULL },
	{ "desc-length-huge", "length 0xFFFFFFFF: \"descriptor buffer lies outside its region\"", c_desc_huge_len, NULL },
	{ "desc-one-byte-past", "buffer ends 1 byte past the region: \"descriptor buffer lies outside its region\"", c_desc_one_past, NULL },
	{ "desc-at-region-end", "buffer ends exactly at the region end: legal, HELLO answered OK", c_desc_at_end, NULL },
	{ "length-beyond-buffer", "a request padded to 3000 bytes over two buffers: answered OK with a reply of its own size (the tail freed), connection works", c_len_beyond_buffer, NULL },
	{ "frame-too-long", "one descriptor of max_frame + 1 bytes: \"frame longer than the limit\"", c_frame_long, NULL },
	{ "chain-too-long", "max_chain + 1 descriptors: \"descriptor chain longer than the limit\"", c_chain_long, NULL },
	{ "chain-never-ends", "NEXT on every published slot: \"descriptor chain runs past the ring head\"", c_chain_open, NULL },
	{ "chain-whole-ring", "a whole ring chained on: \"descriptor chain longer than the limit\"", c_chain_open_ring, NULL },
	{ "chain-frame-too-long", "3 x 2048 chained > max_frame: \"frame longer than the limit\"", c_chain_frame_long, NULL },
	{ "chain-legal", "a HELLO in max_chain pieces: answered OK", c_chain_legal, NULL },
	{ "zero-length-frame", "0-byte frame: dropped, not fatal; next HELLO answered", c_zero_len, NULL },
	{ "runt-frame", "10-byte frame: dropped, not fatal; next HELLO answered", c_runt, NULL },
	{ "c2s-head-jump", "C2S head + ring size + 1: \"C2S head moved by more than the ring size\"", c_c2s_head_jump, NULL },
	{ "c2s-head-backwards", "C2S head - 1: \"C2S head moved by more than the ring size\"", c_c2s_head_back, NULL },
	{ "c2s-full-ring", "a whole ring published at once: legal, every request answered", c_c2s_full_ring, NULL },
	{ "s2c-head-jump", "S2C head + ring size + 1: \"S2C head moved by more than the ring size\"", c_s2c_head_jump, NULL },
	{ "s2c-head-backwards", "S2C head - 1: \"S2C head moved by more than the ring size\"", c_s2c_head_back, NULL },
	{ "s2c-buffer-straddles-end", "S2C buffer [end - 16, end + 2032): \"descriptor buffer lies outside its region\", nothing written", c_s2c_straddle, NULL },
	{ "s2c-buffer-past-region", "S2C buffer just past the region (in the memfd): \"descriptor buffer lies outside its region\", nothing written", c_s2c_past, NULL },
	{ "s2c-buffer-wrap", "S2C offset 0xFFFFFFF0 + 0x100: \"descriptor buffer lies outside its region\", nothing written", c_s2c_wrap, NULL },
	{ "s2c-buffer-region-index", "S2C buffer in region 1: \"descriptor region index out of range\", nothing written", c_s2c_region, NULL },
	{ "s2c-none-posted", "no S2C buffer posted: reply dropped, not fatal", c_s2c_none_posted, NULL },
	{ "s2c-tiny-buffers", "16-byte S2C buffers (reply needs more than max_chain): reply dropped, not fatal", c_s2c_tiny, NULL },
	{ "s2c-chained-reply", "30-byte S2C buffers: reply chained over 4, only length/flags written", c_s2c_chained, NULL },
	{ "toctou-flip", "descriptors flipped under the server's feet: replies or \"descriptor buffer lies outside its region\"; no write outside the region", c_toctou, NULL },
	{ NULL, NULL, NULL, NULL },
};
