/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtfun_vm: the guest of VirtFun's real-VM row (bench/virtfun.sh). A
 * freestanding multiboot image that QEMU boots with a vhost-user
 * virtio-net device on hostlane; bench/virtfun drives it over the serial
 * port (COM1), one command line at a time, and the guest answers with one
 * line:
 *
 *   P                          -> PONG                (in sync)
 *   T                          -> T TSC               (clock calibration)
 *   O NAME                     -> O SESSION           (FN_OPEN + FN_ACTIVATE,
 *                                                      software placement)
 *   C SESSION N REPS INV WANT WARM TIMEOUT
 *                              -> R TICKS             (one cell, below)
 *   Q                          -> BYE, then PASS and exit
 *
 * At boot it prints "speed T ticks for N iterations" of an empty loop, so
 * that the driver can tell a CPU that runs it from one that emulates it.
 *
 * C warms the path up with FN_CALL(N, 1) for WARM TSC ticks, then times INV
 * calls FN_CALL(N, REPS), one in flight, each result checked against WANT,
 * and answers the TSC ticks the INV calls took. TIMEOUT (ticks) bounds the
 * wait for one reply. Any failure prints "error: ..." and FAIL and makes
 * QEMU exit 35 (tests/vm/guest.c's finish()).
 *
 * The device driver, serial output and slow-path requests are those of the
 * real-VM test guest, included whole below (its functions are static), so
 * the benchmark drives the device exactly as the tested guest does. The
 * timed call is its own, that of a poll-mode driver: it asks for no
 * interrupts, kicks the device only when the backend asks for kicks
 * (VRING_USED_F_NO_NOTIFY clear) and reads a clock (the TSC, not the CMOS
 * clock's I/O ports) only once in a long while.
 */
#define guest_main vm_test_guest_main
#include "../tests/vm/guest.c"
#undef guest_main

#define VRING_USED_F_NO_NOTIFY 1u
#define VRING_AVAIL_F_NO_INTERRUPT 1u
#define LINE_MAX 160u
/* RDTSC may trap (it does on nested PVM KVM, ~16 µs a time): read the
 * clock once per this many empty polls, tens of milliseconds. */
#define POLLS_PER_CLOCK ((1u << 20) - 1)
#define MAX_ARGS 8u
#define SPEED_LOOPS (1u << 16)

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* ---- commands on COM1 ----------------------------------------------------- */

static char
get_char(void)
{
	while (!(inb(COM1 + 5) & 0x01))
		;
	return (char)inb(COM1);
}

/* One line into buf (NUL-terminated, '\r' dropped, too long cut short). */
static void
get_line(char *buf, unsigned int cap)
{
	unsigned int n = 0;
	char c;

	while ((c = get_char()) != '\n')
		if (c != '\r' && n + 1 < cap)
			buf[n++] = c;
	buf[n] = '\0';
}

/* Split at blanks, in place; returns how many words. */
static unsigned int
split(char *s, char **w, unsigned int max)
{
	unsigned int n = 0;

	while (*s != '\0' && n < max) {
		while (*s == ' ')
			*s++ = '\0';
		if (*s == '\0')
			break;
		w[n++] = s;
		while (*s != '\0' && *s != ' ')
			s++;
	}
	return n;
}

/* Decimal to 64 bits (multiplication only: no libgcc division here). */
static uint64_t
parse_u64(const char *s)
{
	uint64_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

/* ---- the timed call ----------------------------------------------------------- */

/* A deadline whose clock is read only once per POLLS_PER_CLOCK polls, the
 * first read starting it: a call that is answered in time reads no clock. */
struct deadline {
	uint64_t t0;
	uint64_t ticks;
	uint32_t polls;
};

static int
deadline_passed(struct deadline *d)
{
	uint64_t t;

	if ((++d->polls & POLLS_PER_CLOCK) != 0)
		return 0;
	t = rdtsc();
	if (d->t0 == 0)
		d->t0 = t;
	return t - d->t0 > d->ticks;
}

/* Like vq_post() + vq_kick(), kicking only when the backend wants kicks. */
static void
vq_offer(unsigned int qi, uint16_t id)
{
	vq_post(qi, id);
	if (!(vqs[qi].used[0] & VRING_USED_F_NO_NOTIFY))
		vq_kick(qi);
}

static void
send_call(uint32_t session, uint64_t n, uint64_t reps, uint64_t id)
{
	struct vq *q = &vqs[TXQ];
	/* Descriptor and buffer numbered as the test guest's net_send() does
	 * (one frame in flight here, so the device has given it back). */
	uint16_t d = q->avail_idx % TX_BUFS;
	uint8_t *buf = tx_buf[d];
	struct hl_frame_hdr h;

	hl_proto_hdr_init(&h, host_mac, guest_mac, HL_OP_FN_CALL, session, id);
	h.hl.arg0 = n;
	h.hl.arg1 = reps;
	memset(buf, 0, NET_HDR);
	memcpy(buf + NET_HDR, &h, sizeof(h));
	q->desc[d].addr = (uint32_t)(uintptr_t)buf;
	q->desc[d].len = NET_HDR + HL_FRAME_HDR_LEN;
	q->desc[d].flags = 0;
	q->desc[d].next = 0;
	vq_offer(TXQ, d);
}

/* Wait for request id's reply; @return its result. Other frames are
 * counted and dropped. */
static uint64_t
wait_call(uint64_t id, uint64_t timeout)
{
	struct deadline dl = { .ticks = timeout };
	struct hl_frame_hdr h;
	uint32_t len;
	uint16_t buf;
	uint8_t *f;

	for (;;) {
		while ((f = net_rx(&len, &buf)) == NULL)
			if (deadline_passed(&dl))
				fail("no reply to a timed call");
		int ok = hl_proto_hdr_parse(f, len, &h) == HL_OK &&
			 reply_matches(&h, HL_OP_FN_CALL, id);
		vq_offer(RXQ, buf);
		if (ok)
			break;
		ignored++;
	}
	if (h.hl.status != HL_OK || h.hl.state != HL_FN_DONE)
		fail("a timed call failed");
	return h.hl.arg0;
}

/* The reply came, so the device took the request: its buffer is free. */
static void
tx_reap(uint64_t timeout)
{
	struct vq *q = &vqs[TXQ];
	struct deadline dl = { .ticks = timeout };

	while (vq_used_idx(q) != q->avail_idx)
		if (deadline_passed(&dl))
			fail("the device did not take a request");
	q->last_used = q->avail_idx;
}

static uint64_t
timed_call(uint32_t session, uint64_t n, uint64_t reps, uint64_t timeout)
{
	uint64_t id = next_req_id++, r;

	send_call(session, n, reps, id);
	r = wait_call(id, timeout);
	tx_reap(timeout);
	return r;
}

/* ---- commands ------------------------------------------------------------------ */

static void
bench_hello(void)
{
	struct hl_hello hi;
	struct reply r;

	memset(&hi, 0, sizeof(hi));
	memcpy(hi.name, "bench-virtfun-vm", 17);
	hi.version_min = HL_PROTO_VERSION;
	hi.version_max = HL_PROTO_VERSION;
	hi.max_inflight = 1;
	hi.max_payload = HL_PAYLOAD_MAX;
	call(HL_OP_HELLO, 0, 0, 0, &hi, sizeof(hi), &r);
	memcpy(host_mac, r.h.eth.src, 6);
}

/* O NAME: a session on software, as bench/virtfun's Guest-Host opens it. */
static void
cmd_open(const char *name)
{
	struct hl_fn_open o;
	struct reply r;
	uint32_t session;
	size_t len = 0;

	while (name[len] != '\0' && len < sizeof(o.name) - 1)
		len++;
	memset(&o, 0, sizeof(o));
	memcpy(o.name, name, len);
	o.placement = HL_PLACE_SW;
	call(HL_OP_FN_OPEN, 0, 0, 0, &o, sizeof(o), &r);
	session = r.h.hl.session;
	call(HL_OP_FN_ACTIVATE, session, 0, 0, NULL, 0, &r);
	if (r.h.hl.arg0 != HL_PLACE_SW)
		fail("function not activated on software");
	put_str("O ");
	put_u64(session);
	put_char('\n');
}

/* C SESSION N REPS INV WANT WARM TIMEOUT */
static void
cmd_cell(char **w)
{
	uint32_t session = (uint32_t)parse_u64(w[1]);
	uint64_t n = parse_u64(w[2]), reps = parse_u64(w[3]);
	uint64_t inv = parse_u64(w[4]), want = parse_u64(w[5]);
	uint64_t warm = parse_u64(w[6]), timeout = parse_u64(w[7]);
	uint64_t t0 = rdtsc(), t1;

	do {
		if (timed_call(session, n, 1, timeout) != want)
			fail("wrong result in the warm-up");
	} while (rdtsc() - t0 < warm);
	t0 = rdtsc();
	for (uint64_t i = 0; i < inv; i++)
		if (timed_call(session, n, reps, timeout) != want)
			fail("wrong result");
	t1 = rdtsc();
	put_str("R ");
	put_u64(t1 - t0);
	put_char('\n');
}

/* How fast this CPU runs plain code: TSC ticks for SPEED_LOOPS empty
 * iterations (about one tick each on a real CPU; a hypervisor that
 * emulates the guest instruction by instruction takes thousands). */
static void
speed(void)
{
	uint64_t t0 = rdtsc(), t1;

	for (uint32_t i = 0; i < SPEED_LOOPS; i++)
		__asm__ volatile("" : : "r"(i));
	t1 = rdtsc();
	put_str("speed ");
	put_u64(t1 - t0);
	put_str(" ticks for ");
	put_u64(SPEED_LOOPS);
	put_str(" iterations\n");
}

void guest_main(void);

void
guest_main(void)
{
	char line[LINE_MAX], *w[MAX_ARGS];
	struct reply r;

	put_str("\nvirtfun vm guest\n");
	speed();
	net_init();
	/* Polled, as a poll-mode driver is: no interrupt (an eventfd write
	 * on hostlane's I/O lcore and an injection) per frame either way. */
	vqs[RXQ].avail[0] = VRING_AVAIL_F_NO_INTERRUPT;
	vqs[TXQ].avail[0] = VRING_AVAIL_F_NO_INTERRUPT;
	bench_hello();
	put_str("READY\n");
	for (;;) {
		get_line(line, sizeof(line));
		unsigned int n = split(line, w, MAX_ARGS);

		if (n == 1 && w[0][0] == 'P') {
			put_str("PONG\n");
		} else if (n == 1 && w[0][0] == 'T') {
			uint64_t t = rdtsc();

			put_str("T ");
			put_u64(t);
			put_char('\n');
		} else if (n == 2 && w[0][0] == 'O') {
			cmd_open(w[1]);
		} else if (n == 8 && w[0][0] == 'C') {
			cmd_cell(w);
		} else if (n == 1 && w[0][0] == 'Q') {
			call(HL_OP_BYE, 0, 0, 0, NULL, 0, &r);
			finish(1);
		} else if (n != 0) {
			fail("unknown command");
		}
	}
}
