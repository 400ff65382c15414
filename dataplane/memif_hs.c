/* SPDX-License-Identifier: BSD-3-Clause */
/* The memif server handshake: validate each control message, then keep it. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memif_hs.h"

static const char *const reason_str[] = {
#define DP_MEMIF_R_STR(name, code, cls, str) [DP_MEMIF_R_##name] = str,
	DP_MEMIF_REASONS(DP_MEMIF_R_STR)
#undef DP_MEMIF_R_STR
};

static const char *const reason_name[] = {
#define DP_MEMIF_R_NAME(name, code, cls, str) [DP_MEMIF_R_##name] = #name,
	DP_MEMIF_REASONS(DP_MEMIF_R_NAME)
#undef DP_MEMIF_R_NAME
};

const char *
dp_memif_reason_str(unsigned int reason)
{
	return reason < DP_MEMIF_R_COUNT ? reason_str[reason] : "unknown reason";
}

const char *
dp_memif_reason_name(unsigned int reason)
{
	return reason < DP_MEMIF_R_COUNT ? reason_name[reason] : "UNKNOWN";
}

void
dp_memif_hs_init(struct dp_memif_hs *hs)
{
	memset(hs, 0, sizeof(*hs));
	for (unsigned int i = 0; i < DP_MEMIF_MAX_REGIONS; i++)
		hs->regions[i].fd = -1;
	for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++)
		hs->rings[d].fd = -1;
}

void
dp_memif_hs_reset(struct dp_memif_hs *hs)
{
	for (unsigned int i = 0; i < hs->n_regions; i++) {
		struct dp_memif_hs_region *r = &hs->regions[i];

		if (r->addr != NULL)
			munmap(r->addr, r->size);
		if (r->fd >= 0)
			close(r->fd);
	}
	for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++)
		if (hs->rings[d].fd >= 0)
			close(hs->rings[d].fd);
	dp_memif_hs_init(hs);
}

/* Copy a fixed-size name field that may lack a NUL; make it printable. */
static void
copy_name(char *dst, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len && src[i] != '\0'; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[i] = '\0';
}

void
dp_memif_hs_hello(const struct dp_memif_limits *lim, const char *name,
		  struct memif_msg *out)
{
	struct memif_msg_hello *h = &out->hello;

	memset(out, 0, sizeof(*out));
	out->type = MEMIF_MSG_TYPE_HELLO;
	snprintf((char *)h->name, sizeof(h->name), "%s", name);
	h->min_version = MEMIF_VERSION;
	h->max_version = MEMIF_VERSION;
	h->max_region = lim->max_regions - 1;
	h->max_c2s_ring = DP_MEMIF_MAX_RINGS - 1;
	h->max_s2c_ring = DP_MEMIF_MAX_RINGS - 1;
	h->max_log2_ring_size = lim->max_log2_ring;
}

void
dp_memif_hs_disconnect(enum dp_memif_reason reason, struct memif_msg *out)
{
	memset(out, 0, sizeof(*out));
	out->type = MEMIF_MSG_TYPE_DISCONNECT;
	out->disconnect.code = reason;
	snprintf((char *)out->disconnect.string, sizeof(out->disconnect.string),
		 "%s", dp_memif_reason_str(reason));
}

/* Constant-time: the secret check must not leak how many bytes matched. */
static bool
secret_ok(const struct dp_memif_limits *lim, const uint8_t *given)
{
	uint8_t norm[MEMIF_SECRET_LEN] = { 0 };
	uint8_t diff = 0, any = 0;
	size_t i;

	for (i = 0; i < MEMIF_SECRET_LEN; i++)
		any |= lim->secret[i];
	if (any == 0)
		return true;
	for (i = 0; i < MEMIF_SECRET_LEN && given[i] != '\0'; i++)
		norm[i] = given[i];
	for (i = 0; i < MEMIF_SECRET_LEN; i++)
		diff |= norm[i] ^ lim->secret[i];
	return diff == 0;
}

static enum dp_memif_reason
handle_init(struct dp_memif_hs *hs, const struct dp_memif_limits *lim,
	    const struct memif_msg_init *m)
{
	if (hs->state != DP_MEMIF_HS_AWAIT_INIT)
		return DP_MEMIF_R_MSG_ORDER;
	if (m->version != MEMIF_VERSION)
		return DP_MEMIF_R_VERSION;
	if (m->id != lim->interface_id)
		return DP_MEMIF_R_ID;
	if (m->mode != MEMIF_INTERFACE_MODE_ETHERNET)
		return DP_MEMIF_R_MODE;
	if (!secret_ok(lim, m->secret))
		return DP_MEMIF_R_SECRET;
	copy_name(hs->peer_name, m->name, sizeof(m->name));
	hs->state = DP_MEMIF_HS_SETUP;
	return DP_MEMIF_R_NONE;
}

bool
dp_memif_region_fd_ok(int fd, uint64_t size)
{
	struct stat st;
	int seals;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (st.st_size < 0 || (uint64_t)st.st_size < size)
		return false;
	/* Unsealed, the guest could ftruncate the file under our mapping and
	 * make the next access SIGBUS the whole dataplane. */
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & F_SEAL_SHRINK) != 0;
}

static enum dp_memif_reason
handle_add_region(struct dp_memif_hs *hs, const struct dp_memif_limits *lim,
		  const struct memif_msg_add_region *m, int fd)
{
	struct dp_memif_hs_region *r;
	void *addr;

	if (hs->state != DP_MEMIF_HS_SETUP)
		return DP_MEMIF_R_MSG_ORDER;
	if (fd < 0)
		return DP_MEMIF_R_FD_MISSING;
	if (m->index != hs->n_regions || m->index >= lim->max_regions)
		return DP_MEMIF_R_REGION_INDEX;
	if (m->size == 0 || m->size > lim->max_region_size)
		return DP_MEMIF_R_REGION_SIZE;
	if (!dp_memif_region_fd_ok(fd, m->size))
		return DP_MEMIF_R_REGION_FD;
	addr = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED)
		return DP_MEMIF_R_REGION_MAP;
	r = &hs->regions[hs->n_regions++];
	r->addr = addr;
	r->size = m->size;
	r->fd = fd;
	return DP_MEMIF_R_NONE;
}

bool
dp_memif_eventfd_ok(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

static bool
ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static enum dp_memif_reason
check_ring_place(const struct dp_memif_hs *hs, const struct memif_msg_add_ring *m,
		 enum dp_memif_dir dir)
{
	const struct dp_memif_hs_ring *other = &hs->rings[!dir];
	uint64_t bytes = memif_ring_bytes(m->log2_ring_size);

	if (m->region >= hs->n_regions)
		return DP_MEMIF_R_RING_REGION;
	if (m->offset % MEMIF_CACHELINE_SIZE != 0)
		return DP_MEMIF_R_RING_ALIGN;
	if ((uint64_t)m->offset + bytes > hs->regions[m->region].size)
		return DP_MEMIF_R_RING_BOUNDS;
	if (other->present && other->region == m->region &&
	    ranges_overlap(m->offset, bytes, other->offset,
			   memif_ring_bytes(other->log2_size)))
		return DP_MEMIF_R_RING_OVERLAP;
	return DP_MEMIF_R_NONE;
}

static enum dp_memif_reason
handle_add_ring(struct dp_memif_hs *hs, const struct dp_memif_limits *lim,
		const struct memif_msg_add_ring *m, int fd)
{
	enum dp_memif_dir dir = (m->flags & MEMIF_MSG_ADD_RING_FLAG_C2S) ?
		DP_MEMIF_C2S : DP_MEMIF_S2C;
	struct dp_memif_hs_ring *r = &hs->rings[dir];
	enum dp_memif_reason why;

	if (hs->state != DP_MEMIF_HS_SETUP)
		return DP_MEMIF_R_MSG_ORDER;
	if (fd < 0)
		return DP_MEMIF_R_FD_MISSING;
	if (m->index >= DP_MEMIF_MAX_RINGS || r->present)
		return DP_MEMIF_R_RING_INDEX;
	if (m->log2_ring_size < DP_MEMIF_MIN_LOG2_RING ||
	    m->log2_ring_size > lim->max_log2_ring)
		return DP_MEMIF_R_RING_SIZE;
	if (m->private_hdr_size != 0)
		return DP_MEMIF_R_RING_PRIVATE;
	why = check_ring_place(hs, m, dir);
	if (why != DP_MEMIF_R_NONE)
		return why;
	if (!dp_memif_eventfd_ok(fd))
		return DP_MEMIF_R_RING_FD;
	/* The I/O lcore signals this fd; it must never block there. */
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return DP_MEMIF_R_RING_FD;
	r->present = true;
	r->region = m->region;
	r->offset = m->offset;
	r->log2_size = m->log2_ring_size;
	r->fd = fd;
	return DP_MEMIF_R_NONE;
}

static struct memif_ring *
ring_at(const struct dp_memif_hs *hs, enum dp_memif_dir dir)
{
	const struct dp_memif_hs_ring *r = &hs->rings[dir];

	return (struct memif_ring *)(hs->regions[r->region].addr + r->offset);
}

static enum dp_memif_reason
handle_connect(struct dp_memif_hs *hs, const struct memif_msg_connect *m)
{
	if (hs->state != DP_MEMIF_HS_SETUP)
		return DP_MEMIF_R_MSG_ORDER;
	if (!hs->rings[DP_MEMIF_C2S].present || !hs->rings[DP_MEMIF_S2C].present)
		return DP_MEMIF_R_RING_MISSING;
	for (unsigned int d = 0; d < DP_MEMIF_NDIR; d++)
		if (__atomic_load_n(&ring_at(hs, d)->cookie, __ATOMIC_RELAXED) !=
		    MEMIF_COOKIE)
			return DP_MEMIF_R_RING_COOKIE;
	copy_name(hs->if_name, m->if_name, sizeof(m->if_name));
	hs->state = DP_MEMIF_HS_CONNECTED;
	return DP_MEMIF_R_NONE;
}

/* Messages that may carry an fd; any other fd is refused (and closed). */
static bool
takes_fd(uint16_t type)
{
	return type == MEMIF_MSG_TYPE_ADD_REGION || type == MEMIF_MSG_TYPE_ADD_RING;
}

static enum dp_memif_reason
dispatch(struct dp_memif_hs *hs, const struct dp_memif_limits *lim,
	 const struct memif_msg *msg, int fd, struct memif_msg *reply)
{
	reply->type = MEMIF_MSG_TYPE_ACK;
	switch (msg->type) {
	case MEMIF_MSG_TYPE_INIT:
		return handle_init(hs, lim, &msg->init);
	case MEMIF_MSG_TYPE_ADD_REGION:
		return handle_add_region(hs, lim, &msg->add_region, fd);
	case MEMIF_MSG_TYPE_ADD_RING:
		return handle_add_ring(hs, lim, &msg->add_ring, fd);
	case MEMIF_MSG_TYPE_CONNECT:
		reply->type = MEMIF_MSG_TYPE_CONNECTED;
		return handle_connect(hs, &msg->connect);
	case MEMIF_MSG_TYPE_DISCONNECT:
		reply->type = MEMIF_MSG_TYPE_NONE;
		return DP_MEMIF_R_PEER;
	case MEMIF_MSG_TYPE_ACK:
	case MEMIF_MSG_TYPE_HELLO:
	case MEMIF_MSG_TYPE_CONNECTED:
		return DP_MEMIF_R_MSG_ORDER;
	default:
		return DP_MEMIF_R_MSG_TYPE;
	}
}

enum dp_memif_reason
dp_memif_hs_handle(struct dp_memif_hs *hs, const struct dp_memif_limits *lim,
		   const struct memif_msg *msg, int fd, struct memif_msg *reply)
{
	enum dp_memif_reason why;

	memset(reply, 0, sizeof(*reply));
	if (fd >= 0 && !takes_fd(msg->type)) {
		close(fd);
		return DP_MEMIF_R_FD_EXTRA;
	}
	why = dispatch(hs, lim, msg, fd, reply);
	/* Handlers keep an fd only on success; a refused one is closed here. */
	if (why != DP_MEMIF_R_NONE) {
		if (fd >= 0)
			close(fd);
		reply->type = MEMIF_MSG_TYPE_NONE;
	}
	return why;
}
