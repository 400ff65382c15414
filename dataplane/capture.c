/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet capture: fast-path copies, the pcapng writer thread, start and stop. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app.h"
#include "capture.h"
#include "capture_q.h"
#include "defer.h"
#include "guest.h"
#include "log.h"
#include "paths.h"
#include "port.h"

#define CAP_POOL 2047			/* copies in flight: ring + writer + caches */
#define CAP_POOL_CACHE 32
#define CAP_WRITE_BURST 32
#define CAP_IDLE_NS 200000		/* writer's sleep when the ring is empty */
#define CAP_FILE_MODE 0600
#define CAP_FILE_BUF (1u << 16)

/* pcapng block types and option codes used here. */
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_ISB 0x00000005u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BOM 0x1A2B3C4Du
#define OPT_END 0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_TSRESOL 9
#define OPT_IF_FILTER 11
#define OPT_EPB_FLAGS 2
#define OPT_ISB_STARTTIME 2
#define OPT_ISB_ENDTIME 3
#define OPT_ISB_IFRECV 4
#define OPT_ISB_IFDROP 5
#define LINKTYPE_ETHERNET 1
#define TSRESOL_NS 9

/* Why a capture ends. */
#define CAP_END_LIST(X) \
	X(NONE, "") \
	X(COUNT, "count reached") \
	X(WRITE, "write error")

enum cap_end {
#define CAP_END_ENUM_(sym, text) CAP_END_##sym,
	CAP_END_LIST(CAP_END_ENUM_)
#undef CAP_END_ENUM_
};

static const char *const end_text[] = {
#define CAP_END_TEXT_(sym, text) text,
	CAP_END_LIST(CAP_END_TEXT_)
#undef CAP_END_TEXT_
};

struct dp_cap {
	struct dp_cap_q q;		/* the producing I/O lcore's */
	/* The writer's: counters (read by the main lcore, relaxed), its end. */
	struct {
		uint64_t written;
		uint64_t filtered;
		uint32_t ended;		/* enum cap_end; release */
		int err;		/* errno of a failed write */
		uint32_t done;		/* file closed; release */
	} w __rte_cache_aligned;
	/* Set by the main lcore (release) once no copy can come any more. */
	uint32_t quiesced __rte_cache_aligned;
	/* Main lcore; constant for the writer once it runs. */
	struct dp_cap **slot;		/* where it is published; NULL once not */
	struct dp_defer defer;
	pthread_t tid;
	uint8_t stopping;
	const char *why;
	char target[DP_NAME_MAX + 8];
	char path[PATH_MAX];
	char filter[DP_CAP_FILTER_MAX + 1];
	uint32_t snaplen;
	uint64_t count;
	struct bpf_program prog;
	bool has_prog;
	FILE *f;			/* the writer's */
	uint64_t tsc0, ns0, hz;		/* TSC to wall-clock time */
	uint8_t buf[DP_CAP_SNAPLEN_MAX]; /* the writer's: one frame, linear */
};

static struct dp_cap *caps[DP_CAP_MAX];	/* main lcore */
static unsigned int seq;		/* unique ring and pool names */

/* ---- fast path (the producing I/O lcore) ---------------------------------- */

static inline struct rte_mbuf *
copy_one(struct dp_cap_q *q, const struct rte_mbuf *m, uint8_t dir, uint64_t tsc)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, q->mp, 0, q->snaplen);
	struct dp_cap_meta *meta;

	if (unlikely(c == NULL))
		return NULL;
	meta = rte_mbuf_to_priv(c);
	meta->tsc = tsc;
	meta->orig_len = m->pkt_len;
	meta->dir = dir;
	return c;
}

void
dp_cap_q_copy(struct dp_cap_q *q, struct rte_mbuf *const *pkts, uint16_t n,
	      uint8_t dir, uint64_t tsc, struct rte_mbuf **copies)
{
	for (uint16_t i = 0; i < n; i++)
		copies[i] = copy_one(q, pkts[i], dir, tsc);
}

void
dp_cap_q_commit(struct dp_cap_q *q, struct rte_mbuf **copies, uint16_t sent,
		uint16_t n)
{
	struct rte_mbuf *ok[DP_CAP_BURST];
	unsigned int k = 0, enq;

	for (uint16_t i = 0; i < sent; i++)
		if (copies[i] != NULL)
			ok[k++] = copies[i];
	enq = rte_ring_sp_enqueue_burst(q->ring, (void **)ok, k, NULL);
	q->copied += enq;
	/* Copies not made (pool empty) and not queued (ring full). */
	q->dropped += sent - enq;
	for (unsigned int i = enq; i < k; i++)
		rte_pktmbuf_free(ok[i]);
	/* Frames the channel refused were not sent: not captured either. */
	for (uint16_t i = sent; i < n; i++)
		rte_pktmbuf_free(copies[i]);
}

void
dp_cap_rx(struct dp_cap *c, struct rte_mbuf *const *pkts, uint16_t n)
{
	struct rte_mbuf *copies[DP_CAP_BURST];
	uint64_t tsc = rte_rdtsc();

	while (n > 0) {
		uint16_t k = RTE_MIN(n, (uint16_t)DP_CAP_BURST);

		dp_cap_q_copy(&c->q, pkts, k, DP_CAP_IN, tsc, copies);
		dp_cap_q_commit(&c->q, copies, k, k);
		pkts += k;
		n -= k;
	}
}

/* Copies before the send (the channel frees what it takes), queued after,
 * for the frames it took: the first k. Callers send at most a burst; a
 * longer send has the rest of its copies counted as dropped. */
uint16_t
dp_cap_guest_tx(struct dp_cap *c, struct dp_guest *g, struct rte_mbuf **pkts,
		uint16_t n)
{
	struct rte_mbuf *copies[DP_CAP_BURST];
	uint16_t nc = RTE_MIN(n, (uint16_t)DP_CAP_BURST), k;

	dp_cap_q_copy(&c->q, pkts, nc, DP_CAP_OUT, rte_rdtsc(), copies);
	c->q.dropped += n - nc;
	k = dp_guest_tx_chan(g, pkts, n);
	dp_cap_q_commit(&c->q, copies, RTE_MIN(k, nc), nc);
	return k;
}

uint16_t
dp_cap_port_tx(struct dp_cap *c, struct dp_port *p, struct rte_mbuf **pkts,
	       uint16_t n)
{
	struct rte_mbuf *copies[DP_CAP_BURST];
	uint16_t nc = RTE_MIN(n, (uint16_t)DP_CAP_BURST), k;

	dp_cap_q_copy(&c->q, pkts, nc, DP_CAP_OUT, rte_rdtsc(), copies);
	c->q.dropped += n - nc;
	k = dp_port_tx_raw(p, pkts, n);
	dp_cap_q_commit(&c->q, copies, RTE_MIN(k, nc), nc);
	return k;
}

/* ---- pcapng (the writer thread) -------------------------------------------- */

/* A block with options, built in memory: header fields, options, lengths. */
struct blk {
	uint8_t b[1024 + 2 * DP_CAP_FILTER_MAX];
	size_t n;
};

static void
blk_put(struct blk *k, const void *p, size_t len)
{
	memcpy(k->b + k->n, p, len);
	k->n += len;
}

static void
blk_u32(struct blk *k, uint32_t v)
{
	blk_put(k, &v, sizeof(v));
}

static void
blk_opt(struct blk *k, uint16_t code, const void *p, uint16_t len)
{
	static const uint8_t zero[4];

	blk_put(k, &code, sizeof(code));
	blk_put(k, &len, sizeof(len));
	if (len > 0) {
		blk_put(k, p, len);
		blk_put(k, zero, (4 - len % 4) % 4);
	}
}

/* Start a block of type t; its total length is set by blk_write(). */
static void
blk_begin(struct blk *k, uint32_t type)
{
	k->n = 0;
	blk_u32(k, type);
	blk_u32(k, 0);
}

static int
blk_write(struct blk *k, FILE *f)
{
	uint32_t total;

	blk_opt(k, OPT_END, NULL, 0);
	total = (uint32_t)k->n + 4;
	memcpy(k->b + 4, &total, sizeof(total));
	blk_u32(k, total);
	return fwrite(k->b, 1, k->n, f) == k->n ? 0 : -1;
}

static void
ts_put(struct blk *k, uint64_t ns)
{
	blk_u32(k, (uint32_t)(ns >> 32));
	blk_u32(k, (uint32_t)ns);
}

static uint64_t
tsc_to_ns(const struct dp_cap *c, uint64_t tsc)
{
	/* An lcore's TSC a hair behind the main lcore's: no time before start. */
	uint64_t d = tsc > c->tsc0 ? tsc - c->tsc0 : 0;

	return c->ns0 + d / c->hz * 1000000000ull + d % c->hz * 1000000000ull / c->hz;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The section header and the one interface. */
static int
write_header(struct dp_cap *c, struct blk *k)
{
	uint16_t major = 1, minor = 0, link = LINKTYPE_ETHERNET, rsv = 0;
	uint64_t section = UINT64_MAX;
	uint8_t res = TSRESOL_NS;
	char filt[DP_CAP_FILTER_MAX + 2];
	size_t fl = strlen(c->filter);

	blk_begin(k, PCAPNG_SHB);
	blk_u32(k, PCAPNG_BOM);
	blk_put(k, &major, sizeof(major));
	blk_put(k, &minor, sizeof(minor));
	blk_put(k, &section, sizeof(section));
	blk_opt(k, OPT_SHB_USERAPPL, "hostlane", 8);
	if (blk_write(k, c->f) < 0)
		return -1;
	blk_begin(k, PCAPNG_IDB);
	blk_put(k, &link, sizeof(link));
	blk_put(k, &rsv, sizeof(rsv));
	blk_u32(k, c->snaplen);
	blk_opt(k, OPT_IF_NAME, c->target, (uint16_t)strlen(c->target));
	blk_opt(k, OPT_IF_TSRESOL, &res, 1);
	if (fl > 0) {
		filt[0] = 0;	/* a libpcap filter string */
		memcpy(filt + 1, c->filter, fl);
		blk_opt(k, OPT_IF_FILTER, filt, (uint16_t)(fl + 1));
	}
	return blk_write(k, c->f);
}

static int
write_epb(struct dp_cap *c, const struct dp_cap_meta *meta, const uint8_t *data,
	  uint32_t caplen)
{
	static const uint8_t zero[4];
	uint32_t pad = (4 - caplen % 4) % 4, flags = meta->dir;
	uint32_t total = 28 + caplen + pad + 12 + 4;
	uint16_t opt[2] = { OPT_EPB_FLAGS, sizeof(flags) };
	uint64_t ns = tsc_to_ns(c, meta->tsc);
	uint32_t hdr[7] = { PCAPNG_EPB, total, 0, (uint32_t)(ns >> 32), (uint32_t)ns,
			    caplen, meta->orig_len };
	uint32_t tail[2] = { OPT_END, total };

	return fwrite(hdr, sizeof(hdr), 1, c->f) == 1 &&
	       fwrite(data, 1, caplen, c->f) == caplen &&
	       fwrite(zero, 1, pad, c->f) == pad &&
	       fwrite(opt, sizeof(opt), 1, c->f) == 1 &&
	       fwrite(&flags, sizeof(flags), 1, c->f) == 1 &&
	       fwrite(tail, sizeof(tail), 1, c->f) == 1 ? 0 : -1;
}

/* The interface's statistics, once no copy can come: exact. */
static int
write_isb(struct dp_cap *c, struct blk *k)
{
	uint64_t end = now_ns(), recv = c->q.copied + c->q.dropped;
	uint32_t se[2] = { (uint32_t)(c->ns0 >> 32), (uint32_t)c->ns0 };
	uint32_t ee[2] = { (uint32_t)(end >> 32), (uint32_t)end };

	blk_begin(k, PCAPNG_ISB);
	blk_u32(k, 0);
	ts_put(k, end);
	blk_opt(k, OPT_ISB_STARTTIME, se, sizeof(se));
	blk_opt(k, OPT_ISB_ENDTIME, ee, sizeof(ee));
	blk_opt(k, OPT_ISB_IFRECV, &recv, sizeof(recv));
	blk_opt(k, OPT_ISB_IFDROP, &c->q.dropped, sizeof(c->q.dropped));
	return blk_write(k, c->f);
}

static void
end_capture(struct dp_cap *c, enum cap_end why, int err)
{
	if (__atomic_load_n(&c->w.ended, __ATOMIC_RELAXED) != CAP_END_NONE)
		return;
	c->w.err = err;
	/* Release: err is set before the main lcore reads ended. */
	__atomic_store_n(&c->w.ended, why, __ATOMIC_RELEASE);
}

/* Filter and write one copy; a capture that ended only frees them. */
static void
write_one(struct dp_cap *c, struct rte_mbuf *m)
{
	const struct dp_cap_meta *meta = rte_mbuf_to_priv(m);
	uint32_t caplen = m->pkt_len;
	const uint8_t *data;
	struct pcap_pkthdr h;

	if (__atomic_load_n(&c->w.ended, __ATOMIC_RELAXED) != CAP_END_NONE)
		return;
	data = rte_pktmbuf_read(m, 0, caplen, c->buf);
	if (data == NULL)
		return;
	if (c->has_prog) {
		memset(&h, 0, sizeof(h));
		h.caplen = caplen;
		h.len = meta->orig_len;
		if (pcap_offline_filter(&c->prog, &h, data) == 0) {
			__atomic_store_n(&c->w.filtered, c->w.filtered + 1,
					 __ATOMIC_RELAXED);
			return;
		}
	}
	if (write_epb(c, meta, data, caplen) < 0) {
		end_capture(c, CAP_END_WRITE, errno);
		return;
	}
	__atomic_store_n(&c->w.written, c->w.written + 1, __ATOMIC_RELAXED);
	if (c->count != 0 && c->w.written >= c->count) {
		end_capture(c, CAP_END_COUNT, 0);
		fflush(c->f);
	}
}

/* Drain the ring; @return how many copies were taken. */
static unsigned int
drain(struct dp_cap *c)
{
	struct rte_mbuf *ms[CAP_WRITE_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(c->q.ring, (void **)ms,
						   CAP_WRITE_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		write_one(c, ms[i]);
		rte_pktmbuf_free(ms[i]);
	}
	return n;
}

static void
writer_idle(struct dp_cap *c)
{
	const struct timespec idle = { .tv_nsec = CAP_IDLE_NS };

	/* What was written so far is in the file, for readers and at a crash. */
	if (__atomic_load_n(&c->w.ended, __ATOMIC_RELAXED) == CAP_END_NONE &&
	    fflush(c->f) != 0)
		end_capture(c, CAP_END_WRITE, errno);
	nanosleep(&idle, NULL);
}

static void *
writer_main(void *arg)
{
	struct dp_cap *c = arg;
	struct blk k;

	if (write_header(c, &k) < 0)
		end_capture(c, CAP_END_WRITE, errno);
	for (;;) {
		/* Acquire before the dequeue: once quiesced is seen, every
		 * copy the lcore made is in the ring. */
		bool last = __atomic_load_n(&c->quiesced, __ATOMIC_ACQUIRE) != 0;

		if (drain(c) > 0)
			continue;
		if (last)
			break;
		writer_idle(c);
	}
	if (__atomic_load_n(&c->w.ended, __ATOMIC_RELAXED) != CAP_END_WRITE &&
	    write_isb(c, &k) < 0)
		end_capture(c, CAP_END_WRITE, errno);
	if (fclose(c->f) != 0)
		end_capture(c, CAP_END_WRITE, errno);
	c->f = NULL;
	__atomic_store_n(&c->w.done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ---- start (main lcore) ------------------------------------------------------ */

/* Which file of hostlane's canon is, or NULL (compared by canonical path). */
static const char *
owned_file(const struct dp_config *cfg, const char *canon, char *buf, size_t cap)
{
	size_t m = strlen(cfg->metrics_canon);

	if (strcmp(canon, cfg->control_canon) == 0)
		return "hostlane's control socket";
	if (m > 0 && strncmp(canon, cfg->metrics_canon, m) == 0 &&
	    (canon[m] == '\0' || strcmp(canon + m, ".tmp") == 0))
		return "hostlane's metrics file";
	for (unsigned int i = 0; i < cfg->n_guests; i++) {
		const struct dp_guest_conf *g = &cfg->guests[i];

		if (g->name[0] != '\0' && g->channel != DP_CHAN_ETHDEV &&
		    strcmp(g->socket_canon, canon) == 0) {
			snprintf(buf, cap, "guest %s's socket", g->name);
			return buf;
		}
	}
	return NULL;
}

/* Is the open directory dfd hostlane's runtime directory? By inode, so a
 * symlink swapped in after the path was checked does not get past. */
static bool
is_runtime_dir(int dfd, const struct dp_config *cfg)
{
	struct stat a, b;

	return fstat(dfd, &a) == 0 && stat(cfg->runtime_dir, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Create the capture file: O_EXCL|O_NOFOLLOW in a checked directory.
 * @return the fd, or -errno with err filled. */
static int
open_file(const char *path, const struct dp_config *cfg, char *err, size_t errlen)
{
	char canon[PATH_MAX], dir[PATH_MAX], why[DP_ERR_MAX], buf[DP_NAME_MAX + 16];
	const char *name, *owner;
	int rc, dfd, fd;

	if (path[0] != '/')
		return dp_errf(err, errlen, -EINVAL, "capture file '%.256s': not an "
			       "absolute path", path);
	rc = dp_path_canon(path, canon, sizeof(canon));
	if (rc < 0)
		return dp_errf(err, errlen, rc == -ENAMETOOLONG ? rc : -EINVAL,
			       "capture file '%.256s': %s", path, rc == -EINVAL ?
			       "does not name a file" : strerror(-rc));
	owner = owned_file(cfg, canon, buf, sizeof(buf));
	if (owner != NULL)
		return dp_errf(err, errlen, -EPERM, "capture file '%.256s' is %s; refused",
			       path, owner);
	name = dp_path_split(canon, dir, sizeof(dir));
	if (name == NULL)
		return dp_errf(err, errlen, -EINVAL, "capture file '%.256s': not a file "
			       "name", path);
	dfd = dp_path_dir_open(dir, why, sizeof(why));
	if (dfd < 0)
		return dp_errf(err, errlen, dfd, "capture file '%.256s': %s", path, why);
	if (is_runtime_dir(dfd, cfg)) {
		close(dfd);
		return dp_errf(err, errlen, -EPERM, "capture file '%.256s': in hostlane's "
			       "runtime directory %s; refused", path, cfg->runtime_dir);
	}
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    CAP_FILE_MODE);
	rc = -errno;
	close(dfd);
	if (fd < 0)
		return dp_errf(err, errlen, rc, "capture file '%.256s': %s%s", path,
			       strerror(-rc), rc == -EEXIST ? " (hostlane never "
			       "overwrites a file: remove it or name another)" : "");
	return fd;
}

/* Printable ASCII only: it goes into log lines, replies and the file. */
static int
filter_compile(struct dp_cap *c, const char *expr, char *err, size_t errlen)
{
	pcap_t *p;
	int rc = 0;

	if (expr == NULL || expr[0] == '\0')
		return 0;
	if (strlen(expr) > DP_CAP_FILTER_MAX)
		return dp_errf(err, errlen, -EINVAL, "filter: longer than %d bytes",
			       DP_CAP_FILTER_MAX);
	for (const char *s = expr; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return dp_errf(err, errlen, -EINVAL, "filter: only printable "
				       "ASCII characters");
	p = pcap_open_dead(DLT_EN10MB, (int)c->snaplen);
	if (p == NULL)
		return dp_errf(err, errlen, -ENOMEM, "filter: out of memory");
	if (pcap_compile(p, &c->prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
		rc = dp_errf(err, errlen, -EINVAL, "filter '%.256s': %s", expr,
			     pcap_geterr(p));
	pcap_close(p);
	if (rc == 0) {
		c->has_prog = true;
		snprintf(c->filter, sizeof(c->filter), "%s", expr);
	}
	return rc;
}

static void
cap_free(struct dp_cap *c)
{
	if (c == NULL)
		return;
	if (c->f != NULL)
		fclose(c->f);
	if (c->has_prog)
		pcap_freecode(&c->prog);
	rte_ring_free(c->q.ring);
	rte_mempool_free(c->q.mp);
	rte_free(c);
}

/* The ring and the pool, on the producing lcore's socket. */
static int
queues_create(struct dp_cap *c, unsigned int socket, char *err, size_t errlen)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int id = seq++;
	uint16_t priv = RTE_ALIGN(sizeof(struct dp_cap_meta), RTE_MBUF_PRIV_ALIGN);

	snprintf(name, sizeof(name), "hl_cap_r%u", id);
	c->q.ring = rte_ring_create(name, DP_CAP_RING, (int)socket,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "hl_cap_p%u", id);
	c->q.mp = rte_pktmbuf_pool_create(name, CAP_POOL, CAP_POOL_CACHE, priv,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)socket);
	if (c->q.ring == NULL || c->q.mp == NULL)
		return dp_errf(err, errlen, -ENOMEM, "capture %s: cannot create its ring "
			       "and pool: %s", c->target, rte_strerror(rte_errno));
	return 0;
}

static int
free_index(void)
{
	for (int i = 0; i < DP_CAP_MAX; i++)
		if (caps[i] == NULL)
			return i;
	return -1;
}

/* Everything but the file and the thread. */
static struct dp_cap *
cap_new(const struct dp_cap_conf *conf, char *err, size_t errlen, int *rc)
{
	struct dp_cap *c = rte_zmalloc_socket("hl_cap", sizeof(*c), RTE_CACHE_LINE_SIZE,
					      (int)conf->socket);

	if (c == NULL) {
		*rc = dp_errf(err, errlen, -ENOMEM, "capture %s: out of memory", conf->target);
		return NULL;
	}
	snprintf(c->target, sizeof(c->target), "%s", conf->target);
	snprintf(c->path, sizeof(c->path), "%s", conf->path);
	c->snaplen = conf->snaplen != 0 ? conf->snaplen : DP_CAP_SNAPLEN_MAX;
	c->q.snaplen = c->snaplen;
	c->count = conf->count;
	c->slot = conf->slot;
	*rc = filter_compile(c, conf->filter, err, errlen);
	if (*rc == 0)
		*rc = queues_create(c, conf->socket, err, errlen);
	if (*rc < 0) {
		cap_free(c);
		return NULL;
	}
	return c;
}

static int
check_conf(const struct dp_cap_conf *conf, char *err, size_t errlen)
{
	if (conf->snaplen != 0 && (conf->snaplen < DP_CAP_SNAPLEN_MIN ||
				   conf->snaplen > DP_CAP_SNAPLEN_MAX))
		return dp_errf(err, errlen, -EINVAL, "snaplen %u: not in %d..%d",
			       conf->snaplen, DP_CAP_SNAPLEN_MIN, DP_CAP_SNAPLEN_MAX);
	if (dp_cap_load(conf->slot) != NULL)
		return dp_errf(err, errlen, -EBUSY, "%s is being captured already "
			       "(capture stop it first)", conf->target);
	if (free_index() < 0)
		return dp_errf(err, errlen, -ENOSPC, "%d captures run already",
			       DP_CAP_MAX);
	return 0;
}

/* The file, the writer thread, then the fast path may see it. */
static int
cap_launch(struct dp_cap *c, int fd, char *err, size_t errlen)
{
	char name[16];
	int rc;

	c->f = fdopen(fd, "w");
	if (c->f == NULL) {
		rc = errno;
		close(fd);
		return dp_errf(err, errlen, -rc, "capture file %s: %s", c->path,
			       strerror(rc));
	}
	setvbuf(c->f, NULL, _IOFBF, CAP_FILE_BUF);
	c->hz = rte_get_tsc_hz();
	c->ns0 = now_ns();
	c->tsc0 = rte_rdtsc();
	snprintf(name, sizeof(name), "hl-cap-%u", seq);
	rc = rte_ctrl_thread_create(&c->tid, name, NULL, writer_main, c);
	if (rc != 0)
		return dp_errf(err, errlen, -rc, "capture %s: cannot start its writer: %s",
			       c->target, strerror(rc));
	return 0;
}

int
dp_cap_start(const struct dp_cap_conf *conf, const struct dp_config *cfg,
	     char *err, size_t errlen)
{
	struct dp_cap *c;
	int rc = check_conf(conf, err, errlen), fd;

	if (rc < 0)
		return rc;
	c = cap_new(conf, err, errlen, &rc);
	if (c == NULL)
		return rc;
	fd = open_file(conf->path, cfg, err, errlen);
	if (fd < 0) {
		cap_free(c);
		return fd;
	}
	/* On failure the empty file stays: removing it by name again could
	 * remove another file put there meanwhile. */
	rc = cap_launch(c, fd, err, errlen);
	if (rc < 0) {
		cap_free(c);
		return rc;
	}
	caps[free_index()] = c;
	/* Release: the ring, pool and snaplen are set before an lcore sees c. */
	__atomic_store_n(conf->slot, c, __ATOMIC_RELEASE);
	DP_LOG(INFO, "capture %s: started to %s (snaplen %u, count %" PRIu64
	       ", filter '%s')", c->target, c->path, c->snaplen, c->count, c->filter);
	return 0;
}

/* ---- stop (main lcore) ---------------------------------------------------------- */

/* After the grace period: no lcore holds c; tell the writer. */
static void
quiesced(struct dp_defer *d)
{
	struct dp_cap *c = container_of(d, struct dp_cap, defer);

	/* Release: pairs with the writer's acquire before its last drain. */
	__atomic_store_n(&c->quiesced, 1, __ATOMIC_RELEASE);
}

static void
unpublish(struct dp_cap *c, const char *why)
{
	__atomic_store_n(c->slot, NULL, __ATOMIC_RELEASE);
	c->slot = NULL;
	c->stopping = 1;
	c->why = why;
	dp_defer(&c->defer, quiesced, "a capture's ring");
}

int
dp_cap_stop(struct dp_cap **slot, const char *why)
{
	for (unsigned int i = 0; i < DP_CAP_MAX; i++)
		if (caps[i] != NULL && !caps[i]->stopping && caps[i]->slot == slot) {
			unpublish(caps[i], why);
			return 0;
		}
	return -ENOENT;
}

void
dp_cap_stop_all(const char *why)
{
	for (unsigned int i = 0; i < DP_CAP_MAX; i++)
		if (caps[i] != NULL && !caps[i]->stopping)
			unpublish(caps[i], why);
}

static void
counters(const struct dp_cap *c, struct dp_cap_counters *out)
{
	out->copied = __atomic_load_n(&c->q.copied, __ATOMIC_RELAXED);
	out->dropped = __atomic_load_n(&c->q.dropped, __ATOMIC_RELAXED);
	out->written = __atomic_load_n(&c->w.written, __ATOMIC_RELAXED);
	out->filtered = __atomic_load_n(&c->w.filtered, __ATOMIC_RELAXED);
}

static const char *
end_why(const struct dp_cap *c)
{
	uint32_t e = __atomic_load_n(&c->w.ended, __ATOMIC_ACQUIRE);

	return e != CAP_END_NONE ? end_text[e] : c->why != NULL ? c->why : "";
}

static void
finish(unsigned int i)
{
	struct dp_cap *c = caps[i];
	struct dp_cap_counters k;

	pthread_join(c->tid, NULL);
	counters(c, &k);
	if (c->w.ended == CAP_END_WRITE)
		DP_LOG(ERR, "capture %s: writing %s failed: %s", c->target, c->path,
		       strerror(c->w.err));
	DP_LOG(INFO, "capture %s: ended (%s): %s: written %" PRIu64 ", dropped %"
	       PRIu64 ", filtered out %" PRIu64, c->target, end_why(c), c->path,
	       k.written, k.dropped, k.filtered);
	cap_free(c);
	caps[i] = NULL;
}

void
dp_cap_tick(void)
{
	for (unsigned int i = 0; i < DP_CAP_MAX; i++) {
		struct dp_cap *c = caps[i];

		if (c == NULL)
			continue;
		if (!c->stopping &&
		    __atomic_load_n(&c->w.ended, __ATOMIC_ACQUIRE) != CAP_END_NONE)
			unpublish(c, end_why(c));
		if (__atomic_load_n(&c->w.done, __ATOMIC_ACQUIRE))
			finish(i);
	}
}

void
dp_cap_fini(void)
{
	for (unsigned int i = 0; i < DP_CAP_MAX; i++)
		if (caps[i] != NULL) {
			/* Shutdown: the lcores are gone, so it is quiesced. */
			__atomic_store_n(&caps[i]->quiesced, 1, __ATOMIC_RELEASE);
			finish(i);
		}
}

/* ---- reports (main lcore) --------------------------------------------------------- */

static void
info(const struct dp_cap *c, struct dp_cap_info *out)
{
	snprintf(out->target, sizeof(out->target), "%s", c->target);
	snprintf(out->path, sizeof(out->path), "%s", c->path);
	snprintf(out->filter, sizeof(out->filter), "%s", c->filter);
	out->state = c->stopping ? "stopping" : "running";
	out->why = end_why(c);
	out->snaplen = c->snaplen;
	out->count = c->count;
	counters(c, &out->c);
}

unsigned int
dp_cap_list(struct dp_cap_info *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < DP_CAP_MAX && n < max; i++)
		if (caps[i] != NULL)
			info(caps[i], &out[n++]);
	return n;
}

int
dp_cap_info_of(struct dp_cap *const *slot, struct dp_cap_info *out)
{
	for (unsigned int i = 0; i < DP_CAP_MAX; i++)
		if (caps[i] != NULL && !caps[i]->stopping && caps[i]->slot == slot) {
			info(caps[i], out);
			return 0;
		}
	return -ENOENT;
}

int
dp_cap_info_guest(struct dp_app *app, unsigned int slot, struct dp_cap_info *out)
{
	if (app->guests == NULL || slot >= app->cfg->n_guests)
		return -ENOENT;
	return dp_cap_info_of(&app->guests[slot].fast.cap, out);
}

int
dp_cap_info_port(struct dp_app *app, unsigned int idx, struct dp_cap_info *out)
{
	if (idx >= app->n_ports)
		return -ENOENT;
	return dp_cap_info_of(&app->ports[idx].cap, out);
}

static struct dp_port *
port_find(struct dp_app *app, const char *name, unsigned int *idx)
{
	for (unsigned int i = 0; i < app->n_ports; i++)
		if (strcmp(app->cfg->ports[i].name, name) == 0) {
			*idx = i;
			return &app->ports[i];
		}
	return NULL;
}

int
dp_cap_resolve(struct dp_app *app, const char *target, struct dp_cap_conf *conf,
	       char *err, size_t errlen)
{
	bool guests = strncmp(target, "port:", 5) != 0;
	bool ports = strncmp(target, "guest:", 6) != 0;
	const char *name = !guests ? target + 5 : !ports ? target + 6 : target;
	struct dp_guest *g = guests ? dp_app_guest_find(app, name) : NULL;
	unsigned int idx = 0;
	struct dp_port *p = ports ? port_find(app, name, &idx) : NULL;

	if (g != NULL && p != NULL)
		return dp_errf(err, errlen, -EINVAL, "'%.32s' is a guest and a port: say "
			       "guest:%.32s or port:%.32s", name, name, name);
	if (g == NULL && p == NULL)
		return dp_errf(err, errlen, -ENOENT, "no %s '%.64s'", !guests ? "port" :
			       !ports ? "guest" : "guest or port", name);
	if (g != NULL) {
		snprintf(conf->target, sizeof(conf->target), "guest:%s", g->conf->name);
		conf->slot = &g->fast.cap;
		conf->socket = rte_lcore_to_socket_id(g->lcore);
	} else {
		snprintf(conf->target, sizeof(conf->target), "port:%s",
			 app->cfg->ports[idx].name);
		conf->slot = &p->cap;
		conf->socket = rte_lcore_to_socket_id(p->lcore);
	}
	return 0;
}
