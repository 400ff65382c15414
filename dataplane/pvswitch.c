/* SPDX-License-Identifier: BSD-3-Clause */
/* The PV switch: MAC learning, aging, flooding, source-MAC and EtherType checks. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <hostlane/proto.h>

#include "guest.h"
#include "log.h"
#include "port.h"
#include "pvswitch.h"
#include "vfport.h"

/* Guests are bitmap words 0 .. n_gw - 1, ports word n_gw. */
_Static_assert(DP_MAX_PORTS <= 64, "port vports fit one 64-bit word");
_Static_assert(DP_GUESTS_CAP + 64 + DP_MAX_PORTS <= UINT16_MAX, "vports are 16-bit");

#define SWEEP_MAX 256		/* table slots looked at per sweep step */
#define MAC_GROUP 0x01		/* I/G bit of the first octet */
#define TAG_LEN 4		/* TPID and TCI */

static const uint8_t hl_mac[3] = DP_PVS_HL_MAC;

/* Frames ahead whose headers are prefetched while one is switched. */
#define PVS_PREFETCH 4

/* The table key: a MAC and a VLAN (always 0: the switch is not VLAN aware). */
struct pvs_key {
	uint8_t mac[6];
	uint16_t vlan;
};
_Static_assert(sizeof(struct pvs_key) == 8, "key is 8 bytes");

struct pvs_entry {
	uint16_t out;		/* vport the address is behind */
	uint16_t gen;		/* that vport's generation when learned */
	uint64_t seen;		/* TSC of the last frame from it */
};

/* st.macs counts the table entries of the vport's current attachment: the
 * entries for which entry_counted() holds. */
struct pvs_vport {
	uint8_t kind;		/* VP_NONE, VP_GUEST, VP_PORT */
	uint8_t enforce;	/* only `mac` may be a source */
	uint8_t mac[6];
	uint16_t gen;		/* bumped at every attach */
	uint16_t n;		/* frames in buf */
	union {
		struct dp_guest *g;
		struct dp_port *p;
	};
	uint64_t last_src;	/* learning cache: last source MAC ... */
	uint64_t last_learn;	/* ... and when its entry was refreshed */
	struct dp_pvs_vport_stats st;
	struct rte_mbuf *buf[DP_PVS_BURST];
} __rte_cache_aligned;

enum { VP_NONE, VP_GUEST, VP_PORT };

/* Where one burst's flooded frames go: read from the membership bitmaps at
 * the burst's first flood, not once per frame (with room for 1024 guests
 * that is 17 words a frame). Guests and the first port share the mbuf;
 * further ports get a copy each. */
struct pvs_flood {
	uint16_t n_share;
	uint16_t n_copy;
	uint16_t *share;		/* n_gw * 64 + 1 entries */
	uint16_t copy[DP_MAX_PORTS];
};

struct dp_pvs {
	unsigned int lcore;
	struct rte_hash *h;
	struct pvs_entry *ent;		/* by hash position */
	uint32_t cap;			/* positions */
	uint32_t mac_limit;		/* addresses per vport */
	struct rte_mempool *mp;
	uint64_t aging_tsc;
	uint64_t refresh_tsc;		/* learning cache lifetime */
	uint64_t sweep_tsc;		/* time between sweeps */
	uint64_t next_sweep;
	uint32_t sweep_next;		/* rte_hash_iterate cursor */
	uint8_t sweeping;
	uint32_t max_guests;		/* guest vports */
	uint16_t n_gw;			/* bitmap words of guests; ports: word n_gw */
	uint16_t n_vports;		/* n_gw * 64 + DP_MAX_PORTS */
	uint64_t *member;		/* n_gw + 1 words: attached vports; main
					   lcore writes (release), the switch
					   lcore reads (acquire) */
	uint64_t *dirty;		/* n_gw + 1 words: vports with buffered frames */
	struct pvs_flood fl;		/* the current burst's, once built */
	struct dp_pvs_stats st;
	struct pvs_vport *vp;		/* n_vports */
};

static inline uint64_t
mac_u64(const uint8_t *m)
{
	uint64_t v = 0;

	memcpy(&v, m, 6);
	return v;
}

/* Acquire: pairs with attach's release, so an attached vport's fields are
 * seen with its bit. A vport's fields change only at attach, and a vport
 * is attached again only a grace period after its detach (pvswitch.h), so
 * reading them after a bit that has just been cleared is still safe. */
static inline uint64_t
member_word(const struct dp_pvs *sw, unsigned int w)
{
	return __atomic_load_n(&sw->member[w], __ATOMIC_ACQUIRE);
}

static inline bool
is_member(const struct dp_pvs *sw, uint16_t v)
{
	return (member_word(sw, v >> 6) >> (v & 63)) & 1;
}

static inline bool
is_tpid(uint16_t be)
{
	return be == RTE_BE16(RTE_ETHER_TYPE_VLAN) || be == RTE_BE16(RTE_ETHER_TYPE_QINQ) ||
	       be == RTE_BE16(RTE_ETHER_TYPE_QINQ1);
}

int
dp_pvs_parse_ethertype(const uint8_t *frame, uint32_t len, uint16_t *type)
{
	uint32_t off = 2 * RTE_ETHER_ADDR_LEN;
	uint16_t be;

	for (int tags = 0;; tags++) {
		if (len < off + sizeof(be))
			return -EBADMSG;
		memcpy(&be, frame + off, sizeof(be));
		if (!is_tpid(be)) {
			*type = rte_be_to_cpu_16(be);
			return tags;
		}
		if (tags == DP_PVS_MAX_TAGS)
			return -E2BIG;
		off += TAG_LEN;
	}
}

static inline bool
is_hl_mac(const uint8_t *m)
{
	return memcmp(m, hl_mac, sizeof(hl_mac)) == 0;
}

/* A source no station may use: group, zero, or hostlane's own. */
static bool
mac_usable(const uint8_t *m)
{
	return !(m[0] & MAC_GROUP) && mac_u64(m) != 0 && !is_hl_mac(m);
}

/* ---- set-up (main lcore) -------------------------------------------------- */

/* The vport table and bitmaps for max_guests guests and DP_MAX_PORTS ports. */
static int
vports_alloc(struct dp_pvs *sw, uint32_t max_guests, int socket)
{
	if (max_guests > DP_GUESTS_CAP)
		return -EINVAL;
	sw->max_guests = max_guests;
	sw->n_gw = (uint16_t)((max_guests + 63) / 64);
	sw->n_vports = (uint16_t)(sw->n_gw * 64 + DP_MAX_PORTS);
	sw->member = rte_zmalloc_socket("hl_pvs_member", sizeof(uint64_t) * (sw->n_gw + 1u),
					RTE_CACHE_LINE_SIZE, socket);
	sw->dirty = rte_zmalloc_socket("hl_pvs_dirty", sizeof(uint64_t) * (sw->n_gw + 1u),
				       RTE_CACHE_LINE_SIZE, socket);
	sw->vp = rte_zmalloc_socket("hl_pvs_vports", sizeof(*sw->vp) * sw->n_vports,
				    RTE_CACHE_LINE_SIZE, socket);
	sw->fl.share = rte_zmalloc_socket("hl_pvs_flood", sizeof(uint16_t) *
					  (sw->n_gw * 64u + 1u), RTE_CACHE_LINE_SIZE, socket);
	return sw->member != NULL && sw->dirty != NULL && sw->vp != NULL &&
	       sw->fl.share != NULL ? 0 : -ENOMEM;
}

struct dp_pvs *
dp_pvs_create(const struct dp_pvs_conf *conf)
{
	static unsigned int seq;
	int socket = (int)rte_lcore_to_socket_id(conf->lcore);
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = conf->table_size,
		.key_len = sizeof(struct pvs_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		/* No concurrency flags: only the switch lcore uses the table. */
	};
	struct dp_pvs *sw;
	uint64_t hz = rte_get_tsc_hz();

	if (conf->table_size < 8 || conf->aging_s == 0 || conf->mp == NULL) {
		errno = EINVAL;
		return NULL;
	}
	sw = rte_zmalloc_socket("hl_pvs", sizeof(*sw), RTE_CACHE_LINE_SIZE, socket);
	if (sw == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (vports_alloc(sw, conf->max_guests != 0 ? conf->max_guests : 64, socket) < 0) {
		dp_pvs_free(sw);
		errno = ENOMEM;
		return NULL;
	}
	snprintf(name, sizeof(name), "hl_pvs%u", seq++);
	sw->h = rte_hash_create(&hp);
	/* Positions run below the table size without MULTI_WRITER_ADD; one
	 * spare slot in case a DPDK release counts from 1. */
	sw->cap = conf->table_size + 1;
	sw->ent = rte_zmalloc_socket("hl_pvs_ent", sizeof(*sw->ent) * sw->cap,
				     RTE_CACHE_LINE_SIZE, socket);
	if (sw->h == NULL || sw->ent == NULL) {
		dp_pvs_free(sw);
		errno = ENOMEM;
		return NULL;
	}
	sw->lcore = conf->lcore;
	sw->mp = conf->mp;
	sw->aging_tsc = hz * conf->aging_s;
	sw->mac_limit = conf->mac_limit != 0 ? conf->mac_limit :
			RTE_MAX(4u, conf->table_size / 8);
	sw->refresh_tsc = RTE_MIN(hz / 4, sw->aging_tsc / 4);
	sw->sweep_tsc = RTE_MIN(hz, sw->aging_tsc / 2);
	return sw;
}

void
dp_pvs_free(struct dp_pvs *sw)
{
	if (sw == NULL)
		return;
	rte_hash_free(sw->h);
	rte_free(sw->ent);
	rte_free(sw->member);
	rte_free(sw->dirty);
	rte_free(sw->vp);
	rte_free(sw->fl.share);
	rte_free(sw);
}

uint16_t
dp_pvs_port_vport(const struct dp_pvs *sw, unsigned int i)
{
	return (uint16_t)(sw->n_gw * 64u + i);
}

unsigned int
dp_pvs_lcore(const struct dp_pvs *sw)
{
	return sw->lcore;
}

static int
attach(struct dp_pvs *sw, uint16_t v, unsigned int lcore, const uint8_t *mac,
       struct dp_guest *g, struct dp_port *p)
{
	struct pvs_vport *vp = &sw->vp[v];

	if (lcore != sw->lcore)
		return -EXDEV;
	if (is_member(sw, v))
		return -EBUSY;
	vp->kind = g != NULL ? VP_GUEST : VP_PORT;
	if (g != NULL)
		vp->g = g;
	else
		vp->p = p;
	vp->gen++;		/* entries of an earlier occupant no longer match */
	vp->n = 0;
	vp->last_src = 0;
	vp->last_learn = 0;
	vp->enforce = mac != NULL;
	if (mac != NULL)
		memcpy(vp->mac, mac, 6);
	memset(&vp->st, 0, sizeof(vp->st));
	/* Release: the vport's fields above are set before the lcore sees it. */
	__atomic_fetch_or(&sw->member[v >> 6], 1ULL << (v & 63), __ATOMIC_RELEASE);
	return 0;
}

int
dp_pvs_attach_guest(struct dp_pvs *sw, struct dp_guest *g, const uint8_t *mac)
{
	int rc;

	if (g->idx >= sw->max_guests || (mac != NULL && !mac_usable(mac)))
		return -EINVAL;
	rc = attach(sw, g->idx, g->lcore, mac, g, NULL);
	if (rc == 0)
		g->fast.pvs = sw;
	return rc;
}

int
dp_pvs_attach_port(struct dp_pvs *sw, struct dp_port *p, unsigned int idx)
{
	uint16_t v = dp_pvs_port_vport(sw, idx);
	int rc;

	if (idx >= DP_MAX_PORTS)
		return -EINVAL;
	rc = attach(sw, v, p->lcore, NULL, NULL, p);
	if (rc == 0) {
		p->pvs = sw;
		p->vport = v;
	}
	return rc;
}

void
dp_pvs_detach(struct dp_pvs *sw, uint16_t v)
{
	if (v >= sw->n_vports || !is_member(sw, v))
		return;
	/* Its entries stay in the table until aged; the generation bump at
	 * the next attach keeps them from matching a new occupant. */
	__atomic_fetch_and(&sw->member[v >> 6], ~(1ULL << (v & 63)), __ATOMIC_RELEASE);
}

/* ---- learning and aging (switch lcore) ------------------------------------ */

/* An entry of its vport's current attachment: it counts against the
 * vport's limit. A vport's gen is read only while it is attached, when the
 * main lcore leaves it alone (member_word()). */
static inline bool
entry_counted(const struct dp_pvs *sw, const struct pvs_entry *e)
{
	return is_member(sw, e->out) && e->gen == sw->vp[e->out].gen;
}

static inline bool
entry_live(const struct dp_pvs *sw, const struct pvs_entry *e, uint64_t now)
{
	return entry_counted(sw, e) && now - e->seen <= sw->aging_tsc;
}

/* The entry leaves its vport (moved or deleted). */
static void
entry_uncount(struct dp_pvs *sw, const struct pvs_entry *e)
{
	struct pvs_vport *owner = &sw->vp[e->out];

	/* > 0: a generation counter that wrapped must not underflow it. */
	if (entry_counted(sw, e) && owner->st.macs > 0)
		owner->st.macs--;
}

static void
learn_slow(struct dp_pvs *sw, uint16_t in, const struct pvs_key *k, uint64_t now)
{
	struct pvs_vport *vp = &sw->vp[in];
	int32_t pos = rte_hash_lookup(sw->h, k);
	struct pvs_entry *e = pos >= 0 && (uint32_t)pos < sw->cap ? &sw->ent[pos] : NULL;
	bool mine = e != NULL && e->out == in && e->gen == vp->gen;

	/* At the limit a vport keeps its addresses but gains none, nor takes
	 * one over: its frames go on as from an unknown source. */
	if (!mine && vp->st.macs >= sw->mac_limit) {
		vp->st.learn_limited++;
		return;
	}
	if (e == NULL) {
		pos = rte_hash_add_key(sw->h, k);
		if (pos < 0 || (uint32_t)pos >= sw->cap) {
			sw->st.table_full++;
			return;
		}
		sw->st.learned++;
		e = &sw->ent[pos];
	} else if (!mine) {
		sw->st.moved++;
		entry_uncount(sw, e);
	}
	if (!mine)
		vp->st.macs++;
	e->out = in;
	e->gen = vp->gen;
	e->seen = now;
	vp->last_src = mac_u64(k->mac);
	vp->last_learn = now;
}

/* Most frames repeat the last source seen on their vport: one compare. */
static inline void
learn(struct dp_pvs *sw, uint16_t in, const uint8_t *src, uint64_t now)
{
	struct pvs_vport *vp = &sw->vp[in];
	struct pvs_key k;

	if (likely(mac_u64(src) == vp->last_src &&
		   now - vp->last_learn < sw->refresh_tsc))
		return;
	memcpy(k.mac, src, 6);
	k.vlan = 0;
	learn_slow(sw, in, &k, now);
}

/* One step of the sweep: look at up to SWEEP_MAX slots, delete the keys of
 * entries that are no longer live (aged, or of a vport gone or re-attached
 * since: they would otherwise hold table slots until they age). */
static bool
sweep_step(struct dp_pvs *sw, uint64_t now)
{
	struct pvs_key dead[SWEEP_MAX];
	unsigned int n_dead = 0, looked = 0;
	const void *key;
	void *data;
	int32_t pos;
	bool done = false;

	while (looked++ < SWEEP_MAX) {
		pos = rte_hash_iterate(sw->h, &key, &data, &sw->sweep_next);
		if (pos < 0) {
			done = true;
			break;
		}
		if ((uint32_t)pos < sw->cap && !entry_live(sw, &sw->ent[pos], now))
			memcpy(&dead[n_dead++], key, sizeof(dead[0]));
	}
	/* Deleted after the walk: rte_hash_iterate()'s cursor is a slot index. */
	for (unsigned int i = 0; i < n_dead; i++) {
		pos = rte_hash_del_key(sw->h, &dead[i]);
		if (pos < 0)
			continue;
		if ((uint32_t)pos < sw->cap)
			entry_uncount(sw, &sw->ent[pos]);
		sw->st.aged++;
	}
	return done;
}

static inline void
maybe_sweep(struct dp_pvs *sw, uint64_t now)
{
	if (likely(!sw->sweeping && now < sw->next_sweep))
		return;
	sw->sweeping = 1;
	if (sweep_step(sw, now)) {
		sw->sweeping = 0;
		sw->sweep_next = 0;
		sw->next_sweep = now + sw->sweep_tsc;
	}
}

void
dp_pvs_sweep(struct dp_pvs *sw, uint64_t now)
{
	sw->sweep_next = 0;
	while (!sweep_step(sw, now))
		;
	sw->sweeping = 0;
	sw->sweep_next = 0;
	sw->next_sweep = now + sw->sweep_tsc;
}

uint32_t
dp_pvs_table_count(const struct dp_pvs *sw)
{
	int32_t n = rte_hash_count(sw->h);

	return n > 0 ? (uint32_t)n : 0;
}

/* ---- output ---------------------------------------------------------------- */

static inline void
out_push(struct dp_pvs *sw, uint16_t v, struct rte_mbuf *m)
{
	struct pvs_vport *vp = &sw->vp[v];

	vp->buf[vp->n++] = m;
	sw->dirty[v >> 6] |= 1ULL << (v & 63);
}

static void
flush_vport(struct pvs_vport *vp)
{
	uint16_t n = vp->n, k;

	vp->n = 0;
	if (vp->kind == VP_GUEST) {
		k = dp_guest_tx(vp->g, vp->buf, n);
	} else {
		k = dp_port_tx(vp->p, vp->buf, n);
	}
	vp->st.out_frames += k;
	vp->st.out_drops += n - k;
}

/* Guests first: a flooded mbuf shared with a port must be copied into
 * every guest before the port's PMD may touch it. */
static void
flush_all(struct dp_pvs *sw)
{
	for (unsigned int w = 0; w <= sw->n_gw; w++) {
		uint64_t d = sw->dirty[w];

		sw->dirty[w] = 0;
		while (d != 0) {
			unsigned int b = (unsigned int)__builtin_ctzll(d);

			d &= d - 1;
			flush_vport(&sw->vp[w * 64 + b]);
		}
	}
}

static void
drop(struct rte_mbuf *m, uint64_t *counter)
{
	(*counter)++;
	rte_pktmbuf_free(m);
}

/* The attached vports of bitmap word w, the ingress taken out. */
static inline uint64_t
flood_word(const struct dp_pvs *sw, unsigned int w, uint16_t in)
{
	uint64_t bits = member_word(sw, w);

	return (in >> 6) == w ? bits & ~(1ULL << (in & 63)) : bits;
}

/* Build the flood set of ingress in: each bitmap word read once. */
static void
flood_set(struct dp_pvs *sw, uint16_t in)
{
	struct pvs_flood *f = &sw->fl;
	uint64_t p = flood_word(sw, sw->n_gw, in);

	f->n_share = f->n_copy = 0;
	for (unsigned int w = 0; w < sw->n_gw; w++)
		for (uint64_t g = flood_word(sw, w, in); g != 0; g &= g - 1)
			f->share[f->n_share++] = (uint16_t)(w * 64 + __builtin_ctzll(g));
	if (p != 0) {	/* the first port shares the mbuf */
		f->share[f->n_share++] = (uint16_t)(sw->n_gw * 64 + __builtin_ctzll(p));
		p &= p - 1;
	}
	for (; p != 0; p &= p - 1)
		f->copy[f->n_copy++] = (uint16_t)(sw->n_gw * 64 + __builtin_ctzll(p));
}

/* Every guest output and the first port output share m; further ports get
 * copies. m's reference count is raised once by what was queued, before
 * anything leaves (flush_all()). *have_set: the burst's set is built. */
static void
flood(struct dp_pvs *sw, uint16_t in, struct rte_mbuf *m, bool *have_set)
{
	const struct pvs_flood *f = &sw->fl;

	if (!*have_set) {
		flood_set(sw, in);
		*have_set = true;
	}
	if (f->n_share == 0) {
		drop(m, &sw->vp[in].st.dropped_nodest);
		return;
	}
	sw->vp[in].st.flooded++;
	for (uint16_t i = 0; i < f->n_share; i++)
		out_push(sw, f->share[i], m);
	for (uint16_t i = 0; i < f->n_copy; i++) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, sw->mp, 0, UINT32_MAX);

		if (c == NULL) {
			sw->vp[in].st.dropped_nomem++;
			continue;
		}
		out_push(sw, f->copy[i], c);
	}
	if (f->n_share > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(f->n_share - 1));
}

/* ---- the switch ------------------------------------------------------------ */

/* Why the frame must not be switched: the counter to charge, or NULL. The
 * Ethernet header and tags must lie in the first segment, as every PMD and
 * hostlane's own channels put them (at least 128 bytes there). */
static inline uint64_t *
check(struct pvs_vport *vp, const struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *src = f + RTE_ETHER_ADDR_LEN;
	uint16_t type;
	int tags = dp_pvs_parse_ethertype(f, m->data_len, &type);

	if (unlikely(tags < 0))
		return tags == -E2BIG ? &vp->st.dropped_tags : &vp->st.dropped_runt;
	if (unlikely(type == HL_ETHERTYPE))
		return &vp->st.dropped_hostlane;
	if (unlikely(is_hl_mac(src)))
		return &vp->st.dropped_hlsrc;
	if (unlikely(!mac_usable(src) ||
		     (vp->enforce && memcmp(src, vp->mac, 6) != 0)))
		return &vp->st.dropped_spoof;
	return NULL;
}

/* Check and learn the source; false if the frame was dropped. */
static inline bool
admit(struct dp_pvs *sw, uint16_t in, struct rte_mbuf *m, uint64_t now)
{
	struct pvs_vport *vp = &sw->vp[in];
	uint64_t *why = check(vp, m);

	if (unlikely(why != NULL)) {
		drop(m, why);
		return false;
	}
	learn(sw, in, rte_pktmbuf_mtod(m, const uint8_t *) + RTE_ETHER_ADDR_LEN, now);
	return true;
}

static void
switch_burst(struct dp_pvs *sw, uint16_t in, struct rte_mbuf **pkts, uint16_t n,
	     uint64_t now)
{
	struct pvs_key keys[DP_PVS_BURST];
	const void *kp[DP_PVS_BURST];
	struct rte_mbuf *uc[DP_PVS_BURST];
	int32_t pos[DP_PVS_BURST];
	uint16_t nu = 0;
	bool have_set = false;

	for (uint16_t i = 0; i < n && i < PVS_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *dst;

		if (i + PVS_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PVS_PREFETCH], void *));
		if (!admit(sw, in, m, now))
			continue;
		dst = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->dst_addr.addr_bytes;
		if (dst[0] & MAC_GROUP) {
			flood(sw, in, m, &have_set);
			continue;
		}
		memcpy(keys[nu].mac, dst, 6);
		keys[nu].vlan = 0;
		kp[nu] = &keys[nu];
		uc[nu++] = m;
	}
	if (nu > 0 && rte_hash_lookup_bulk(sw->h, kp, nu, pos) < 0)
		for (uint16_t i = 0; i < nu; i++)
			pos[i] = -ENOENT;
	for (uint16_t i = 0; i < nu; i++) {
		const struct pvs_entry *e;

		if (pos[i] < 0 || (uint32_t)pos[i] >= sw->cap ||
		    !entry_live(sw, e = &sw->ent[pos[i]], now)) {
			flood(sw, in, uc[i], &have_set);
		} else if (e->out == in) {
			drop(uc[i], &sw->vp[in].st.dropped_nodest);
		} else {
			sw->vp[in].st.switched++;
			out_push(sw, e->out, uc[i]);
		}
	}
	flush_all(sw);
}

void
dp_pvs_input_at(struct dp_pvs *sw, uint16_t in, struct rte_mbuf **pkts,
		uint16_t n, uint64_t now)
{
	if (unlikely(in >= sw->n_vports || !is_member(sw, in))) {
		/* Detached while its last burst was in flight. */
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	maybe_sweep(sw, now);
	while (n > 0) {
		uint16_t k = RTE_MIN(n, (uint16_t)DP_PVS_BURST);

		switch_burst(sw, in, pkts, k, now);
		pkts += k;
		n -= k;
	}
}

void
dp_pvs_input(struct dp_pvs *sw, uint16_t in, struct rte_mbuf **pkts, uint16_t n)
{
	dp_pvs_input_at(sw, in, pkts, n, rte_rdtsc());
}

void
dp_pvs_guest_rx(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n)
{
	/* Cross-connected to a dedicated VF: past the switch (vfport.h). */
	if (unlikely(g->fast.vf_tx != NULL)) {
		dp_vf_tx(g, g->fast.vf_tx, pkts, n);
		return;
	}
	if (unlikely(g->fast.pvs == NULL)) {
		g->fast.st.handler_drops += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	dp_pvs_input(g->fast.pvs, g->idx, pkts, n);
}

/* ---- counters ---------------------------------------------------------------- */

int
dp_pvs_vport_stats(const struct dp_pvs *sw, uint16_t v, struct dp_pvs_vport_stats *out)
{
	if (v >= sw->n_vports || sw->vp[v].kind == VP_NONE)
		return -ENOENT;
#define DP_PVS_COPY(name, help) \
	out->name = __atomic_load_n(&sw->vp[v].st.name, __ATOMIC_RELAXED);
	DP_PVS_VPORT_COUNTERS(DP_PVS_COPY)
#undef DP_PVS_COPY
	return 0;
}

void
dp_pvs_stats(const struct dp_pvs *sw, struct dp_pvs_stats *out)
{
#define DP_PVS_COPY(name, help) \
	out->name = __atomic_load_n(&sw->st.name, __ATOMIC_RELAXED);
	DP_PVS_COUNTERS(DP_PVS_COPY)
#undef DP_PVS_COPY
}

void
dp_pvs_log_stats(const struct dp_pvs *sw,
		 const char *(*vport_name)(void *arg, uint16_t vport), void *arg)
{
	struct dp_pvs_vport_stats vs;
	struct dp_pvs_stats ts;
	char line[1024];
	int len;

	for (uint16_t v = 0; v < sw->n_vports; v++) {
		if (!is_member(sw, v) || dp_pvs_vport_stats(sw, v, &vs) < 0)
			continue;
		len = 0;
#define DP_PVS_FMT(name, help) \
		len += snprintf(line + len, sizeof(line) - (size_t)len, " " #name "=%" PRIu64, vs.name);
		DP_PVS_VPORT_COUNTERS(DP_PVS_FMT)
#undef DP_PVS_FMT
		DP_LOG(INFO, "pvswitch: %s %s:%s",
		       v < dp_pvs_port_vport(sw, 0) ? "guest" : "port",
		       vport_name(arg, v), line);
	}
	dp_pvs_stats(sw, &ts);
	len = 0;
#define DP_PVS_FMT(name, help) \
	len += snprintf(line + len, sizeof(line) - (size_t)len, " " #name "=%" PRIu64, ts.name);
	DP_PVS_COUNTERS(DP_PVS_FMT)
#undef DP_PVS_FMT
	DP_LOG(INFO, "pvswitch: table: entries=%u%s", dp_pvs_table_count(sw), line);
}
