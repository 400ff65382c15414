/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the memif control-message parser, dp_memif_hs_handle(),
 * over whole sequences of messages with real fds.
 *
 * Input: two bytes of limits, then records of one fd-kind byte and one
 * 128-byte message. A refused message ends the client as the server does
 * (dp_memif_hs_reset()) and the next record starts a new one. The fds are
 * dups of a few prepared files (memfds of several kinds, an eventfd, a
 * pipe), so every path of the fd checks is reachable without making a file
 * per input.
 *
 * Checked after every message, beyond what the sanitizers see: the state the
 * handshake keeps is consistent (regions mapped and within the limits, rings
 * inside their regions, aligned, not overlapping, CONNECTED only with both
 * rings and their cookies), every byte it says it mapped is readable, the
 * reply matches the verdict, and at the end no fd is leaked or closed twice.
 */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "memif_hs.h"

#define BIG_SIZE (1u << 20)
#define SMALL_SIZE 4096u

enum fd_kind {
	FD_NONE,
	FD_MEMFD_BIG,		/* sealed, 1 MiB, a ring cookie every 64 bytes */
	FD_MEMFD_SMALL,		/* sealed, 4 KiB, cookies */
	FD_EVENTFD,
	FD_MEMFD_UNSEALED,	/* 1 MiB, no seals */
	FD_PIPE,		/* not a regular file */
	FD_MEMFD_WSEALED,	/* sealed against shrinking and writing */
	FD_MEMFD_ZERO,		/* sealed, 1 MiB, no cookies */
	FD_KINDS
};

static int proto_fd[FD_KINDS] = { -1 };
static int devnull = -1;

static int
make_memfd(uint32_t size, unsigned int seals, int cookies)
{
	int fd = memfd_create("fuzz_region", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	uint32_t *p;

	if (fd < 0 || ftruncate(fd, size) < 0)
		abort();
	if (cookies) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			abort();
		for (uint32_t off = 0; off < size; off += MEMIF_CACHELINE_SIZE)
			p[off / sizeof(*p)] = MEMIF_COOKIE;
		munmap(p, size);
	}
	if (seals != 0 && fcntl(fd, F_ADD_SEALS, seals) < 0)
		abort();
	return fd;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int pfd[2];

	(void)argc;
	(void)argv;
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(pfd, O_CLOEXEC) < 0)
		abort();
	close(pfd[1]);
	proto_fd[FD_NONE] = -1;
	proto_fd[FD_MEMFD_BIG] = make_memfd(BIG_SIZE, F_SEAL_SHRINK, 1);
	proto_fd[FD_MEMFD_SMALL] = make_memfd(SMALL_SIZE, F_SEAL_SHRINK, 1);
	proto_fd[FD_EVENTFD] = eventfd(0, EFD_CLOEXEC);
	proto_fd[FD_MEMFD_UNSEALED] = make_memfd(BIG_SIZE, 0, 1);
	proto_fd[FD_PIPE] = pfd[0];
	proto_fd[FD_MEMFD_WSEALED] = make_memfd(BIG_SIZE,
						F_SEAL_SHRINK | F_SEAL_WRITE, 1);
	proto_fd[FD_MEMFD_ZERO] = make_memfd(BIG_SIZE, F_SEAL_SHRINK, 0);
	if (proto_fd[FD_EVENTFD] < 0)
		abort();
	return 0;
}

static int
fd_for(uint8_t kind)
{
	int fd;

	kind %= FD_KINDS;
	if (proto_fd[kind] < 0)
		return -1;
	fd = fcntl(proto_fd[kind], F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		abort();
	return fd;
}

static int
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Every byte of a region the handshake mapped must be readable. */
static void
touch(const volatile uint8_t *p, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += 4096)
		(void)p[off];
	if (len > 0)
		(void)p[len - 1];
}

static void
check_state(const struct dp_memif_hs *hs, const struct dp_memif_limits *lim)
{
	FUZZ_CHECK(hs->n_regions <= lim->max_regions, "%u regions", hs->n_regions);
	FUZZ_CHECK(hs->state == DP_MEMIF_HS_AWAIT_INIT || hs->state == DP_MEMIF_HS_SETUP ||
		   hs->state == DP_MEMIF_HS_CONNECTED, "state %d", hs->state);
	if (hs->state == DP_MEMIF_HS_AWAIT_INIT)
		FUZZ_CHECK(hs->n_regions == 0 && !hs->rings[0].present &&
			   !hs->rings[1].present, "setup before INIT");
	for (unsigned int i = 0; i < hs->n_regions; i++) {
		const struct dp_memif_hs_region *r = &hs->regions[i];

		FUZZ_CHECK(r->addr != NULL && r->size > 0 &&
			   r->size <= lim->max_region_size, "region %u size %lu",
			   i, (unsigned long)r->size);
		FUZZ_CHECK(fd_open(r->fd), "region %u fd %d not open", i, r->fd);
		touch(r->addr, r->size);
	}
	for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++) {
		const struct dp_memif_hs_ring *r = &hs->rings[d];
		uint64_t bytes = memif_ring_bytes(r->log2_size);

		if (!r->present)
			continue;
		FUZZ_CHECK(r->region < hs->n_regions, "ring %u region %u", d, r->region);
		FUZZ_CHECK(r->log2_size >= DP_MEMIF_MIN_LOG2_RING &&
			   r->log2_size <= lim->max_log2_ring, "ring %u log2 %u", d,
			   r->log2_size);
		FUZZ_CHECK(r->offset % MEMIF_CACHELINE_SIZE == 0, "ring %u offset %u",
			   d, r->offset);
		FUZZ_CHECK((uint64_t)r->offset + bytes <= hs->regions[r->region].size,
			   "ring %u past its region", d);
		FUZZ_CHECK(fd_open(r->fd), "ring %u fd %d not open", d, r->fd);
		touch(hs->regions[r->region].addr + r->offset, bytes);
	}
	if (hs->rings[0].present && hs->rings[1].present &&
	    hs->rings[0].region == hs->rings[1].region) {
		uint64_t a = hs->rings[0].offset, b = hs->rings[1].offset;

		FUZZ_CHECK(a + memif_ring_bytes(hs->rings[0].log2_size) <= b ||
			   b + memif_ring_bytes(hs->rings[1].log2_size) <= a,
			   "rings overlap");
	}
	if (hs->state == DP_MEMIF_HS_CONNECTED)
		for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++) {
			const struct dp_memif_hs_ring *r = &hs->rings[d];
			const struct memif_ring *ring = (const void *)
				(hs->regions[r->region].addr + r->offset);

			FUZZ_CHECK(r->present && ring->cookie == MEMIF_COOKIE,
				   "connected without ring %u", d);
		}
	FUZZ_CHECK(strlen(hs->peer_name) <= MEMIF_NAME_LEN &&
		   strlen(hs->if_name) <= MEMIF_NAME_LEN, "names unbounded");
	for (const char *c = hs->peer_name; *c; c++)
		FUZZ_CHECK(*c >= 0x20 && *c < 0x7f, "unprintable peer name");
	for (const char *c = hs->if_name; *c; c++)
		FUZZ_CHECK(*c >= 0x20 && *c < 0x7f, "unprintable interface name");
}

static void
check_reply(uint16_t type, enum dp_memif_reason why, const struct memif_msg *reply)
{
	if (why != DP_MEMIF_R_NONE) {
		FUZZ_CHECK(reply->type == MEMIF_MSG_TYPE_NONE, "reply %u on refusal",
			   reply->type);
		FUZZ_CHECK(why < DP_MEMIF_R_COUNT, "reason %u", why);
		return;
	}
	FUZZ_CHECK(type >= MEMIF_MSG_TYPE_INIT && type <= MEMIF_MSG_TYPE_CONNECT,
		   "message type %u accepted", type);
	FUZZ_CHECK(reply->type == (type == MEMIF_MSG_TYPE_CONNECT ?
				   MEMIF_MSG_TYPE_CONNECTED : MEMIF_MSG_TYPE_ACK),
		   "reply %u to %u", reply->type, type);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct dp_memif_limits lim = { 0 };
	struct dp_memif_hs hs;
	struct memif_msg msg, reply, disc;
	uint8_t b0 = fuzz_u8(&in), b1 = fuzz_u8(&in);
	int lowest;

	/* The lowest free fd: after the run it must be free again. */
	lowest = fcntl(devnull, F_DUPFD_CLOEXEC, 0);
	close(lowest);

	lim.max_regions = 1 + (b0 & 7);
	if (b0 & 8)
		memcpy(lim.secret, "fuzz-secret", 11);
	lim.max_log2_ring = 1 + b1 % DP_MEMIF_MAX_LOG2_RING;
	lim.max_region_size = BIG_SIZE;
	dp_memif_hs_init(&hs);
	dp_memif_hs_hello(&lim, "hostlane-fuzz", &reply);

	while (in.n > 0) {
		enum dp_memif_reason why;
		int fd = fd_for(fuzz_u8(&in));

		fuzz_take(&in, &msg, sizeof(msg));
		why = dp_memif_hs_handle(&hs, &lim, &msg, fd, &reply);
		check_reply(msg.type, why, &reply);
		if (why != DP_MEMIF_R_NONE) {
			dp_memif_hs_disconnect(why, &disc);
			FUZZ_CHECK(memchr(disc.disconnect.string, '\0',
					  sizeof(disc.disconnect.string)) != NULL,
				   "reason string unterminated");
			dp_memif_hs_reset(&hs);
		}
		check_state(&hs, &lim);
	}
	dp_memif_hs_reset(&hs);

	for (unsigned int k = 0; k < FD_KINDS; k++)
		FUZZ_CHECK(proto_fd[k] < 0 || fd_open(proto_fd[k]),
			   "the handshake closed fd %d it did not own", proto_fd[k]);
	{
		int now = fcntl(devnull, F_DUPFD_CLOEXEC, 0);

		close(now);
		FUZZ_CHECK(now == lowest, "fd %d leaked", lowest);
	}
	return 0;
}
