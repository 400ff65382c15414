/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/accel_guest: the guest side of bench/accel's "full guest path"
 * rows. A libhostlane guest keeps every bulk slot busy with one function
 * (sha256 of 4 KiB, deflate of 64 KiB, inflate to 64 KiB, ...) for a while
 * and prints the completed calls per second. Inputs and outputs go through
 * shared memory (FN_CALL_BULK); hostlane's accelerator backend reads and
 * writes them in place. Every completion is checked: status OK and the
 * same output length as the first (a fixed input gives a fixed output);
 * inflate's first output must be accel_input.h's BYTES, its length BYTES.
 * A call the host refuses with HL_E_BUSY (its accelerator queue full) is
 * sent again and counted.
 *
 * usage: accel_guest SOCKET SECRET FN BYTES MS [poll|hybrid|intr]
 *                    [--in FILE]
 *        (how the guest waits for completions, default poll; --in: the
 *        input from FILE, for inflate the stream `accel --make-stream`
 *        wrote; BYTES is then the output's size)
 * prints: accel_guest FN BYTES calls_per_s=N mib_per_s=M calls=C out_len=L
 *         busy=B in_flight=32 cpu_ms=T (its own CPU time)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <hostlane/hostlane.h>

#include "accel_input.h"

#define SLOTS 32u
#define SLOT_BYTES (256u << 10)
#define POLL_MS 5000

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct run {
	struct hl_conn *c;
	struct hl_fn *fn;
	const uint8_t *in;
	uint32_t len;
	uint32_t out_cap;
	uint8_t *out;		/* SLOTS * out_cap */
	uint32_t want_len;	/* 0 until the first completion */
	const uint8_t *want;	/* the first output must be these bytes */
	uint32_t want_bytes;	/* ... this many */
	uint64_t done;
	uint64_t busy;		/* calls the host refused with HL_E_BUSY */
	int bad;
};

static int
submit(struct run *r, uint64_t slot)
{
	return hl_fn_submit(r->fn, r->in, r->len, r->out + slot * r->out_cap,
			    r->out_cap, slot);
}

static int
reap(struct run *r, int wait_ms, int resubmit)
{
	struct hl_completion cp[SLOTS];
	int n = hl_poll(r->c, cp, SLOTS, wait_ms);

	for (int i = 0; i < n; i++) {
		if (cp[i].status == HL_E_BUSY) {	/* backpressure: again */
			r->busy++;
			if (submit(r, cp[i].tag) != HL_OK)
				r->bad++;
			continue;
		}
		if (r->want_len == 0)
			r->want_len = cp[i].out_len;
		if (r->want != NULL && r->done == 0 && cp[i].status == HL_OK &&
		    (cp[i].out_len != r->want_bytes ||
		     memcmp(r->out + cp[i].tag * r->out_cap, r->want, r->want_bytes) != 0)) {
			fprintf(stderr, "accel_guest: wrong output\n");
			r->bad++;
		}
		if (cp[i].status != HL_OK || cp[i].out_len != r->want_len) {
			if (r->bad++ == 0)
				fprintf(stderr, "accel_guest: call %" PRIu64 ": %s, %u bytes\n",
					cp[i].tag, hl_status_name(cp[i].status),
					cp[i].out_len);
		}
		r->done++;
		if (resubmit && submit(r, cp[i].tag) != HL_OK)
			r->bad++;
	}
	return n;
}

static int
open_run(struct run *r, const char *sock, const char *secret, const char *name,
	 enum hl_wait_mode wait)
{
	struct hl_opts o;
	int rc;

	hl_opts_init(&o);
	o.bulk_slot = SLOT_BYTES;
	o.bulk_bytes = (uint64_t)SLOTS * SLOT_BYTES;
	o.wait_mode = wait;
	rc = hl_connect(sock, secret, &o, &r->c);
	if (rc == HL_OK)
		rc = hl_fn_open(r->c, name, HL_PLACE_ANY, &r->fn);
	if (rc == HL_OK)
		rc = hl_fn_activate(r->fn, NULL);
	if (rc != HL_OK)
		fprintf(stderr, "accel_guest: %s: %s (%s)\n", name, hl_status_name(rc),
			hl_connect_reason());
	return rc;
}

/* The input: FILE's bytes, or accel_input.h's; NULL if unreadable. */
static uint8_t *
load_input(const char *path, uint32_t bytes, uint32_t *len)
{
	uint8_t *in = malloc(SLOT_BYTES);
	FILE *f;

	if (in == NULL)
		return NULL;
	if (path == NULL) {
		*len = bytes;
		if (bytes > SLOT_BYTES)
			return NULL;
		accel_input_fill(in, bytes);	/* as bench/accel --direct */
		return in;
	}
	f = fopen(path, "rb");
	*len = f != NULL ? (uint32_t)fread(in, 1, SLOT_BYTES, f) : 0;
	if (f != NULL)
		fclose(f);
	return *len != 0 ? in : NULL;
}

/* This process's CPU time, for the driver's contention check. */
static double
cpu_ms(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int
usage(void)
{
	fprintf(stderr, "usage: accel_guest SOCKET SECRET FN BYTES MS "
			"[poll|hybrid|intr] [--in FILE]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct run r = { 0 };
	uint64_t t0, t1, ms, calls0, calls1;
	uint32_t bytes;
	const char *in_path = NULL;
	uint8_t *in, *want = NULL;
	enum hl_wait_mode wait = HL_WAIT_POLL;

	if (argc < 6)
		return usage();
	for (int i = 6; i < argc; i++) {
		if (strcmp(argv[i], "hybrid") == 0)
			wait = HL_WAIT_HYBRID;
		else if (strcmp(argv[i], "intr") == 0)
			wait = HL_WAIT_INTR;
		else if (strcmp(argv[i], "--in") == 0 && i + 1 < argc)
			in_path = argv[++i];
		else if (strcmp(argv[i], "poll") != 0)
			return usage();
	}
	bytes = (uint32_t)strtoul(argv[4], NULL, 0);
	ms = strtoull(argv[5], NULL, 0);
	in = load_input(in_path, bytes, &r.len);
	r.out_cap = (in_path != NULL ? bytes : r.len) + 1024;
	r.out = malloc((size_t)SLOTS * r.out_cap);
	if (in_path != NULL) {
		want = malloc(bytes);
		if (want != NULL)
			accel_input_fill(want, bytes);
	}
	if (in == NULL || r.out == NULL || bytes == 0 || (in_path != NULL && want == NULL) ||
	    ((r.len + 63) & ~63u) + r.out_cap > SLOT_BYTES)
		return usage();
	r.in = in;
	r.want = want;
	r.want_bytes = bytes;
	if (open_run(&r, argv[1], argv[2], argv[3], wait) != HL_OK)
		return 1;
	for (uint64_t k = 0; k < SLOTS; k++)
		if (submit(&r, k) != HL_OK)
			return 1;
	/* Warm up for a tenth of the time, then count. */
	t0 = now_ns();
	while (now_ns() - t0 < ms * 100000ull && r.bad == 0)
		reap(&r, POLL_MS, 1);
	calls0 = r.done;
	t0 = now_ns();
	while ((t1 = now_ns()) - t0 < ms * 1000000ull && r.bad == 0)
		reap(&r, POLL_MS, 1);
	calls1 = r.done;
	/* Collect what is still in flight: every call completes once. */
	while (r.done - calls1 < SLOTS && reap(&r, POLL_MS, 0) > 0)
		;
	if (r.done - calls1 != SLOTS)
		r.bad++;
	printf("accel_guest %s %u calls_per_s=%.0f mib_per_s=%.1f calls=%" PRIu64
	       " out_len=%u busy=%" PRIu64 " in_flight=%u cpu_ms=%.0f\n", argv[3], bytes,
	       (double)(calls1 - calls0) * 1e9 / (double)(t1 - t0),
	       (double)(calls1 - calls0) * bytes * 1e9 / (double)(t1 - t0) /
	       1048576.0, r.done, r.want_len, r.busy, SLOTS, cpu_ms());
	hl_fn_close(r.fn);
	hl_disconnect(r.c);
	free(in);
	free(want);
	free(r.out);
	return r.bad == 0 ? 0 : 1;
}
