/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A freestanding test guest for a real VM: it drives a legacy virtio-net
 * device (attached to hostlane through vhost-user) and performs a complete
 * hostlane offload session over EtherType 0x88B5 — HELLO, FN_OPEN +
 * FN_ACTIVATE + FN_CALL + FN_CLOSE of factorial(20) and fibonacci(93), BYE —
 * checking every reply. It also sends one ordinary frame (EtherType 0x88B6,
 * broadcast) for the PV switch. Output on the serial port (0x3f8); the last
 * line is PASS or FAIL, then it leaves through isa-debug-exit (0xf4):
 * QEMU exits with 33 after PASS, 35 after FAIL.
 *
 * With "loop=N" on its command line (QEMU -append) it instead calls
 * factorial(20) over and over and lives through N outages of its backend:
 * a link that goes down (VIRTIO_NET_F_STATUS) fails the request in flight,
 * once, with the reason; when the link comes back it says HELLO again,
 * re-opens the function and goes on. It passes after N outages and 100 good
 * calls since the last one, if no request failed without an outage.
 *
 * Boots as a multiboot ELF (start.S) in 32-bit protected mode without
 * paging: addresses are physical, so vring and buffer addresses go to the
 * device as they are. Time is counted in seconds of the CMOS clock.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hostlane/proto.h"

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4
#define EXIT_PASS 0x10
#define EXIT_FAIL 0x11

#define VIRTIO_IO 0xc000u	/* where we put the device's I/O BAR */
#define VIO_DEV_FEATURES 0x00
#define VIO_GUEST_FEATURES 0x04
#define VIO_QUEUE_PFN 0x08
#define VIO_QUEUE_SIZE 0x0c
#define VIO_QUEUE_SEL 0x0e
#define VIO_QUEUE_NOTIFY 0x10
#define VIO_STATUS 0x12
#define VIO_MAC 0x14		/* device config, MSI-X off */
#define VIO_S_ACK 1
#define VIO_S_DRIVER 2
#define VIO_S_DRIVER_OK 4
#define VIO_S_FAILED 128
#define VIO_NET_STATUS 0x1a	/* after the MAC */
#define VIRTIO_NET_F_MAC (1u << 5)
#define VIRTIO_NET_F_STATUS (1u << 16)
#define VIRTIO_NET_S_LINK_UP 1u

#define NET_HDR 10		/* struct virtio_net_hdr without MRG_RXBUF */
#define BUF_SIZE (NET_HDR + HL_FRAME_MAX)
#define RXQ 0
#define TXQ 1
#define QSZ_MAX 1024u
#define RX_BUFS 16u
#define TX_BUFS 8u		/* frames the device may hold at once */
#define VRING_DESC_F_WRITE 2
#define CALL_TIMEOUT_S 10
#define LINK_WAIT_S 300		/* loop mode: how long an outage may last */
#define LOOP_GOOD_CALLS 100	/* loop mode: calls that show a session works */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vq {
	uint16_t size;
	uint16_t avail_idx;	/* our next avail->idx */
	uint16_t last_used;	/* next used entry to look at */
	struct vring_desc *desc;
	volatile uint16_t *avail;	/* flags, idx, ring[size] */
	volatile uint16_t *used;	/* flags, idx, then elems */
};

/* Legacy vring layout for size <= QSZ_MAX: at most 7 pages. */
static uint8_t vring_mem[2][8 * 4096] __attribute__((aligned(4096)));
static uint8_t rx_buf[RX_BUFS][BUF_SIZE] __attribute__((aligned(64)));
static uint8_t tx_buf[TX_BUFS][BUF_SIZE] __attribute__((aligned(64)));
static struct vq vqs[2];
static uint8_t guest_mac[6];
static int has_status;		/* VIRTIO_NET_F_STATUS negotiated */
static int loop_mode;		/* loop=N given: outages are expected */
static uint8_t host_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static uint64_t next_req_id = 0x7e570001u;
static unsigned int ignored;

/* ---- the freestanding C library proto.h needs ------------------------- */

void *
memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n-- > 0)
		*d++ = (uint8_t)c;
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n > 0; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

/* ---- port I/O, serial, exit --------------------------------------------- */

static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t
inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Orders our ring writes against the device's reads (and vice versa). */
static inline void
mb(void)
{
	__sync_synchronize();
}

static void
put_char(char c)
{
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

static void
put_str(const char *s)
{
	while (*s)
		put_char(*s++);
}

/* Decimal without 64-bit division (no libgcc here): subtract powers of 10. */
static void
put_u64(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
		10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
		100000000000ull, 1000000000000ull, 10000000000000ull,
		100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull,
		10000000000000000000ull,
	};
	int started = 0;

	for (int i = 19; i >= 0; i--) {
		char d = '0';
		while (v >= pow10[i]) {
			v -= pow10[i];
			d++;
		}
		if (d != '0' || started || i == 0) {
			put_char(d);
			started = 1;
		}
	}
}

static void
put_hex(uint32_t v, int digits)
{
	while (digits-- > 0)
		put_char("0123456789abcdef"[(v >> (digits * 4)) & 0xf]);
}

static void
put_mac(const uint8_t *m)
{
	for (int i = 0; i < 6; i++) {
		put_hex(m[i], 2);
		if (i < 5)
			put_char(':');
	}
}

static void __attribute__((noreturn))
finish(int pass)
{
	put_str(pass ? "PASS\n" : "FAIL\n");
	outb(DEBUG_EXIT, pass ? EXIT_PASS : EXIT_FAIL);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void __attribute__((noreturn))
fail(const char *why)
{
	put_str("error: ");
	put_str(why);
	put_char('\n');
	finish(0);
}

/* ---- time: seconds of the CMOS clock ------------------------------------ */

struct timer {
	uint8_t last_sec;
	unsigned int left;	/* seconds */
	unsigned int polls;
};

static uint8_t
rtc_sec(void)
{
	outb(0x70, 0x00);
	return inb(0x71);
}

static void
timer_start(struct timer *t, unsigned int seconds)
{
	t->last_sec = rtc_sec();
	t->left = seconds + 1;	/* the first tick may come at once */
	t->polls = 0;
}

/* Call once per poll; reads the clock every 4096 calls. */
static int
timer_expired(struct timer *t)
{
	uint8_t s;

	if (++t->polls % 4096 != 0)
		return 0;
	s = rtc_sec();
	if (s != t->last_sec) {
		t->last_sec = s;
		t->left--;
	}
	return t->left == 0;
}

/* ---- PCI configuration space, mechanism #1 ------------------------------ */

static uint32_t
pci_read(unsigned int dev, unsigned int off)
{
	outl(0xcf8, 0x80000000u | dev << 11 | (off & 0xfc));
	return inl(0xcfc);
}

static void
pci_write(unsigned int dev, unsigned int off, uint32_t v)
{
	outl(0xcf8, 0x80000000u | dev << 11 | (off & 0xfc));
	outl(0xcfc, v);
}

/* The legacy (transitional) virtio-net device on bus 0: 1af4:1000. */
static int
pci_find_virtio_net(void)
{
	for (unsigned int dev = 0; dev < 32; dev++)
		if (pci_read(dev, 0) == 0x10001af4u)
			return (int)dev;
	return -1;
}

/* qboot leaves BARs unassigned: place the I/O BAR, enable I/O + mastering. */
static void
pci_enable(unsigned int dev)
{
	pci_write(dev, 0x10, VIRTIO_IO);
	pci_write(dev, 0x04, (pci_read(dev, 0x04) & 0xffffu) | 0x5u);
}

/* ---- virtio-net (legacy interface) --------------------------------------- */

static void
vq_setup(unsigned int qi)
{
	struct vq *q = &vqs[qi];
	uint8_t *mem = vring_mem[qi];
	uint32_t used_off;

	/* After a reset the device starts from index 0: so do we. */
	memset(mem, 0, sizeof(vring_mem[qi]));
	q->avail_idx = 0;
	q->last_used = 0;
	outw(VIRTIO_IO + VIO_QUEUE_SEL, (uint16_t)qi);
	q->size = inw(VIRTIO_IO + VIO_QUEUE_SIZE);
	if (q->size == 0 || q->size > QSZ_MAX || (q->size & (q->size - 1)))
		fail("unusable virtqueue size");
	/* Legacy layout: descriptors, avail ring, then used ring on the next
	 * 4096-byte boundary. */
	used_off = (16u * q->size + 6u + 2u * q->size + 4095u) & ~4095u;
	q->desc = (struct vring_desc *)mem;
	q->avail = (volatile uint16_t *)(mem + 16u * q->size);
	q->used = (volatile uint16_t *)(mem + used_off);
	outl(VIRTIO_IO + VIO_QUEUE_PFN, (uint32_t)(uintptr_t)mem >> 12);
}

static void
vq_kick(unsigned int qi)
{
	outw(VIRTIO_IO + VIO_QUEUE_NOTIFY, (uint16_t)qi);
}

/* Offer descriptor id to the device. */
static void
vq_post(unsigned int qi, uint16_t id)
{
	struct vq *q = &vqs[qi];

	q->avail[2 + (q->avail_idx & (q->size - 1))] = id;
	mb();			/* the ring entry before the index */
	q->avail[1] = ++q->avail_idx;
	mb();			/* the index before the kick */
}

static uint16_t
vq_used_idx(const struct vq *q)
{
	return q->used[1];
}

static struct vring_used_elem
vq_used_elem(const struct vq *q, uint16_t i)
{
	const volatile struct vring_used_elem *e =
		(const volatile struct vring_used_elem *)(q->used + 2);
	struct vring_used_elem r;

	r.id = e[i & (q->size - 1)].id;
	r.len = e[i & (q->size - 1)].len;
	return r;
}

static void
rx_fill(void)
{
	struct vq *q = &vqs[RXQ];

	for (uint16_t i = 0; i < RX_BUFS; i++) {
		q->desc[i].addr = (uint32_t)(uintptr_t)rx_buf[i];
		q->desc[i].len = BUF_SIZE;
		q->desc[i].flags = VRING_DESC_F_WRITE;
		q->desc[i].next = 0;
		vq_post(RXQ, i);
	}
	vq_kick(RXQ);
}

static void
net_init(void)
{
	int dev = pci_find_virtio_net();
	uint32_t features;

	if (dev < 0)
		fail("no virtio-net device (1af4:1000) on PCI bus 0");
	pci_enable((unsigned int)dev);
	outb(VIRTIO_IO + VIO_STATUS, 0);	/* reset */
	outb(VIRTIO_IO + VIO_STATUS, VIO_S_ACK);
	outb(VIRTIO_IO + VIO_STATUS, VIO_S_ACK | VIO_S_DRIVER);
	features = inl(VIRTIO_IO + VIO_DEV_FEATURES);
	/* The MAC and the link state only: no mergeable buffers, so the
	 * header is 10 bytes. */
	features &= VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS;
	outl(VIRTIO_IO + VIO_GUEST_FEATURES, features);
	if (!(features & VIRTIO_NET_F_MAC))
		fail("device offers no MAC");
	has_status = (features & VIRTIO_NET_F_STATUS) != 0;
	for (int i = 0; i < 6; i++)
		guest_mac[i] = inb((uint16_t)(VIRTIO_IO + VIO_MAC + i));
	vq_setup(RXQ);
	vq_setup(TXQ);
	rx_fill();
	outb(VIRTIO_IO + VIO_STATUS, VIO_S_ACK | VIO_S_DRIVER | VIO_S_DRIVER_OK);
	if (inb(VIRTIO_IO + VIO_STATUS) & VIO_S_FAILED)
		fail("device refused the driver");
	put_str("virtio-net at PCI 00:");
	put_hex((uint32_t)dev, 2);
	put_str(", mac ");
	put_mac(guest_mac);
	put_str(", queues ");
	put_u64(vqs[RXQ].size);
	put_char('/');
	put_u64(vqs[TXQ].size);
	put_str(has_status ? ", link state\n" : ", no link state\n");
}

/* Without VIRTIO_NET_F_STATUS the link counts as up. */
static int
link_up(void)
{
	return !has_status ||
	       (inw(VIRTIO_IO + VIO_NET_STATUS) & VIRTIO_NET_S_LINK_UP) != 0;
}

/* Call once per poll: the link is looked at every 256 polls (an exit). */
static int
link_lost(unsigned int *polls)
{
	return ++*polls % 256 == 0 && !link_up();
}

/* How a request ended. */
#define OUTCOME_LIST(X) \
	X(OK, "ok") \
	X(LINK_DOWN, "the link went down") \
	X(NO_REPLY, "no reply") \
	X(REFUSED, "refused")

enum outcome {
#define OUT_X_(name, str) OUT_##name,
	OUTCOME_LIST(OUT_X_)
#undef OUT_X_
};

static const char *
outcome_str(enum outcome o)
{
	switch (o) {
#define OUT_X_(name, str) case OUT_##name: return str;
	OUTCOME_LIST(OUT_X_)
#undef OUT_X_
	}
	return "?";
}

/*
 * The buffer for the next frame (after its virtio header): descriptor
 * avail_idx % TX_BUFS and its buffer, once the device gave them back.
 * NULL if the link went down meanwhile: a backend that went away leaves
 * its frames in the ring, for the next one.
 */
static uint8_t *
tx_next(void)
{
	struct vq *q = &vqs[TXQ];
	unsigned int polls = 0;
	struct timer t;

	timer_start(&t, CALL_TIMEOUT_S);
	while ((uint16_t)(q->avail_idx - vq_used_idx(q)) >= TX_BUFS) {
		if (link_lost(&polls))
			return NULL;
		if (timer_expired(&t))
			fail("the device took no frame (no backend?)");
	}
	return tx_buf[q->avail_idx % TX_BUFS] + NET_HDR;
}

/* Send tx_next()'s frame, len bytes after the virtio header. Except in
 * loop mode, wait until the device has taken it. */
static enum outcome
net_send(uint32_t len)
{
	struct vq *q = &vqs[TXQ];
	uint16_t id = q->avail_idx % TX_BUFS;
	struct timer t;

	if (!link_up())
		return OUT_LINK_DOWN;
	memset(tx_buf[id], 0, NET_HDR);
	q->desc[id].addr = (uint32_t)(uintptr_t)tx_buf[id];
	q->desc[id].len = NET_HDR + len;
	q->desc[id].flags = 0;
	q->desc[id].next = 0;
	vq_post(TXQ, id);
	vq_kick(TXQ);
	if (loop_mode)
		return OUT_OK;
	timer_start(&t, CALL_TIMEOUT_S);
	while (vq_used_idx(q) != q->avail_idx)
		if (timer_expired(&t))
			fail("the device did not take a frame (no backend?)");
	return OUT_OK;
}

/* Next received frame, or NULL; net_rx_done() gives its buffer back. */
static uint8_t *
net_rx(uint32_t *len, uint16_t *id)
{
	struct vq *q = &vqs[RXQ];
	struct vring_used_elem e;

	if (vq_used_idx(q) == q->last_used)
		return NULL;
	mb();			/* the index before the entry it covers */
	e = vq_used_elem(q, q->last_used++);
	if (e.id >= RX_BUFS || e.len < NET_HDR || e.len > BUF_SIZE)
		fail("device returned a bad RX descriptor");
	*id = (uint16_t)e.id;
	*len = e.len - NET_HDR;
	return rx_buf[e.id] + NET_HDR;
}

static void
net_rx_done(uint16_t id)
{
	vq_post(RXQ, id);
	vq_kick(RXQ);
}

/* ---- hostlane requests ----------------------------------------------------- */

struct reply {
	struct hl_frame_hdr h;
	uint8_t payload[64];	/* the first bytes of the reply payload */
};

static int
reply_matches(const struct hl_frame_hdr *h, uint16_t op, uint64_t id)
{
	return (h->hl.flags & HL_F_REPLY) && h->hl.req_id == id &&
	       h->hl.opcode == op && memcmp(h->eth.dst, guest_mac, 6) == 0;
}

/* Wait for the reply to request id; other frames are counted and ignored. */
static enum outcome
wait_reply(uint16_t op, uint64_t id, struct reply *r)
{
	unsigned int polls = 0;
	struct timer t;
	uint32_t len;
	uint16_t buf;
	uint8_t *f;

	timer_start(&t, CALL_TIMEOUT_S);
	for (;;) {
		while ((f = net_rx(&len, &buf)) == NULL) {
			if (link_lost(&polls))
				return OUT_LINK_DOWN;
			if (timer_expired(&t))
				return OUT_NO_REPLY;
		}
		int ok = hl_proto_hdr_parse(f, len, &r->h) == HL_OK &&
			 reply_matches(&r->h, op, id);
		if (ok) {
			uint32_t n = r->h.hl.payload_len;
			memcpy(r->payload, f + HL_FRAME_HDR_LEN,
			       n < sizeof(r->payload) ? n : sizeof(r->payload));
		}
		net_rx_done(buf);
		if (ok)
			return OUT_OK;
		ignored++;
	}
}

/* One request and its reply: OUT_OK if the reply came with status HL_OK. */
static enum outcome
request(uint16_t op, uint32_t session, uint64_t arg0, uint64_t arg1,
	const void *payload, uint32_t len, struct reply *r)
{
	struct hl_frame_hdr h;
	uint64_t id = next_req_id++;
	uint8_t *f = tx_next();
	enum outcome o;

	if (f == NULL)
		return OUT_LINK_DOWN;
	hl_proto_hdr_init(&h, host_mac, guest_mac, op, session, id);
	h.hl.payload_len = len;
	h.hl.arg0 = arg0;
	h.hl.arg1 = arg1;
	memcpy(f, &h, sizeof(h));
	memcpy(f + sizeof(h), payload, len);
	o = net_send(HL_FRAME_HDR_LEN + len);
	if (o == OUT_OK)
		o = wait_reply(op, id, r);
	if (o == OUT_OK && r->h.hl.status != HL_OK)
		o = OUT_REFUSED;
	return o;
}

/* "OP failed: why[, status N]" */
static void
report(uint16_t op, enum outcome o, const struct reply *r)
{
	put_str(hl_proto_opcode_name(op));
	put_str(" failed: ");
	put_str(outcome_str(o));
	if (o == OUT_REFUSED) {
		put_str(", status ");
		put_u64(r->h.hl.status);
	}
	put_char('\n');
}

static void
must(uint16_t op, enum outcome o, const struct reply *r)
{
	if (o != OUT_OK) {
		report(op, o, r);
		fail("hostlane did not answer a request as it must");
	}
}

/* A request that must succeed. */
static void
call(uint16_t op, uint32_t session, uint64_t arg0, uint64_t arg1,
     const void *payload, uint32_t len, struct reply *r)
{
	must(op, request(op, session, arg0, arg1, payload, len, r), r);
}

/* HELLO to whoever answers (broadcast): a new host may have a new MAC. */
static enum outcome
hello(struct reply *r)
{
	struct hl_hello hi;
	enum outcome o;

	memset(&hi, 0, sizeof(hi));
	memcpy(hi.name, "vm-test-guest", 14);
	hi.version_min = HL_PROTO_VERSION;
	hi.version_max = HL_PROTO_VERSION;
	hi.max_inflight = 1;
	hi.max_payload = HL_PAYLOAD_MAX;
	memset(host_mac, 0xff, 6);
	o = request(HL_OP_HELLO, 0, 0, 0, &hi, sizeof(hi), r);
	if (o != OUT_OK)
		return o;
	memcpy(host_mac, r->h.eth.src, 6);
	r->payload[HL_GUEST_NAME_LEN - 1] = '\0';
	put_str("HELLO: host ");
	put_mac(host_mac);
	put_str(" \"");
	put_str((const char *)r->payload);
	put_str("\"\n");
	return OUT_OK;
}

static void
fn_open_msg(struct hl_fn_open *o, const char *name)
{
	size_t len = 0;

	memset(o, 0, sizeof(*o));
	while (name[len] != '\0')
		len++;
	memcpy(o->name, name, len);
	o->placement = HL_PLACE_ANY;
}

/* Negotiate, activate, compute, release: the four phases, checked. */
static void
offload(const char *name, uint64_t n, uint64_t want)
{
	struct hl_fn_open o;
	struct reply r;
	uint32_t session;

	fn_open_msg(&o, name);
	call(HL_OP_FN_OPEN, 0, 0, 0, &o, sizeof(o), &r);
	session = r.h.hl.session;
	call(HL_OP_FN_ACTIVATE, session, 0, 0, NULL, 0, &r);
	put_str(name);
	put_str(r.h.hl.arg0 == HL_PLACE_HW ? ": session active on hardware\n" :
		": session active on software\n");
	call(HL_OP_FN_CALL, session, n, 1, NULL, 0, &r);
	put_str(name);
	put_char('(');
	put_u64(n);
	put_str(") = ");
	put_u64(r.h.hl.arg0);
	put_str(r.h.hl.arg0 == want && r.h.hl.state == HL_FN_DONE ? " ok\n" :
		" WRONG\n");
	if (r.h.hl.arg0 != want || r.h.hl.state != HL_FN_DONE)
		fail("wrong result");
	call(HL_OP_FN_CLOSE, session, 0, 0, NULL, 0, &r);
}

/* Ordinary traffic for the PV switch: a broadcast of EtherType 0x88B6. */
static void
send_ordinary_frame(void)
{
	static const char msg[] = "hostlane vm test: ordinary frame";
	uint8_t *f = tx_next();

	if (f == NULL)
		fail("the link is down");
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x88;
	f[13] = 0xb6;
	memset(f + 14, 0, 64);
	memcpy(f + 14, msg, sizeof(msg));
	if (net_send(14 + 64) != OUT_OK)
		fail("the link is down");
	put_str("sent an ordinary frame (EtherType 0x88b6)\n");
}

static void __attribute__((noreturn))
one_session(void)
{
	struct reply r;

	send_ordinary_frame();
	must(HL_OP_HELLO, hello(&r), &r);
	offload("factorial", 20, 2432902008176640000ull);
	offload("fibonacci", 93, 12200160415121876738ull);
	call(HL_OP_BYE, 0, 0, 0, NULL, 0, &r);
	put_str("BYE; frames ignored: ");
	put_u64(ignored);
	put_char('\n');
	finish(1);
}

/* ---- loop mode: calls through outages -------------------------------------- */

/* HELLO, factorial opened and activated; its session id in *session. */
static enum outcome
loop_session(uint32_t *session, uint16_t *op, struct reply *r)
{
	struct hl_fn_open o;
	enum outcome out;

	*op = HL_OP_HELLO;
	out = hello(r);
	if (out != OUT_OK)
		return out;
	fn_open_msg(&o, "factorial");
	*op = HL_OP_FN_OPEN;
	out = request(HL_OP_FN_OPEN, 0, 0, 0, &o, sizeof(o), r);
	if (out != OUT_OK)
		return out;
	*session = r->h.hl.session;
	*op = HL_OP_FN_ACTIVATE;
	return request(HL_OP_FN_ACTIVATE, *session, 0, 0, NULL, 0, r);
}

static void
link_wait_up(unsigned int outage)
{
	struct timer t;

	put_str("outage ");
	put_u64(outage);
	put_str(": link down\n");
	timer_start(&t, LINK_WAIT_S);
	while (!link_up())
		if (timer_expired(&t))
			fail("the link did not come back");
	put_str("outage ");
	put_u64(outage);
	put_str(": link up\n");
}

struct loop_state {
	unsigned int outages;
	unsigned int failures;	/* requests that failed */
	unsigned int sessions;
	unsigned int good;	/* calls ok in this session */
	uint32_t session;
	int fresh;		/* a new connection: HELLO first */
};

/* One pass: an outage waited out, a session opened, or one call. */
static void
loop_step(struct loop_state *s)
{
	struct reply r;
	enum outcome o;
	uint16_t op = HL_OP_FN_CALL;

	if (!link_up()) {
		link_wait_up(++s->outages);
		s->fresh = 1;
		s->good = 0;
		return;
	}
	if (s->fresh) {
		o = loop_session(&s->session, &op, &r);
	} else {
		o = request(HL_OP_FN_CALL, s->session, 20, 1, NULL, 0, &r);
		if (o == OUT_OK && (r.h.hl.arg0 != 2432902008176640000ull ||
				    r.h.hl.state != HL_FN_DONE))
			fail("factorial(20): wrong result");
	}
	if (o != OUT_OK) {
		report(op, o, &r);
		s->failures++;
		s->fresh = 1;
		s->good = 0;
	} else if (s->fresh) {
		s->fresh = 0;
		put_str("session ");
		put_u64(++s->sessions);
		put_str(": factorial active\n");
	} else if (++s->good == LOOP_GOOD_CALLS) {
		put_str("session ");
		put_u64(s->sessions);
		put_str(": 100 calls ok\n");
	}
}

/* Call until outages_wanted outages are over and a session did 100 calls. */
static void __attribute__((noreturn))
loop(unsigned int outages_wanted)
{
	struct loop_state s = { .fresh = 1 };
	struct reply r;

	put_str("loop: factorial(20) through ");
	put_u64(outages_wanted);
	put_str(" outages\n");
	while (s.outages < outages_wanted || s.good < LOOP_GOOD_CALLS)
		loop_step(&s);
	call(HL_OP_BYE, 0, 0, 0, NULL, 0, &r);
	put_str("BYE; outages ");
	put_u64(s.outages);
	put_str(", failed requests ");
	put_u64(s.failures);
	put_str(", sessions ");
	put_u64(s.sessions);
	put_char('\n');
	if (s.failures > s.outages)
		fail("a request failed without an outage");
	finish(1);
}

/* ---- resets: new connections in quick succession ------------------------ */

/*
 * resets=N: N connections, each a device reset away from the last - HELLO,
 * factorial opened and activated (and left open: the reset is all the
 * goodbye there is) and called. Each must work: a connection's sessions go
 * with it, however soon the next one comes.
 */
static void __attribute__((noreturn))
resets(unsigned int n)
{
	uint32_t session;
	struct reply r;
	uint16_t op;

	for (unsigned int i = 1; i <= n; i++) {
		if (i > 1)
			net_init();
		enum outcome o = loop_session(&session, &op, &r);

		must(op, o, &r);
		call(HL_OP_FN_CALL, session, 20, 1, NULL, 0, &r);
		if (r.h.hl.arg0 != 2432902008176640000ull)
			fail("factorial(20): wrong result");
		put_str("connection ");
		put_u64(i);
		put_str(": factorial(20) ok\n");
	}
	finish(1);
}

/* ---- boot ------------------------------------------------------------------ */

#define MB_BOOT_MAGIC 0x2badb002u
#define MB_INFO_CMDLINE (1u << 2)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;	/* physical address of a C string */
};

/* N of a "KEY=N" word on the multiboot command line (key: "KEY="), or -1. */
static int
cmdline_num(uint32_t magic, const struct mb_info *mbi, const char *key)
{
	const char *s, *start;
	size_t len = 0;
	int n = -1;

	if (magic != MB_BOOT_MAGIC || !(mbi->flags & MB_INFO_CMDLINE))
		return -1;
	while (key[len] != '\0')
		len++;
	start = (const char *)(uintptr_t)mbi->cmdline;
	for (s = start; *s != '\0'; s++) {
		if ((s == start || s[-1] == ' ') && memcmp(s, key, len) == 0) {
			for (s += len, n = 0; *s >= '0' && *s <= '9' && n < 100000; s++)
				n = n * 10 + (*s - '0');
			break;
		}
	}
	return n;
}

void guest_main(uint32_t magic, const struct mb_info *mbi);

void
guest_main(uint32_t magic, const struct mb_info *mbi)
{
	int outages = cmdline_num(magic, mbi, "loop=");
	int n_resets = cmdline_num(magic, mbi, "resets=");

	put_str("\nhostlane test guest\n");
	net_init();
	if (n_resets > 0)
		resets((unsigned int)n_resets);
	loop_mode = outages >= 0;
	if (!loop_mode)
		one_session();
	if (!has_status)
		fail("loop mode needs the link state (VIRTIO_NET_F_STATUS)");
	loop((unsigned int)outages);
}
