/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the memif server handshake with real memfds and eventfds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memif_hs.h"
#include "unit_check.h"

#define REGION_SIZE (64u * 1024)
#define C2S_OFF 0u
#define S2C_OFF 4096u
#define LOG2 4u
#define IFACE_ID 7u
#define MAX_REGION (1u << 20)
#define SECRET "s3cret"
#define SECRET24 "abcdefghijklmnopqrstuvwx"


static bool
fd_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

static bool
fd_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) != -1;
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* A region memfd of size bytes, sealed with seals (0 = unsealed). */
static int
make_memfd(uint64_t size, int seals)
{
	int fd = memfd_create("unit-region", MFD_ALLOW_SEALING | MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		die("memfd");
	if (seals != 0 && fcntl(fd, F_ADD_SEALS, seals) < 0)
		die("F_ADD_SEALS");
	return fd;
}

static int
make_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	if (fd < 0)
		die("eventfd");
	return fd;
}

/* One end of a pipe; the other end is closed at once. */
static int
make_pipe(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe");
	close(p[1]);
	return p[0];
}

static int
make_tmpfile(void)
{
	char path[] = "/tmp/hl-unit-hs-XXXXXX";
	int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		/* Not every /tmp supports O_TMPFILE. */
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0 || ftruncate(fd, REGION_SIZE) < 0)
		die("temporary file");
	return fd;
}

/* The guest's side: its region memfd, mapped so it can write cookies. */
struct guest {
	int memfd;
	uint8_t *map;
};

static void
guest_open(struct guest *g)
{
	g->memfd = make_memfd(REGION_SIZE, F_SEAL_SHRINK);
	g->map = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->memfd, 0);
	if (g->map == MAP_FAILED)
		die("mmap");
	((struct memif_ring *)(g->map + C2S_OFF))->cookie = MEMIF_COOKIE;
	((struct memif_ring *)(g->map + S2C_OFF))->cookie = MEMIF_COOKIE;
}

static void
guest_close(struct guest *g)
{
	munmap(g->map, REGION_SIZE);
	close(g->memfd);
}

/* ---- messages ---------------------------------------------------------- */

#define M_INIT(ver, iid, md, sec, nm)                                        \
	{ .type = MEMIF_MSG_TYPE_INIT,                                       \
	  .init = { .version = (ver), .id = (iid), .mode = (md),             \
		    .secret = sec, .name = nm } }
#define M_INIT_OK M_INIT(MEMIF_VERSION, IFACE_ID, 0, SECRET, "guestA")
#define M_REGION(idx, sz)                                                    \
	{ .type = MEMIF_MSG_TYPE_ADD_REGION,                                 \
	  .add_region = { .index = (idx), .size = (sz) } }
#define M_RING(fl, idx, reg, off, l2, priv)                                  \
	{ .type = MEMIF_MSG_TYPE_ADD_RING,                                   \
	  .add_ring = { .flags = (fl), .index = (idx), .region = (reg),      \
			.offset = (off), .log2_ring_size = (l2),             \
			.private_hdr_size = (priv) } }
#define C2S MEMIF_MSG_ADD_RING_FLAG_C2S
#define S2C 0
#define M_C2S_OK M_RING(C2S, 0, 0, C2S_OFF, LOG2, 0)
#define M_S2C_OK M_RING(S2C, 0, 0, S2C_OFF, LOG2, 0)
#define M_CONNECT { .type = MEMIF_MSG_TYPE_CONNECT, .connect = { .if_name = "eth0" } }
#define M_TYPE(t) { .type = (t) }

/* Which fd goes with a message. */
enum fd_kind {
	FDK_NONE,
	FDK_REGION,	    /* a dup of the guest's sealed region memfd */
	FDK_MEMFD,	    /* a fresh memfd of fd_size bytes, sealed with seals */
	FDK_EVENTFD,
	FDK_PIPE,
	FDK_TMPFILE,	    /* a regular file that cannot be sealed */
};

static int
make_fd(const struct guest *g, enum fd_kind k, uint64_t size, int seals)
{
	int fd;

	switch (k) {
	case FDK_REGION:
		fd = dup(g->memfd);
		if (fd < 0)
			die("dup");
		return fd;
	case FDK_MEMFD:
		return make_memfd(size, seals);
	case FDK_EVENTFD:
		return make_eventfd();
	case FDK_PIPE:
		return make_pipe();
	case FDK_TMPFILE:
		return make_tmpfile();
	default:
		return -1;
	}
}

/* ---- limits ------------------------------------------------------------ */

enum lim_kind { LIM_DEFAULT, LIM_NO_SECRET, LIM_SECRET24, LIM_ONE_REGION };

static void
make_limits(enum lim_kind k, struct dp_memif_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->interface_id = IFACE_ID;
	lim->max_regions = k == LIM_ONE_REGION ? 1 : 2;
	lim->max_log2_ring = 10;
	lim->max_region_size = MAX_REGION;
	if (k == LIM_SECRET24)
		memcpy(lim->secret, SECRET24, MEMIF_SECRET_LEN);
	else if (k != LIM_NO_SECRET)
		memcpy(lim->secret, SECRET, strlen(SECRET));
}

/* ---- the good handshake, run up to a stage ----------------------------- */

enum stage {
	ST_NEW,		/* HELLO sent, nothing received */
	ST_INIT,	/* INIT accepted */
	ST_REGION,	/* + region 0 */
	ST_C2S,		/* + C2S ring */
	ST_S2C,		/* region 0 + S2C ring only */
	ST_RINGS,	/* + both rings */
	ST_CONNECTED,	/* + CONNECT accepted */
};

static const char *const stage_name[] = {
	"new", "init", "region", "c2s", "s2c", "rings", "connected",
};

static int
step(struct dp_memif_hs *hs, const struct dp_memif_limits *lim,
     const struct memif_msg *m, int fd, uint16_t want_reply)
{
	struct memif_msg reply;
	enum dp_memif_reason why = dp_memif_hs_handle(hs, lim, m, fd, &reply);

	if (why != DP_MEMIF_R_NONE || reply.type != want_reply) {
		fprintf(stderr, "  good message type %u refused: %s (reply %u)\n",
			m->type, dp_memif_reason_str(why), reply.type);
		return -1;
	}
	return 0;
}

static int
run_to(struct dp_memif_hs *hs, const struct dp_memif_limits *lim,
       const struct guest *g, enum stage st)
{
	static const struct memif_msg init = M_INIT_OK;
	static const struct memif_msg region = M_REGION(0, REGION_SIZE);
	static const struct memif_msg c2s = M_C2S_OK, s2c = M_S2C_OK;
	static const struct memif_msg conn = M_CONNECT;
	uint16_t ack = MEMIF_MSG_TYPE_ACK;

	if (st >= ST_INIT && step(hs, lim, &init, -1, ack) < 0)
		return -1;
	if (st >= ST_REGION &&
	    step(hs, lim, &region, make_fd(g, FDK_REGION, 0, 0), ack) < 0)
		return -1;
	if ((st == ST_C2S || st >= ST_RINGS) &&
	    step(hs, lim, &c2s, make_eventfd(), ack) < 0)
		return -1;
	if (st >= ST_S2C && step(hs, lim, &s2c, make_eventfd(), ack) < 0)
		return -1;
	if (st >= ST_CONNECTED &&
	    step(hs, lim, &conn, -1, MEMIF_MSG_TYPE_CONNECTED) < 0)
		return -1;
	return 0;
}

/* After INIT: region 0 and both rings. */
static int
add_rest(struct dp_memif_hs *hs, const struct dp_memif_limits *lim,
	 const struct guest *g)
{
	static const struct memif_msg region = M_REGION(0, REGION_SIZE);
	static const struct memif_msg c2s = M_C2S_OK, s2c = M_S2C_OK;
	uint16_t ack = MEMIF_MSG_TYPE_ACK;

	if (step(hs, lim, &region, make_fd(g, FDK_REGION, 0, 0), ack) < 0 ||
	    step(hs, lim, &c2s, make_eventfd(), ack) < 0 ||
	    step(hs, lim, &s2c, make_eventfd(), ack) < 0)
		return -1;
	return 0;
}

/* ---- what the handshake holds, and its teardown ------------------------- */

struct held {
	int fds[DP_MEMIF_MAX_REGIONS + DP_MEMIF_NDIR];
	unsigned int n_fds;
	void *maps[DP_MEMIF_MAX_REGIONS];
	unsigned int n_maps;
};

static void
held_snapshot(const struct dp_memif_hs *hs, struct held *h)
{
	memset(h, 0, sizeof(*h));
	for (unsigned int i = 0; i < hs->n_regions; i++) {
		h->fds[h->n_fds++] = hs->regions[i].fd;
		h->maps[h->n_maps++] = hs->regions[i].addr;
	}
	for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++)
		if (hs->rings[d].present)
			h->fds[h->n_fds++] = hs->rings[d].fd;
}

static bool
mapped(void *addr)
{
	unsigned char vec;

	return mincore(addr, 1, &vec) == 0;
}

static void
check_held_open(const char *what, const struct held *h)
{
	for (unsigned int i = 0; i < h->n_fds; i++)
		CHECK(what, fd_open(h->fds[i]), "held fd %d is not open", h->fds[i]);
	for (unsigned int i = 0; i < h->n_maps; i++)
		CHECK(what, h->maps[i] != NULL && mapped(h->maps[i]),
		      "held region %u is not mapped", i);
}

/* Reset, then check everything it held was closed and unmapped. */
static void
reset_and_check(const char *what, struct dp_memif_hs *hs)
{
	struct held h;

	held_snapshot(hs, &h);
	dp_memif_hs_reset(hs);
	for (unsigned int i = 0; i < h.n_fds; i++)
		CHECK(what, fd_closed(h.fds[i]),
		      "fd %d still open after reset", h.fds[i]);
	for (unsigned int i = 0; i < h.n_maps; i++)
		CHECK(what, !mapped(h.maps[i]),
		      "region %u still mapped after reset", i);
	CHECK(what, hs->state == DP_MEMIF_HS_AWAIT_INIT,
	      "state %d after reset", hs->state);
	CHECK(what, hs->n_regions == 0, "n_regions %u after reset",
	      hs->n_regions);
	for (unsigned int i = 0; i < DP_MEMIF_MAX_REGIONS; i++)
		CHECK(what, hs->regions[i].fd == -1 && hs->regions[i].addr == NULL,
		      "region %u not cleared by reset", i);
	for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++)
		CHECK(what, !hs->rings[d].present && hs->rings[d].fd == -1,
		      "ring %u not cleared by reset", d);
}

/* ---- the happy path, message by message --------------------------------- */

static void
test_happy_path(void)
{
	static const char *const what = "happy path";
	struct dp_memif_limits lim;
	struct dp_memif_hs hs;
	struct memif_msg reply, m;
	struct guest g;
	int rfd, cfd, sfd;

	make_limits(LIM_DEFAULT, &lim);
	guest_open(&g);
	dp_memif_hs_init(&hs);
	CHECK(what, hs.state == DP_MEMIF_HS_AWAIT_INIT, "initial state %d", hs.state);

	m = (struct memif_msg)M_INIT_OK;
	CHECK(what, dp_memif_hs_handle(&hs, &lim, &m, -1, &reply) == DP_MEMIF_R_NONE,
	      "INIT refused");
	CHECK(what, reply.type == MEMIF_MSG_TYPE_ACK, "INIT reply %u", reply.type);
	CHECK(what, hs.state == DP_MEMIF_HS_SETUP, "state after INIT %d", hs.state);
	CHECK(what, strcmp(hs.peer_name, "guestA") == 0, "peer name '%s'", hs.peer_name);

	m = (struct memif_msg)M_REGION(0, REGION_SIZE);
	rfd = make_fd(&g, FDK_REGION, 0, 0);
	CHECK(what, dp_memif_hs_handle(&hs, &lim, &m, rfd, &reply) == DP_MEMIF_R_NONE,
	      "ADD_REGION refused");
	CHECK(what, reply.type == MEMIF_MSG_TYPE_ACK, "ADD_REGION reply %u", reply.type);
	CHECK(what, hs.n_regions == 1 && hs.regions[0].fd == rfd &&
	      hs.regions[0].size == REGION_SIZE && hs.regions[0].addr != NULL,
	      "region 0 not kept");
	/* The server's mapping and the guest's share the same pages. */
	if (hs.regions[0].addr != NULL)
		CHECK(what, ((struct memif_ring *)(hs.regions[0].addr + S2C_OFF))->cookie ==
		      MEMIF_COOKIE, "server mapping does not see guest writes");

	m = (struct memif_msg)M_C2S_OK;
	cfd = make_eventfd();
	CHECK(what, dp_memif_hs_handle(&hs, &lim, &m, cfd, &reply) == DP_MEMIF_R_NONE,
	      "ADD_RING C2S refused");
	CHECK(what, reply.type == MEMIF_MSG_TYPE_ACK, "C2S reply %u", reply.type);
	CHECK(what, hs.rings[DP_MEMIF_C2S].present && hs.rings[DP_MEMIF_C2S].fd == cfd &&
	      hs.rings[DP_MEMIF_C2S].offset == C2S_OFF &&
	      hs.rings[DP_MEMIF_C2S].log2_size == LOG2 && !hs.rings[DP_MEMIF_S2C].present,
	      "C2S ring not kept");
	CHECK(what, (fcntl(cfd, F_GETFL) & O_NONBLOCK) != 0, "C2S eventfd left blocking");

	m = (struct memif_msg)M_S2C_OK;
	sfd = make_eventfd();
	CHECK(what, dp_memif_hs_handle(&hs, &lim, &m, sfd, &reply) == DP_MEMIF_R_NONE,
	      "ADD_RING S2C refused");
	CHECK(what, reply.type == MEMIF_MSG_TYPE_ACK, "S2C reply %u", reply.type);
	CHECK(what, hs.rings[DP_MEMIF_S2C].present && hs.rings[DP_MEMIF_S2C].fd == sfd &&
	      hs.rings[DP_MEMIF_S2C].offset == S2C_OFF, "S2C ring not kept");
	CHECK(what, (fcntl(sfd, F_GETFL) & O_NONBLOCK) != 0, "S2C eventfd left blocking");

	m = (struct memif_msg)M_CONNECT;
	CHECK(what, dp_memif_hs_handle(&hs, &lim, &m, -1, &reply) == DP_MEMIF_R_NONE,
	      "CONNECT refused");
	CHECK(what, reply.type == MEMIF_MSG_TYPE_CONNECTED, "CONNECT reply %u", reply.type);
	CHECK(what, hs.state == DP_MEMIF_HS_CONNECTED, "state after CONNECT %d", hs.state);
	CHECK(what, strcmp(hs.if_name, "eth0") == 0, "if name '%s'", hs.if_name);

	reset_and_check(what, &hs);
	guest_close(&g);
}

/* ---- one bad (or boundary) message after a good prefix ------------------ */

enum { FL_ZAP_C2S_COOKIE = 1, FL_ZAP_S2C_COOKIE = 2 };

struct hs_case {
	const char *name;
	enum stage stage;
	enum lim_kind lim;
	struct memif_msg msg;
	enum fd_kind fd;
	uint64_t fd_size;
	int seals;
	unsigned int flags;
	enum dp_memif_reason want;
};

#define SHRINK F_SEAL_SHRINK
#define R(x) DP_MEMIF_R_##x

static const struct hs_case cases[] = {
	/* Order: nothing but INIT before INIT. */
	{ "ADD_REGION before INIT", ST_NEW, 0, M_REGION(0, REGION_SIZE), FDK_REGION, 0, 0, 0, R(MSG_ORDER) },
	{ "ADD_RING before INIT", ST_NEW, 0, M_C2S_OK, FDK_EVENTFD, 0, 0, 0, R(MSG_ORDER) },
	{ "CONNECT before INIT", ST_NEW, 0, M_CONNECT, FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "INIT twice", ST_INIT, 0, M_INIT_OK, FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "INIT after region", ST_REGION, 0, M_INIT_OK, FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "ACK from client", ST_NEW, 0, M_TYPE(MEMIF_MSG_TYPE_ACK), FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "HELLO from client", ST_NEW, 0, M_TYPE(MEMIF_MSG_TYPE_HELLO), FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "CONNECTED from client", ST_NEW, 0, M_TYPE(MEMIF_MSG_TYPE_CONNECTED), FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "ACK from client in setup", ST_REGION, 0, M_TYPE(MEMIF_MSG_TYPE_ACK), FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "HELLO from client in setup", ST_INIT, 0, M_TYPE(MEMIF_MSG_TYPE_HELLO), FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "CONNECTED from client in setup", ST_RINGS, 0, M_TYPE(MEMIF_MSG_TYPE_CONNECTED), FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "type 99", ST_NEW, 0, M_TYPE(99), FDK_NONE, 0, 0, 0, R(MSG_TYPE) },
	{ "type NONE", ST_INIT, 0, M_TYPE(MEMIF_MSG_TYPE_NONE), FDK_NONE, 0, 0, 0, R(MSG_TYPE) },
	{ "type MAX", ST_INIT, 0, M_TYPE(MEMIF_MSG_TYPE_MAX), FDK_NONE, 0, 0, 0, R(MSG_TYPE) },
	{ "type 0xffff", ST_RINGS, 0, M_TYPE(0xffff), FDK_NONE, 0, 0, 0, R(MSG_TYPE) },

	/* INIT contents. */
	{ "INIT version 1.0", ST_NEW, 0, M_INIT(0x0100, IFACE_ID, 0, SECRET, "g"), FDK_NONE, 0, 0, 0, R(VERSION) },
	{ "INIT version 2.1", ST_NEW, 0, M_INIT(0x0201, IFACE_ID, 0, SECRET, "g"), FDK_NONE, 0, 0, 0, R(VERSION) },
	{ "INIT version 0", ST_NEW, 0, M_INIT(0, IFACE_ID, 0, SECRET, "g"), FDK_NONE, 0, 0, 0, R(VERSION) },
	{ "INIT wrong id", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID + 1, 0, SECRET, "g"), FDK_NONE, 0, 0, 0, R(ID) },
	{ "INIT id 0xffffffff", ST_NEW, 0, M_INIT(MEMIF_VERSION, 0xffffffffu, 0, SECRET, "g"), FDK_NONE, 0, 0, 0, R(ID) },
	{ "INIT mode ip", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID, MEMIF_INTERFACE_MODE_IP, SECRET, "g"), FDK_NONE, 0, 0, 0, R(MODE) },
	{ "INIT mode punt", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID, MEMIF_INTERFACE_MODE_PUNT_INJECT, SECRET, "g"), FDK_NONE, 0, 0, 0, R(MODE) },
	{ "INIT mode 255", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID, 255, SECRET, "g"), FDK_NONE, 0, 0, 0, R(MODE) },
	{ "INIT wrong secret", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID, 0, "s3cres", "g"), FDK_NONE, 0, 0, 0, R(SECRET) },
	{ "INIT secret prefix", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID, 0, "s3cre", "g"), FDK_NONE, 0, 0, 0, R(SECRET) },
	{ "INIT secret longer", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID, 0, "s3cret!", "g"), FDK_NONE, 0, 0, 0, R(SECRET) },
	{ "INIT no secret given", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID, 0, "", "g"), FDK_NONE, 0, 0, 0, R(SECRET) },
	{ "INIT right secret", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID, 0, SECRET, "g"), FDK_NONE, 0, 0, 0, R(NONE) },
	{ "INIT right secret, junk after NUL", ST_NEW, 0, M_INIT(MEMIF_VERSION, IFACE_ID, 0, SECRET "\0junk", "g"), FDK_NONE, 0, 0, 0, R(NONE) },
	{ "INIT no secret configured, none given", ST_NEW, LIM_NO_SECRET, M_INIT(MEMIF_VERSION, IFACE_ID, 0, "", "g"), FDK_NONE, 0, 0, 0, R(NONE) },
	{ "INIT no secret configured, one given", ST_NEW, LIM_NO_SECRET, M_INIT(MEMIF_VERSION, IFACE_ID, 0, "anything", "g"), FDK_NONE, 0, 0, 0, R(NONE) },
	{ "INIT 24-byte secret, exact", ST_NEW, LIM_SECRET24, M_INIT(MEMIF_VERSION, IFACE_ID, 0, SECRET24, "g"), FDK_NONE, 0, 0, 0, R(NONE) },
	{ "INIT 24-byte secret, 23 given", ST_NEW, LIM_SECRET24, M_INIT(MEMIF_VERSION, IFACE_ID, 0, "abcdefghijklmnopqrstuvw", "g"), FDK_NONE, 0, 0, 0, R(SECRET) },
	{ "INIT 24-byte secret, last byte wrong", ST_NEW, LIM_SECRET24, M_INIT(MEMIF_VERSION, IFACE_ID, 0, "abcdefghijklmnopqrstuvwy", "g"), FDK_NONE, 0, 0, 0, R(SECRET) },
	{ "INIT 24-byte secret, first byte wrong", ST_NEW, LIM_SECRET24, M_INIT(MEMIF_VERSION, IFACE_ID, 0, "bbcdefghijklmnopqrstuvwx", "g"), FDK_NONE, 0, 0, 0, R(SECRET) },

	/* Fds only with ADD_REGION and ADD_RING. */
	{ "INIT with fd", ST_NEW, 0, M_INIT_OK, FDK_EVENTFD, 0, 0, 0, R(FD_EXTRA) },
	{ "CONNECT with fd", ST_RINGS, 0, M_CONNECT, FDK_EVENTFD, 0, 0, 0, R(FD_EXTRA) },
	{ "DISCONNECT with fd", ST_INIT, 0, M_TYPE(MEMIF_MSG_TYPE_DISCONNECT), FDK_PIPE, 0, 0, 0, R(FD_EXTRA) },
	{ "ACK with fd", ST_INIT, 0, M_TYPE(MEMIF_MSG_TYPE_ACK), FDK_REGION, 0, 0, 0, R(FD_EXTRA) },
	{ "type 99 with fd", ST_INIT, 0, M_TYPE(99), FDK_EVENTFD, 0, 0, 0, R(FD_EXTRA) },

	/* ADD_REGION. */
	{ "ADD_REGION without fd", ST_INIT, 0, M_REGION(0, REGION_SIZE), FDK_NONE, 0, 0, 0, R(FD_MISSING) },
	{ "ADD_REGION index 1 first", ST_INIT, 0, M_REGION(1, REGION_SIZE), FDK_REGION, 0, 0, 0, R(REGION_INDEX) },
	{ "ADD_REGION index 0 twice", ST_REGION, 0, M_REGION(0, REGION_SIZE), FDK_REGION, 0, 0, 0, R(REGION_INDEX) },
	{ "ADD_REGION index 2 after 0", ST_REGION, 0, M_REGION(2, REGION_SIZE), FDK_REGION, 0, 0, 0, R(REGION_INDEX) },
	{ "ADD_REGION index == max_regions", ST_REGION, LIM_ONE_REGION, M_REGION(1, REGION_SIZE), FDK_REGION, 0, 0, 0, R(REGION_INDEX) },
	{ "ADD_REGION index 1 < max_regions", ST_REGION, 0, M_REGION(1, REGION_SIZE), FDK_REGION, 0, 0, 0, R(NONE) },
	{ "ADD_REGION index 0xffff", ST_INIT, 0, M_REGION(0xffff, REGION_SIZE), FDK_REGION, 0, 0, 0, R(REGION_INDEX) },
	{ "ADD_REGION size 0", ST_INIT, 0, M_REGION(0, 0), FDK_REGION, 0, 0, 0, R(REGION_SIZE) },
	{ "ADD_REGION size > max", ST_INIT, 0, M_REGION(0, MAX_REGION + 4096), FDK_MEMFD, MAX_REGION + 4096, SHRINK, 0, R(REGION_SIZE) },
	{ "ADD_REGION size UINT64_MAX", ST_INIT, 0, M_REGION(0, UINT64_MAX), FDK_REGION, 0, 0, 0, R(REGION_SIZE) },
	{ "ADD_REGION size == max", ST_INIT, 0, M_REGION(0, MAX_REGION), FDK_MEMFD, MAX_REGION, SHRINK, 0, R(NONE) },
	{ "ADD_REGION memfd not sealed", ST_INIT, 0, M_REGION(0, REGION_SIZE), FDK_MEMFD, REGION_SIZE, 0, 0, R(REGION_FD) },
	{ "ADD_REGION memfd sealed grow only", ST_INIT, 0, M_REGION(0, REGION_SIZE), FDK_MEMFD, REGION_SIZE, F_SEAL_GROW, 0, R(REGION_FD) },
	{ "ADD_REGION memfd smaller", ST_INIT, 0, M_REGION(0, REGION_SIZE), FDK_MEMFD, REGION_SIZE - 1, SHRINK, 0, R(REGION_FD) },
	{ "ADD_REGION memfd empty", ST_INIT, 0, M_REGION(0, REGION_SIZE), FDK_MEMFD, 0, SHRINK, 0, R(REGION_FD) },
	{ "ADD_REGION memfd larger", ST_INIT, 0, M_REGION(0, REGION_SIZE), FDK_MEMFD, 2 * REGION_SIZE, SHRINK, 0, R(NONE) },
	{ "ADD_REGION eventfd", ST_INIT, 0, M_REGION(0, REGION_SIZE), FDK_EVENTFD, 0, 0, 0, R(REGION_FD) },
	{ "ADD_REGION pipe", ST_INIT, 0, M_REGION(0, REGION_SIZE), FDK_PIPE, 0, 0, 0, R(REGION_FD) },
	{ "ADD_REGION unsealable file", ST_INIT, 0, M_REGION(0, REGION_SIZE), FDK_TMPFILE, 0, 0, 0, R(REGION_FD) },

	/* ADD_RING. */
	{ "ADD_RING without fd", ST_REGION, 0, M_C2S_OK, FDK_NONE, 0, 0, 0, R(FD_MISSING) },
	{ "ADD_RING before any region", ST_INIT, 0, M_C2S_OK, FDK_EVENTFD, 0, 0, 0, R(RING_REGION) },
	{ "ADD_RING C2S index 1", ST_REGION, 0, M_RING(C2S, 1, 0, C2S_OFF, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_INDEX) },
	{ "ADD_RING S2C index 1", ST_REGION, 0, M_RING(S2C, 1, 0, S2C_OFF, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_INDEX) },
	{ "ADD_RING index 0xffff", ST_REGION, 0, M_RING(C2S, 0xffff, 0, C2S_OFF, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_INDEX) },
	{ "ADD_RING C2S twice", ST_C2S, 0, M_RING(C2S, 0, 0, 8192, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_INDEX) },
	{ "ADD_RING S2C twice", ST_RINGS, 0, M_RING(S2C, 0, 0, 8192, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_INDEX) },
	{ "ADD_RING region 1 of 1", ST_REGION, 0, M_RING(C2S, 0, 1, C2S_OFF, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_REGION) },
	{ "ADD_RING region 0xffff", ST_REGION, 0, M_RING(C2S, 0, 0xffff, C2S_OFF, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_REGION) },
	{ "ADD_RING log2 0", ST_REGION, 0, M_RING(C2S, 0, 0, C2S_OFF, 0, 0), FDK_EVENTFD, 0, 0, 0, R(RING_SIZE) },
	{ "ADD_RING log2 > max", ST_REGION, 0, M_RING(C2S, 0, 0, C2S_OFF, 11, 0), FDK_EVENTFD, 0, 0, 0, R(RING_SIZE) },
	{ "ADD_RING log2 255", ST_REGION, 0, M_RING(C2S, 0, 0, C2S_OFF, 255, 0), FDK_EVENTFD, 0, 0, 0, R(RING_SIZE) },
	{ "ADD_RING log2 1 (min)", ST_REGION, 0, M_RING(C2S, 0, 0, C2S_OFF, 1, 0), FDK_EVENTFD, 0, 0, 0, R(NONE) },
	{ "ADD_RING log2 == max", ST_REGION, 0, M_RING(C2S, 0, 0, C2S_OFF, 10, 0), FDK_EVENTFD, 0, 0, 0, R(NONE) },
	{ "ADD_RING private header", ST_REGION, 0, M_RING(C2S, 0, 0, C2S_OFF, LOG2, 64), FDK_EVENTFD, 0, 0, 0, R(RING_PRIVATE) },
	{ "ADD_RING offset 32", ST_REGION, 0, M_RING(C2S, 0, 0, 32, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_ALIGN) },
	{ "ADD_RING offset 1", ST_REGION, 0, M_RING(S2C, 0, 0, 1, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_ALIGN) },
	{ "ADD_RING offset at region end", ST_REGION, 0, M_RING(C2S, 0, 0, REGION_SIZE, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_BOUNDS) },
	{ "ADD_RING one slot past end", ST_REGION, 0, M_RING(C2S, 0, 0, REGION_SIZE - 384 + 64, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_BOUNDS) },
	{ "ADD_RING ends at region end", ST_REGION, 0, M_RING(C2S, 0, 0, REGION_SIZE - 384, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(NONE) },
	{ "ADD_RING offset near UINT32_MAX", ST_REGION, 0, M_RING(C2S, 0, 0, 0xffffffc0u, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_BOUNDS) },
	{ "ADD_RING big ring past end", ST_REGION, 0, M_RING(S2C, 0, 0, REGION_SIZE - 4096, 10, 0), FDK_EVENTFD, 0, 0, 0, R(RING_BOUNDS) },
	{ "ADD_RING S2C on C2S", ST_C2S, 0, M_RING(S2C, 0, 0, C2S_OFF, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_OVERLAP) },
	{ "ADD_RING S2C into C2S tail", ST_C2S, 0, M_RING(S2C, 0, 0, C2S_OFF + 320, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_OVERLAP) },
	{ "ADD_RING S2C right after C2S", ST_C2S, 0, M_RING(S2C, 0, 0, C2S_OFF + 384, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(NONE) },
	{ "ADD_RING C2S covering S2C", ST_S2C, 0, M_RING(C2S, 0, 0, S2C_OFF - 1024, 8, 0), FDK_EVENTFD, 0, 0, 0, R(RING_OVERLAP) },
	{ "ADD_RING C2S into S2C head", ST_S2C, 0, M_RING(C2S, 0, 0, S2C_OFF - 384 + 64, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(RING_OVERLAP) },
	{ "ADD_RING C2S right before S2C", ST_S2C, 0, M_RING(C2S, 0, 0, S2C_OFF - 384, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(NONE) },
	{ "ADD_RING pipe as fd", ST_REGION, 0, M_C2S_OK, FDK_PIPE, 0, 0, 0, R(RING_FD) },
	{ "ADD_RING memfd as fd", ST_REGION, 0, M_S2C_OK, FDK_MEMFD, 4096, SHRINK, 0, R(RING_FD) },
	{ "ADD_RING file as fd", ST_REGION, 0, M_C2S_OK, FDK_TMPFILE, 0, 0, 0, R(RING_FD) },

	/* CONNECT. */
	{ "CONNECT with no rings", ST_REGION, 0, M_CONNECT, FDK_NONE, 0, 0, 0, R(RING_MISSING) },
	{ "CONNECT with C2S only", ST_C2S, 0, M_CONNECT, FDK_NONE, 0, 0, 0, R(RING_MISSING) },
	{ "CONNECT with S2C only", ST_S2C, 0, M_CONNECT, FDK_NONE, 0, 0, 0, R(RING_MISSING) },
	{ "CONNECT bad C2S cookie", ST_RINGS, 0, M_CONNECT, FDK_NONE, 0, 0, FL_ZAP_C2S_COOKIE, R(RING_COOKIE) },
	{ "CONNECT bad S2C cookie", ST_RINGS, 0, M_CONNECT, FDK_NONE, 0, 0, FL_ZAP_S2C_COOKIE, R(RING_COOKIE) },
	{ "CONNECT twice", ST_CONNECTED, 0, M_CONNECT, FDK_NONE, 0, 0, 0, R(MSG_ORDER) },

	/* DISCONNECT from the client, in every state. */
	{ "DISCONNECT before INIT", ST_NEW, 0, M_TYPE(MEMIF_MSG_TYPE_DISCONNECT), FDK_NONE, 0, 0, 0, R(PEER) },
	{ "DISCONNECT in setup", ST_C2S, 0, M_TYPE(MEMIF_MSG_TYPE_DISCONNECT), FDK_NONE, 0, 0, 0, R(PEER) },
	{ "DISCONNECT when connected", ST_CONNECTED, 0, M_TYPE(MEMIF_MSG_TYPE_DISCONNECT), FDK_NONE, 0, 0, 0, R(PEER) },

	/* After CONNECTED, nothing changes the handshake. */
	{ "INIT when connected", ST_CONNECTED, 0, M_INIT_OK, FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "ADD_REGION when connected", ST_CONNECTED, 0, M_REGION(1, REGION_SIZE), FDK_REGION, 0, 0, 0, R(MSG_ORDER) },
	{ "ADD_RING when connected", ST_CONNECTED, 0, M_RING(C2S, 0, 0, 8192, LOG2, 0), FDK_EVENTFD, 0, 0, 0, R(MSG_ORDER) },
	{ "ACK when connected", ST_CONNECTED, 0, M_TYPE(MEMIF_MSG_TYPE_ACK), FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "HELLO when connected", ST_CONNECTED, 0, M_TYPE(MEMIF_MSG_TYPE_HELLO), FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "CONNECTED when connected", ST_CONNECTED, 0, M_TYPE(MEMIF_MSG_TYPE_CONNECTED), FDK_NONE, 0, 0, 0, R(MSG_ORDER) },
	{ "type 99 when connected", ST_CONNECTED, 0, M_TYPE(99), FDK_NONE, 0, 0, 0, R(MSG_TYPE) },
};

static uint16_t
ok_reply(uint16_t type)
{
	return type == MEMIF_MSG_TYPE_CONNECT ? MEMIF_MSG_TYPE_CONNECTED :
					       MEMIF_MSG_TYPE_ACK;
}

static void
run_case(const struct hs_case *c)
{
	struct dp_memif_limits lim;
	struct dp_memif_hs hs, before;
	struct memif_msg reply;
	enum dp_memif_reason why;
	struct held h;
	struct guest g;
	int fd;

	make_limits(c->lim, &lim);
	guest_open(&g);
	dp_memif_hs_init(&hs);
	if (run_to(&hs, &lim, &g, c->stage) < 0) {
		fail(c->name, "could not reach stage %s", stage_name[c->stage]);
		goto out;
	}
	if (c->flags & FL_ZAP_C2S_COOKIE)
		((struct memif_ring *)(g.map + C2S_OFF))->cookie = ~MEMIF_COOKIE;
	if (c->flags & FL_ZAP_S2C_COOKIE)
		((struct memif_ring *)(g.map + S2C_OFF))->cookie = MEMIF_COOKIE + 1;
	before = hs;
	held_snapshot(&hs, &h);
	fd = make_fd(&g, c->fd, c->fd_size, c->seals);
	memset(&reply, 0xa5, sizeof(reply));
	why = dp_memif_hs_handle(&hs, &lim, &c->msg, fd, &reply);
	CHECK(c->name, why == c->want, "got %s (%s), want %s",
	      dp_memif_reason_name(why), dp_memif_reason_str(why),
	      dp_memif_reason_name(c->want));
	if (c->want != DP_MEMIF_R_NONE) {
		CHECK(c->name, reply.type == MEMIF_MSG_TYPE_NONE,
		      "refusal left reply type %u", reply.type);
		if (fd >= 0)
			CHECK(c->name, fd_closed(fd), "refused fd %d left open", fd);
		CHECK(c->name, hs.state == before.state, "state %d -> %d on refusal",
		      before.state, hs.state);
		CHECK(c->name, hs.n_regions == before.n_regions &&
		      hs.rings[0].present == before.rings[0].present &&
		      hs.rings[1].present == before.rings[1].present &&
		      hs.rings[0].fd == before.rings[0].fd &&
		      hs.rings[1].fd == before.rings[1].fd,
		      "refusal changed regions or rings");
	} else {
		CHECK(c->name, reply.type == ok_reply(c->msg.type),
		      "reply type %u, want %u", reply.type, ok_reply(c->msg.type));
		if (fd >= 0)
			CHECK(c->name, fd_open(fd), "accepted fd %d was closed", fd);
	}
	/* What was accepted before is still held, whatever came after. */
	check_held_open(c->name, &h);
	reset_and_check(c->name, &hs);
	if (c->want == DP_MEMIF_R_NONE && fd >= 0)
		CHECK(c->name, fd_closed(fd), "accepted fd %d not closed by reset", fd);
out:
	dp_memif_hs_reset(&hs);
	guest_close(&g);
}

/* ---- names from the client ---------------------------------------------- */

struct name_case {
	const char *name;
	uint8_t raw[MEMIF_NAME_LEN];
	const char *want;
};

static const struct name_case name_cases[] = {
	{ "plain", "vm-1", "vm-1" },
	{ "empty", "", "" },
	{ "control bytes", "a\x01" "b\x1f" "c\x7f" "d\x80" "e\xff", "a?b?c?d?e?" },
	{ "newline and escape", "x\n\x1b[2Jy", "x??[2Jy" },
	{ "stops at NUL", "ab\0cd", "ab" },
	{ "32 bytes no NUL", "0123456789abcdef0123456789ABCDEF",
	  "0123456789abcdef0123456789ABCDEF" },
	{ "32 high bytes no NUL",
	  "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	  "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	  "????????????????????????????????" },
};

static bool
printable(const char *s, size_t cap)
{
	size_t i;

	for (i = 0; i < cap && s[i] != '\0'; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return false;
	return i < cap;
}

static void
test_names(void)
{
	struct dp_memif_limits lim;

	make_limits(LIM_DEFAULT, &lim);
	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];
		struct memif_msg m = M_INIT_OK, reply;
		struct dp_memif_hs hs;
		struct guest g;
		char what[96];

		snprintf(what, sizeof(what), "name: %s", c->name);
		guest_open(&g);
		dp_memif_hs_init(&hs);
		/* Poison the fields, so a missing terminator shows. */
		memset(hs.peer_name, 'Z', sizeof(hs.peer_name));
		memset(hs.if_name, 'Z', sizeof(hs.if_name));
		memcpy(m.init.name, c->raw, MEMIF_NAME_LEN);
		CHECK(what, dp_memif_hs_handle(&hs, &lim, &m, -1, &reply) ==
		      DP_MEMIF_R_NONE, "INIT refused");
		CHECK(what, printable(hs.peer_name, sizeof(hs.peer_name)),
		      "peer name not printable and NUL-terminated");
		CHECK(what, memchr(hs.peer_name, '\0', sizeof(hs.peer_name)) != NULL &&
		      strcmp(hs.peer_name, c->want) == 0, "peer name '%.*s', want '%s'",
		      (int)sizeof(hs.peer_name), hs.peer_name, c->want);
		if (add_rest(&hs, &lim, &g) == 0) {
			m = (struct memif_msg)M_CONNECT;
			memcpy(m.connect.if_name, c->raw, MEMIF_NAME_LEN);
			CHECK(what, dp_memif_hs_handle(&hs, &lim, &m, -1, &reply) ==
			      DP_MEMIF_R_NONE, "CONNECT refused");
			CHECK(what, printable(hs.if_name, sizeof(hs.if_name)) &&
			      strcmp(hs.if_name, c->want) == 0,
			      "if name '%.*s', want '%s'", (int)sizeof(hs.if_name),
			      hs.if_name, c->want);
		} else {
			fail(what, "setup refused");
		}
		dp_memif_hs_reset(&hs);
		guest_close(&g);
	}
}

/* ---- reasons, HELLO, DISCONNECT ----------------------------------------- */

static void
test_reasons(void)
{
	static const unsigned int out_of_range[] = {
		DP_MEMIF_R_COUNT, DP_MEMIF_R_COUNT + 1, 1000, ~0u,
	};

	/* Tests and operators grep for these strings; libhostlane acts on
	 * the codes only (hostlane/memif.h). */
	CHECK("shutdown", strcmp(dp_memif_reason_str(DP_MEMIF_R_SHUTDOWN),
				 "hostlane shutting down") == 0, "string changed");
	CHECK("region size", strcmp(dp_memif_reason_str(DP_MEMIF_R_REGION_SIZE),
				    "invalid region size") == 0, "string changed");

	for (unsigned int r = 0; r < DP_MEMIF_R_COUNT; r++) {
		const char *s = dp_memif_reason_str(r), *n = dp_memif_reason_name(r);
		char what[48];
		struct memif_msg m;

		snprintf(what, sizeof(what), "reason %u", r);
		CHECK(what, s != NULL && s[0] != '\0', "empty string");
		CHECK(what, n != NULL && n[0] != '\0', "empty name");
		CHECK(what, s != NULL && strlen(s) < MEMIF_DISC_STRING_LEN,
		      "string does not fit a DISCONNECT");
		for (unsigned int q = 0; q < r && n != NULL; q++)
			CHECK(what, strcmp(n, dp_memif_reason_name(q)) != 0,
			      "name '%s' shared with reason %u", n, q);
		dp_memif_hs_disconnect(r, &m);
		CHECK(what, m.type == MEMIF_MSG_TYPE_DISCONNECT && m.disconnect.code == r,
		      "DISCONNECT type %u code %u", m.type, m.disconnect.code);
		CHECK(what, memchr(m.disconnect.string, '\0', MEMIF_DISC_STRING_LEN) &&
		      s != NULL && strcmp((const char *)m.disconnect.string, s) == 0,
		      "DISCONNECT string '%.*s'", MEMIF_DISC_STRING_LEN,
		      m.disconnect.string);
	}
	CHECK("reason NONE", strcmp(dp_memif_reason_name(DP_MEMIF_R_NONE), "NONE") == 0,
	      "name of NONE is '%s'", dp_memif_reason_name(DP_MEMIF_R_NONE));
	CHECK("faults", dp_memif_reason_is_fault(DP_MEMIF_R_C2S_HEAD) &&
	      dp_memif_reason_is_fault(DP_MEMIF_R_FRAME_LONG) &&
	      !dp_memif_reason_is_fault(DP_MEMIF_R_SECRET) &&
	      !dp_memif_reason_is_fault(DP_MEMIF_R_LCORE_STUCK), "fault classes");
	CHECK("retry", hl_memif_disc_class(HL_MEMIF_DISC_SHUTDOWN) == HL_MEMIF_DISC_C_RETRY &&
	      hl_memif_disc_class(HL_MEMIF_DISC_LCORE_STUCK) == HL_MEMIF_DISC_C_RETRY &&
	      hl_memif_disc_class(HL_MEMIF_DISC_SECRET) == HL_MEMIF_DISC_C_REJECT &&
	      hl_memif_disc_class(1000) == HL_MEMIF_DISC_C_END, "retry classes");
	/* Wire codes never change meaning (hostlane/memif.h: append only). */
	CHECK("codes", DP_MEMIF_R_SHUTDOWN == 28 && DP_MEMIF_R_REGION_SIZE == 11 &&
	      DP_MEMIF_R_FRAME_LONG == 39, "a DISCONNECT code changed");
	for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++) {
		unsigned int r = out_of_range[i];
		const char *s = dp_memif_reason_str(r), *n = dp_memif_reason_name(r);

		CHECK("reason out of range", s != NULL && s[0] != '\0' &&
		      n != NULL && n[0] != '\0', "reason %u gives NULL or empty", r);
	}
}

static void
test_hello(void)
{
	static const char *const what = "hello";
	struct dp_memif_limits lim;
	struct memif_msg m;
	char longname[64];

	make_limits(LIM_DEFAULT, &lim);
	memset(&m, 0xa5, sizeof(m));
	dp_memif_hs_hello(&lim, "hostlane-demo0", &m);
	CHECK(what, m.type == MEMIF_MSG_TYPE_HELLO, "type %u", m.type);
	CHECK(what, strcmp((const char *)m.hello.name, "hostlane-demo0") == 0,
	      "name '%.32s'", m.hello.name);
	CHECK(what, m.hello.min_version == MEMIF_VERSION &&
	      m.hello.max_version == MEMIF_VERSION, "versions %#x..%#x",
	      m.hello.min_version, m.hello.max_version);
	CHECK(what, m.hello.max_region == lim.max_regions - 1, "max_region %u",
	      m.hello.max_region);
	CHECK(what, m.hello.max_c2s_ring == DP_MEMIF_MAX_RINGS - 1 &&
	      m.hello.max_s2c_ring == DP_MEMIF_MAX_RINGS - 1, "max rings %u/%u",
	      m.hello.max_c2s_ring, m.hello.max_s2c_ring);
	CHECK(what, m.hello.max_log2_ring_size == lim.max_log2_ring,
	      "max_log2_ring_size %u", m.hello.max_log2_ring_size);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	dp_memif_hs_hello(&lim, longname, &m);
	CHECK(what, memchr(m.hello.name, '\0', MEMIF_NAME_LEN) != NULL,
	      "long name not truncated");
}

/* ---- the fd predicates on their own ------------------------------------- */

static void
test_fd_predicates(void)
{
	struct guest g;
	int efd = make_eventfd(), pfd = make_pipe(), tfd = make_tmpfile();
	int ufd = make_memfd(4096, 0), sfd = make_memfd(4096, F_SEAL_SHRINK);

	guest_open(&g);
	CHECK("eventfd_ok", dp_memif_eventfd_ok(efd), "eventfd refused");
	CHECK("eventfd_ok", !dp_memif_eventfd_ok(pfd), "pipe accepted");
	CHECK("eventfd_ok", !dp_memif_eventfd_ok(tfd), "file accepted");
	CHECK("eventfd_ok", !dp_memif_eventfd_ok(sfd), "memfd accepted");
	CHECK("eventfd_ok", !dp_memif_eventfd_ok(-1), "fd -1 accepted");
	CHECK("eventfd_ok", !dp_memif_eventfd_ok(100000), "closed fd accepted");
	CHECK("region_fd_ok", dp_memif_region_fd_ok(sfd, 4096), "sealed memfd refused");
	CHECK("region_fd_ok", dp_memif_region_fd_ok(sfd, 1), "sealed memfd, smaller size refused");
	CHECK("region_fd_ok", !dp_memif_region_fd_ok(sfd, 4097), "size past the end accepted");
	CHECK("region_fd_ok", !dp_memif_region_fd_ok(ufd, 4096), "unsealed memfd accepted");
	CHECK("region_fd_ok", !dp_memif_region_fd_ok(efd, 0), "eventfd accepted");
	CHECK("region_fd_ok", !dp_memif_region_fd_ok(pfd, 0), "pipe accepted");
	CHECK("region_fd_ok", !dp_memif_region_fd_ok(tfd, 4096), "unsealable file accepted");
	CHECK("region_fd_ok", !dp_memif_region_fd_ok(-1, 0), "fd -1 accepted");
	CHECK("region_fd_ok", dp_memif_region_fd_ok(g.memfd, REGION_SIZE), "guest memfd refused");
	close(efd);
	close(pfd);
	close(tfd);
	close(ufd);
	close(sfd);
	guest_close(&g);
}

int
main(void)
{
	int fds_before = count_fds(), fds_after;
	size_t n_cases = sizeof(cases) / sizeof(cases[0]);

	test_happy_path();
	for (size_t i = 0; i < n_cases; i++)
		run_case(&cases[i]);
	test_names();
	test_reasons();
	test_hello();
	test_fd_predicates();
	fds_after = count_fds();
	CHECK("fd leak", fds_before == fds_after, "%d fds open before, %d after",
	      fds_before, fds_after);
	printf("memif_hs: %zu handshake cases, %zu name cases, %u reasons: %d failure(s)\n",
	       n_cases, sizeof(name_cases) / sizeof(name_cases[0]),
	       (unsigned int)DP_MEMIF_R_COUNT, failures);
	return failures == 0 ? 0 : 1;
}
