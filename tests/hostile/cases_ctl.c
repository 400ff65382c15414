/* SPDX-License-Identifier: BSD-3-Clause */
/* Attack cases on the memif control channel: every handshake rule. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "attack.h"

/* Rewrites the message of one handshake step. */
typedef void (*mutate_fn)(struct evil *e, struct evil_out *o);

struct hs_attack {
	enum evil_step at;
	mutate_fn mutate;
};

static void
hook(struct evil *e, struct evil_out *o, void *arg)
{
	const struct hs_attack *a = arg;

	if (o->step == a->at)
		a->mutate(e, o);
}

/* Connect, corrupt one step of an otherwise proper handshake, expect want. */
static int
hs_case(struct ctx *c, enum evil_step at, mutate_fn mutate, const char *want)
{
	struct hs_attack a = { at, mutate };
	struct evil e;
	int rc = evil_open(&e, c->evil_sock, EVIL_SECRET);

	if (rc == EVIL_OK)
		rc = evil_region_create(&e, 5);
	if (rc == EVIL_OK)
		rc = evil_handshake(&e, hook, &a);
	return want_reason(c, &e, rc, want);
}

/* Replace o with step's default message (and its fds). */
static void
become(struct evil *e, struct evil_out *o, enum evil_step step)
{
	enum evil_step at = o->step;

	evil_msg_default(e, step, o);
	o->step = at;
}

static int
fresh_memfd(struct evil *e, uint64_t size, unsigned int seals)
{
	int fd = memfd_create("hostile-extra", MFD_ALLOW_SEALING | MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0 ||
	    (seals != 0 && fcntl(fd, F_ADD_SEALS, seals) < 0)) {
		close(fd);
		return -1;
	}
	evil_keep_fd(e, fd);
	return fd;
}

static int
fresh_eventfd(struct evil *e)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	evil_keep_fd(e, fd);
	return fd;
}

/* ---- message framing ------------------------------------------------------ */

static void m_short(struct evil *e, struct evil_out *o) { (void)e; o->len = 64; }
static void m_long(struct evil *e, struct evil_out *o) { (void)e; o->len = 200; }
static void m_empty(struct evil *e, struct evil_out *o) { (void)e; o->len = 0; }
static void m_type_unknown(struct evil *e, struct evil_out *o) { (void)e; o->msg.type = 77; }
static void m_type_none(struct evil *e, struct evil_out *o) { (void)e; o->msg.type = 0; o->nfds = 0; }
static void m_type_hello(struct evil *e, struct evil_out *o) { (void)e; o->msg.type = MEMIF_MSG_TYPE_HELLO; }
static void m_type_ack(struct evil *e, struct evil_out *o) { (void)e; o->msg.type = MEMIF_MSG_TYPE_ACK; }

static int c_short(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_short, "invalid message size"); }
static int c_long(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_long, "invalid message size"); }
static int c_empty(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_empty, "invalid message size"); }
static int c_short_region(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_short, "invalid message size"); }
static int c_type_unknown(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_type_unknown, "unknown message type"); }
static int c_type_none(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_C2S, m_type_none, "unknown message type"); }
static int c_type_hello(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_type_hello, "unexpected message"); }
static int c_type_ack(struct ctx *c) { return hs_case(c, EVIL_STEP_CONNECT, m_type_ack, "unexpected message"); }

/* ---- order ------------------------------------------------------------------ */

static void m_skip(struct evil *e, struct evil_out *o) { (void)e; o->skip = true; }
static void m_to_ring(struct evil *e, struct evil_out *o) { become(e, o, EVIL_STEP_ADD_RING_C2S); }
static void m_to_connect(struct evil *e, struct evil_out *o) { become(e, o, EVIL_STEP_CONNECT); }
static void m_to_init(struct evil *e, struct evil_out *o) { become(e, o, EVIL_STEP_INIT); }

static int c_region_first(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_skip, "unexpected message"); }
static int c_ring_first(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_to_ring, "unexpected message"); }
static int c_connect_first(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_to_connect, "unexpected message"); }
static int c_connect_no_rings(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_C2S, m_to_connect, "connect before both rings were added"); }
static int c_connect_one_ring(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_S2C, m_skip, "connect before both rings were added"); }
static int c_init_twice(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_to_init, "unexpected message"); }

/* After CONNECT, anything but DISCONNECT (here: one more region) drops us. */
static int
c_after_connect(struct ctx *c)
{
	struct evil e;
	struct evil_out o;

	if (up(c, &e))
		return 1;
	evil_msg_default(&e, EVIL_STEP_ADD_REGION, &o);
	o.msg.add_region.index = 1;
	if (evil_send_raw(&e, o.raw, o.len, o.fds, o.nfds) != EVIL_OK)
		return bad(c, "send: %s", e.err);
	return want_disconnect(c, &e, "unexpected message");
}

/* ---- INIT ------------------------------------------------------------------- */

static void
m_secret(struct evil *e, struct evil_out *o, const char *s)
{
	(void)e;
	memset(o->msg.init.secret, 0, MEMIF_SECRET_LEN);
	memcpy(o->msg.init.secret, s, strlen(s));
}

static void m_secret_wrong(struct evil *e, struct evil_out *o) { m_secret(e, o, "good-secret"); }
static void m_secret_none(struct evil *e, struct evil_out *o) { m_secret(e, o, ""); }
static void m_secret_prefix(struct evil *e, struct evil_out *o) { m_secret(e, o, "evil-secre"); }
static void m_secret_longer(struct evil *e, struct evil_out *o) { m_secret(e, o, "evil-secretX"); }
static void m_version(struct evil *e, struct evil_out *o) { (void)e; o->msg.init.version = 0x0100; }
static void m_id(struct evil *e, struct evil_out *o) { (void)e; o->msg.init.id = 7; }
static void m_mode(struct evil *e, struct evil_out *o) { (void)e; o->msg.init.mode = MEMIF_INTERFACE_MODE_IP; }

static void
m_init_fd(struct evil *e, struct evil_out *o)
{
	o->fds[o->nfds++] = fresh_eventfd(e);
}

static int c_secret_wrong(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_secret_wrong, "incorrect secret"); }
static int c_secret_none(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_secret_none, "incorrect secret"); }
static int c_secret_prefix(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_secret_prefix, "incorrect secret"); }
static int c_secret_longer(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_secret_longer, "incorrect secret"); }
static int c_version(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_version, "incompatible memif version"); }
static int c_id(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_id, "interface id not found"); }
static int c_mode(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_mode, "only ethernet mode supported"); }
static int c_init_fd(struct ctx *c) { return hs_case(c, EVIL_STEP_INIT, m_init_fd, "unexpected fd"); }

/*
 * 32-byte names with no NUL and unprintable bytes: accepted, copied bounded
 * and made printable; the connection works and the log shows 32 characters.
 */
static const char long_name[] = "EVIL\x01\x7f\xff-name-with-no-terminating";

static void
m_long_name(struct evil *e, struct evil_out *o)
{
	(void)e;
	if (o->step == EVIL_STEP_INIT)
		memcpy(o->msg.init.name, long_name, MEMIF_NAME_LEN);
	if (o->step == EVIL_STEP_CONNECT)
		memcpy(o->msg.connect.if_name, long_name, MEMIF_NAME_LEN);
}

static void
hook_names(struct evil *e, struct evil_out *o, void *arg)
{
	(void)arg;
	m_long_name(e, o);
}

static bool
log_has(const char *path, const char *needle)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

static int
c_long_names(struct ctx *c)
{
	char shown[MEMIF_NAME_LEN + 1], needle[128];
	struct evil e;
	int rc = evil_open(&e, c->evil_sock, EVIL_SECRET);

	_Static_assert(sizeof(long_name) == MEMIF_NAME_LEN + 1, "32 bytes + NUL");
	if (rc == EVIL_OK)
		rc = evil_region_create(&e, 5);
	if (rc == EVIL_OK)
		rc = evil_handshake(&e, hook_names, NULL);
	if (rc == EVIL_OK)
		rc = evil_hello(&e);
	if (rc != EVIL_OK) {
		bad(c, "%s %s %s", evil_rc_str(rc), e.reason, e.err);
		evil_close(&e);
		return 1;
	}
	evil_close(&e);
	for (int i = 0; i < MEMIF_NAME_LEN; i++) {
		unsigned char ch = (unsigned char)long_name[i];

		shown[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	shown[MEMIF_NAME_LEN] = '\0';
	snprintf(needle, sizeof(needle), "client '%s' connected (if '%s')", shown, shown);
	if (c->log == NULL)
		return got(c, "connected and worked (no log given to check the names)");
	for (int t = 0; t < 500 && !log_has(c->log, needle); t++)
		usleep(10000);
	if (!log_has(c->log, needle))
		return bad(c, "connected, but the log lacks: %s", needle);
	return got(c, "connected, HELLO answered; log: %s", needle);
}

/* ---- ADD_REGION ----------------------------------------------------------- */

static void m_no_fd(struct evil *e, struct evil_out *o) { (void)e; o->nfds = 0; }
static void m_region_index(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_region.index = 3; }
static void m_region_index1(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_region.index = 1; }
static void m_region_zero(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_region.size = 0; }

static void
m_region_huge(struct evil *e, struct evil_out *o)
{
	(void)e;
	o->msg.add_region.size = 2ull * EVIL_MAX_REGION_SIZE;
}

/* Claim more than the memfd holds: a server that mapped it would SIGBUS. */
static void
m_region_past_memfd(struct evil *e, struct evil_out *o)
{
	o->msg.add_region.size = e->memfd_size + 4096;
}

static void
m_region_unsealed(struct evil *e, struct evil_out *o)
{
	o->fds[0] = fresh_memfd(e, e->region_size, 0);
}

static void
m_region_seal_seal(struct evil *e, struct evil_out *o)
{
	o->fds[0] = fresh_memfd(e, e->region_size, F_SEAL_SEAL);
}

static void
m_region_eventfd(struct evil *e, struct evil_out *o)
{
	o->fds[0] = fresh_eventfd(e);
}

/* Write-sealed: the server's shared writable mapping must fail cleanly. */
static void
m_region_write_sealed(struct evil *e, struct evil_out *o)
{
	o->fds[0] = fresh_memfd(e, e->region_size, F_SEAL_SHRINK | F_SEAL_WRITE);
}

static void
m_fds_two(struct evil *e, struct evil_out *o)
{
	o->fds[o->nfds++] = fresh_eventfd(e);
}

/* More fds than the server's control buffer has room for (8). */
static void
m_fds_flood(struct evil *e, struct evil_out *o)
{
	(void)e;
	while (o->nfds < EVIL_MAX_FDS)
		o->fds[o->nfds++] = e->memfd;
}

static int c_region_no_fd(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_no_fd, "missing fd"); }
static int c_region_index(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_region_index, "invalid region index"); }
static int c_region_gap(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_region_index1, "invalid region index"); }
static int c_region_zero(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_region_zero, "invalid region size"); }
static int c_region_huge(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_region_huge, "invalid region size"); }
static int c_region_past_memfd(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_region_past_memfd, "region fd is not a shrink-sealed memfd of that size"); }
static int c_region_unsealed(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_region_unsealed, "region fd is not a shrink-sealed memfd of that size"); }
static int c_region_seal_seal(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_region_seal_seal, "region fd is not a shrink-sealed memfd of that size"); }
static int c_region_eventfd(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_region_eventfd, "region fd is not a shrink-sealed memfd of that size"); }
static int c_region_write_sealed(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_region_write_sealed, "cannot map region"); }
static int c_fds_two(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_fds_two, "unexpected fd"); }
static int c_fds_flood(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_REGION, m_fds_flood, "unexpected fd"); }

/* A third region when max_regions is 2. */
static void
hook_regions(struct evil *e, struct evil_out *o, void *arg)
{
	(void)arg;
	if (o->step != EVIL_STEP_ADD_RING_C2S)
		return;
	for (uint16_t i = 1; i < EVIL_MAX_REGIONS; i++) {
		struct evil_out r;
		struct memif_msg ack;

		evil_msg_default(e, EVIL_STEP_ADD_REGION, &r);
		r.msg.add_region.index = i;
		if (evil_send_raw(e, r.raw, r.len, r.fds, r.nfds) != EVIL_OK ||
		    evil_recv_msg(e, &ack, EVIL_WAIT_MS) != EVIL_OK ||
		    ack.type != MEMIF_MSG_TYPE_ACK)
			return;
	}
	evil_msg_default(e, EVIL_STEP_ADD_REGION, o);
	o->step = EVIL_STEP_ADD_RING_C2S;
	o->msg.add_region.index = EVIL_MAX_REGIONS;
}

static int
c_regions_beyond_max(struct ctx *c)
{
	struct evil e;
	int rc = evil_open(&e, c->evil_sock, EVIL_SECRET);

	if (rc == EVIL_OK)
		rc = evil_region_create(&e, 5);
	if (rc == EVIL_OK)
		rc = evil_handshake(&e, hook_regions, NULL);
	return want_reason(c, &e, rc, "invalid region index");
}

/* ---- ADD_RING -------------------------------------------------------------- */

static void m_ring_index(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_ring.index = 1; }
static void m_ring_as_c2s(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_ring.flags = MEMIF_MSG_ADD_RING_FLAG_C2S; }
static void m_ring_log2_big(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_ring.log2_ring_size = EVIL_MAX_LOG2_RING + 1; }
static void m_ring_log2_zero(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_ring.log2_ring_size = 0; }
static void m_ring_private(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_ring.private_hdr_size = 64; }
static void m_ring_region(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_ring.region = 1; }
static void m_ring_unaligned(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_ring.offset += 8; }
static void m_ring_wrap(struct evil *e, struct evil_out *o) { (void)e; o->msg.add_ring.offset = 0xFFFFFFC0u; }

static void
m_ring_past(struct evil *e, struct evil_out *o)
{
	/* The header fits; the descriptors run past the region's end. */
	o->msg.add_ring.offset = (uint32_t)(e->region_size - 2 * MEMIF_CACHELINE_SIZE);
}

static void
m_ring_overlap(struct evil *e, struct evil_out *o)
{
	o->msg.add_ring.offset = e->c2s.ring_off + MEMIF_CACHELINE_SIZE * 4;
}

static void
m_ring_memfd(struct evil *e, struct evil_out *o)
{
	o->fds[0] = fresh_memfd(e, 4096, F_SEAL_SHRINK);
}

static int c_ring_no_fd(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_C2S, m_no_fd, "missing fd"); }
static int c_ring_index(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_C2S, m_ring_index, "invalid ring index"); }
static int c_ring_twice(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_S2C, m_ring_as_c2s, "invalid ring index"); }
static int c_ring_log2_big(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_C2S, m_ring_log2_big, "ring size out of range"); }
static int c_ring_log2_zero(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_S2C, m_ring_log2_zero, "ring size out of range"); }
static int c_ring_private(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_C2S, m_ring_private, "private ring header not supported"); }
static int c_ring_region(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_C2S, m_ring_region, "ring names an unknown region"); }
static int c_ring_unaligned(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_S2C, m_ring_unaligned, "ring offset not cache-line aligned"); }
static int c_ring_past(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_C2S, m_ring_past, "ring lies outside its region"); }
static int c_ring_wrap(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_S2C, m_ring_wrap, "ring lies outside its region"); }
static int c_ring_overlap(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_S2C, m_ring_overlap, "rings overlap"); }
static int c_ring_memfd(struct ctx *c) { return hs_case(c, EVIL_STEP_ADD_RING_C2S, m_ring_memfd, "ring interrupt fd is not an eventfd"); }

/* ---- CONNECT ----------------------------------------------------------------- */

static void
m_cookie(struct evil *e, struct evil_out *o)
{
	(void)o;
	e->s2c.ring->cookie = 0xBADC0DE;
}

static int c_cookie(struct ctx *c) { return hs_case(c, EVIL_STEP_CONNECT, m_cookie, "bad ring cookie"); }

/* ---- time and concurrency ------------------------------------------------------ */

/* HELLO received, then silence. */
static int
c_timeout_idle(struct ctx *c)
{
	struct evil e;
	int rc = evil_open(&e, c->evil_sock, EVIL_SECRET);

	if (rc == EVIL_OK)
		rc = evil_wait_disconnect(&e, EVIL_WAIT_MS);
	return want_reason(c, &e, rc, "handshake timeout");
}

static void
m_stall(struct evil *e, struct evil_out *o)
{
	(void)e;
	o->skip = o->step >= EVIL_STEP_ADD_RING_C2S;
}

static void
hook_stall(struct evil *e, struct evil_out *o, void *arg)
{
	(void)arg;
	m_stall(e, o);
}

/* INIT and ADD_REGION accepted, rings never come: the region is unmapped. */
static int
c_timeout_stalled(struct ctx *c)
{
	struct evil e;
	int rc = evil_open(&e, c->evil_sock, EVIL_SECRET);

	if (rc == EVIL_OK)
		rc = evil_region_create(&e, 5);
	if (rc == EVIL_OK) {
		/* Every step after ADD_REGION is skipped: evil_handshake()
		 * then reports success without CONNECT; the server waits. */
		rc = evil_handshake(&e, hook_stall, NULL);
		e.connected = false;
	}
	if (rc == EVIL_OK)
		rc = evil_wait_disconnect(&e, EVIL_WAIT_MS);
	return want_reason(c, &e, rc, "handshake timeout");
}

static int
busy_second(struct ctx *c, const char *when)
{
	struct evil second;
	int rc = evil_open_once(&second, c->evil_sock, EVIL_SECRET);
	int fail = rc != EVIL_REFUSED ||
		   strcmp(second.reason, "busy: another client owns this socket") != 0;
	char seen[160];

	snprintf(seen, sizeof(seen), "%s: second client %s \"%s\"", when,
		 evil_rc_str(rc), second.reason);
	evil_close(&second);
	got(c, "%s", seen);
	return fail;
}

static int
c_busy_connected(struct ctx *c)
{
	struct evil e;
	int fail;

	if (up(c, &e))
		return 1;
	fail = busy_second(c, "while connected");
	if (!fail)
		fail = still_works(c, &e);
	evil_close(&e);
	return fail;
}

static int
c_busy_handshaking(struct ctx *c)
{
	char seen[200];
	struct evil e;
	int fail, rc = evil_open(&e, c->evil_sock, EVIL_SECRET);

	if (rc != EVIL_OK)
		return want_reason(c, &e, rc, "(HELLO)");
	fail = busy_second(c, "while handshaking");
	snprintf(seen, sizeof(seen), "%s", c->got);
	rc = evil_region_create(&e, 5);
	if (rc == EVIL_OK)
		rc = evil_handshake(&e, NULL, NULL);
	if (rc == EVIL_OK)
		rc = evil_hello(&e);
	if (rc != EVIL_OK)
		fail = bad(c, "%s; first client then failed: %s %s", seen,
			   evil_rc_str(rc), e.reason);
	else
		got(c, "%s; first client then connected and worked", seen);
	evil_close(&e);
	return fail;
}

const struct hcase hostile_ctl_cases[] = {
	{ "short-datagram", "INIT of 64 bytes: DISCONNECT \"invalid message size\"", c_short, NULL },
	{ "long-datagram", "INIT of 200 bytes: DISCONNECT \"invalid message size\"", c_long, NULL },
	{ "empty-datagram", "a 0-byte datagram: DISCONNECT \"invalid message size\"", c_empty, NULL },
	{ "short-region-msg", "ADD_REGION of 64 bytes (with its fd): \"invalid message size\"", c_short_region, NULL },
	{ "unknown-type", "type 77: DISCONNECT \"unknown message type\"", c_type_unknown, NULL },
	{ "type-none", "type 0 (no fd) instead of ADD_RING: \"unknown message type\"", c_type_none, NULL },
	{ "client-hello", "HELLO from the client: \"unexpected message\"", c_type_hello, NULL },
	{ "client-ack", "ACK instead of CONNECT: \"unexpected message\"", c_type_ack, NULL },
	{ "region-before-init", "ADD_REGION first: \"unexpected message\"", c_region_first, NULL },
	{ "ring-before-init", "ADD_RING first: \"unexpected message\"", c_ring_first, NULL },
	{ "connect-before-init", "CONNECT first: \"unexpected message\"", c_connect_first, NULL },
	{ "connect-before-rings", "CONNECT after ADD_REGION: \"connect before both rings were added\"", c_connect_no_rings, NULL },
	{ "connect-one-ring", "CONNECT with only the C2S ring: \"connect before both rings were added\"", c_connect_one_ring, NULL },
	{ "init-twice", "INIT again instead of ADD_REGION: \"unexpected message\"", c_init_twice, NULL },
	{ "message-after-connect", "ADD_REGION (+fd) after CONNECTED: \"unexpected message\"", c_after_connect, NULL },
	{ "secret-wrong", "another guest's secret: \"incorrect secret\"", c_secret_wrong, NULL },
	{ "secret-none", "no secret: \"incorrect secret\"", c_secret_none, NULL },
	{ "secret-prefix", "the secret minus its last byte: \"incorrect secret\"", c_secret_prefix, NULL },
	{ "secret-longer", "the secret plus a byte: \"incorrect secret\"", c_secret_longer, NULL },
	{ "bad-version", "memif 1.0: \"incompatible memif version\"", c_version, NULL },
	{ "bad-interface-id", "id 7: \"interface id not found\"", c_id, NULL },
	{ "bad-mode", "IP mode: \"only ethernet mode supported\"", c_mode, NULL },
	{ "init-with-fd", "an fd on INIT: \"unexpected fd\"", c_init_fd, NULL },
	{ "long-names", "32-byte names without NUL, unprintable bytes: accepted, "
	  "shown bounded and printable, connection works", c_long_names, NULL },
	{ "region-no-fd", "ADD_REGION without fd: \"missing fd\"", c_region_no_fd, NULL },
	{ "region-index", "region index 3: \"invalid region index\"", c_region_index, NULL },
	{ "region-index-gap", "first region with index 1: \"invalid region index\"", c_region_gap, NULL },
	{ "regions-beyond-max", "a third region (max_regions 2): \"invalid region index\"", c_regions_beyond_max, NULL },
	{ "region-size-zero", "size 0: \"invalid region size\"", c_region_zero, NULL },
	{ "region-too-large", "2 MiB > max_region_size: \"invalid region size\"", c_region_huge, NULL },
	{ "region-larger-than-memfd", "size beyond the memfd: \"region fd is not a shrink-sealed memfd of that size\"", c_region_past_memfd, NULL },
	{ "region-unsealed", "unsealed memfd: \"region fd is not a shrink-sealed memfd of that size\"", c_region_unsealed, NULL },
	{ "region-wrong-seal", "memfd sealed F_SEAL_SEAL only: \"region fd is not a shrink-sealed memfd of that size\"", c_region_seal_seal, NULL },
	{ "region-not-a-file", "an eventfd as region: \"region fd is not a shrink-sealed memfd of that size\"", c_region_eventfd, NULL },
	{ "region-write-sealed", "memfd sealed against writes: \"cannot map region\"", c_region_write_sealed, NULL },
	{ "two-fds", "ADD_REGION with 2 fds: \"unexpected fd\"", c_fds_two, NULL },
	{ "fd-flood", "ADD_REGION with 16 fds (control buffer truncated): \"unexpected fd\"", c_fds_flood, NULL },
	{ "ring-no-fd", "ADD_RING without fd: \"missing fd\"", c_ring_no_fd, NULL },
	{ "ring-index", "ring index 1: \"invalid ring index\"", c_ring_index, NULL },
	{ "ring-twice", "C2S ring added twice: \"invalid ring index\"", c_ring_twice, NULL },
	{ "ring-too-big", "2^7 slots (offered 2^6): \"ring size out of range\"", c_ring_log2_big, NULL },
	{ "ring-size-zero", "2^0 slots: \"ring size out of range\"", c_ring_log2_zero, NULL },
	{ "ring-private-header", "private header 64: \"private ring header not supported\"", c_ring_private, NULL },
	{ "ring-unknown-region", "ring in region 1 (not added): \"ring names an unknown region\"", c_ring_region, NULL },
	{ "ring-unaligned", "offset not 64-aligned: \"ring offset not cache-line aligned\"", c_ring_unaligned, NULL },
	{ "ring-past-region", "descriptors past the region end: \"ring lies outside its region\"", c_ring_past, NULL },
	{ "ring-offset-wrap", "offset 0xFFFFFFC0 (32-bit sum would wrap): \"ring lies outside its region\"", c_ring_wrap, NULL },
	{ "rings-overlap", "S2C ring inside the C2S ring: \"rings overlap\"", c_ring_overlap, NULL },
	{ "ring-fd-not-eventfd", "a memfd as interrupt fd: \"ring interrupt fd is not an eventfd\"", c_ring_memfd, NULL },
	{ "bad-cookie", "S2C ring cookie wrong at CONNECT: \"bad ring cookie\"", c_cookie, NULL },
	{ "handshake-timeout-idle", "nothing after HELLO: \"handshake timeout\"", c_timeout_idle, NULL },
	{ "handshake-timeout-stalled", "INIT + ADD_REGION, then nothing: \"handshake timeout\"", c_timeout_stalled, NULL },
	{ "busy-while-connected", "second client: \"busy: another client owns this socket\"; first keeps working", c_busy_connected, NULL },
	{ "busy-while-handshaking", "second client during a handshake: \"busy: ...\"; first completes", c_busy_handshaking, NULL },
	{ NULL, NULL, NULL, NULL },
};
