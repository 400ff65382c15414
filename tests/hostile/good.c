/* SPDX-License-Identifier: BSD-3-Clause */
/* good: the well-behaved guest that runs beside every attack (see good.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hostlane/hostlane.h>

#include "hl_conn.h"	/* struct hl_fn: its session id, for isolation tests */
#include "good.h"

#define GOOD_WAIT_MS 20000

static const char *const fn_names[GOOD_NFN] = {
	[GOOD_FACTORIAL] = "factorial", [GOOD_FIBONACCI] = "fibonacci",
	[GOOD_CRC32C] = "crc32c", [GOOD_ECHO] = "echo",
};

uint32_t
good_crc32c(const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xFFFFFFFFu;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
	}
	return crc ^ 0xFFFFFFFFu;
}

static uint64_t
factorial(uint64_t n)
{
	uint64_t acc = 1;

	for (; n > 1; n--)
		acc *= n;
	return acc;
}

static uint64_t
fibonacci(uint64_t n)
{
	uint64_t a = 0, b = 1, t;

	for (; n > 0; n--) {
		t = a + b;
		a = b;
		b = t;
	}
	return a;
}

static void
note(struct good *g, int fn, int st, const char *what)
{
	if (st != HL_OK)
		__atomic_add_fetch(&g->failed, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&g->wrong, 1, __ATOMIC_RELAXED);
	if (g->err[0] == '\0')
		snprintf(g->err, sizeof(g->err), "%s: %s: %s", fn_names[fn], what,
			 hl_strerror(st));
}

static void
count_ok(struct good *g, int fn)
{
	__atomic_add_fetch(&g->ok[fn], 1, __ATOMIC_RELEASE);
}

/* One round: each function once, inputs varied by i, results checked. */
static void
round_once(struct good *g, struct hl_fn **fns, uint64_t i)
{
	uint8_t in[HL_PAYLOAD_MAX], out[HL_PAYLOAD_MAX];
	uint32_t len = (uint32_t)(i * 131 % HL_PAYLOAD_MAX) + 1, out_len = 0;
	enum hl_fn_state state;
	uint64_t r = 0;
	int st;

	for (uint32_t k = 0; k < len; k++)
		in[k] = (uint8_t)(i * 7 + k * 13);
	st = hl_fn_call_u64(fns[GOOD_FACTORIAL], i % 21, 1 + i % 3, &r);
	if (st != HL_OK || r != factorial(i % 21))
		note(g, GOOD_FACTORIAL, st, "call");
	else
		count_ok(g, GOOD_FACTORIAL);
	st = hl_fn_call_u64(fns[GOOD_FIBONACCI], i % 94, 1, &r);
	if (st != HL_OK || r != fibonacci(i % 94))
		note(g, GOOD_FIBONACCI, st, "call");
	else
		count_ok(g, GOOD_FIBONACCI);
	st = hl_fn_set(fns[GOOD_CRC32C], in, len, 0, 0, &state);
	if (st == HL_OK)
		st = hl_fn_get(fns[GOOD_CRC32C], NULL, 0, NULL, &r, &state);
	if (st != HL_OK || state != HL_FN_DONE || r != good_crc32c(in, len))
		note(g, GOOD_CRC32C, st, "set + get");
	else
		count_ok(g, GOOD_CRC32C);
	st = hl_fn_call(fns[GOOD_ECHO], in, len, out, sizeof(out), &out_len);
	if (st != HL_OK || out_len != len || memcmp(in, out, len) != 0)
		note(g, GOOD_ECHO, st, "call");
	else
		count_ok(g, GOOD_ECHO);
}

static int
setup(struct good *g, struct hl_conn **c, struct hl_fn **fns)
{
	int st = hl_connect(g->sock, g->secret, NULL, c);

	if (st != HL_OK) {
		snprintf(g->err, sizeof(g->err), "connect: %s: %s", hl_strerror(st),
			 hl_connect_reason());
		return -1;
	}
	for (int f = 0; f < GOOD_NFN; f++) {
		st = hl_fn_open(*c, fn_names[f], HL_PLACE_ANY, &fns[f]);
		if (st == HL_OK)
			st = hl_fn_activate(fns[f], NULL);
		if (st != HL_OK) {
			snprintf(g->err, sizeof(g->err), "open %s: %s", fn_names[f],
				 hl_strerror(st));
			return -1;
		}
		g->sessions[f] = fns[f]->session;
	}
	return 0;
}

static void *
good_main(void *arg)
{
	struct good *g = arg;
	struct hl_fn *fns[GOOD_NFN] = { NULL };
	struct hl_conn *c = NULL;
	uint64_t i = 0;

	if (setup(g, &c, fns) < 0) {
		__atomic_store_n(&g->ready, -1, __ATOMIC_RELEASE);
		hl_disconnect(c);
		return NULL;
	}
	__atomic_store_n(&g->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&g->stop, __ATOMIC_ACQUIRE))
		round_once(g, fns, i++);
	for (int f = 0; f < GOOD_NFN; f++) {
		int st = hl_fn_close(fns[f]);

		if (st != HL_OK)
			note(g, f, st, "close");
	}
	hl_disconnect(c);
	return NULL;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int
good_start(struct good *g, const char *sock, const char *secret)
{
	memset(g, 0, sizeof(*g));
	g->sock = sock;
	g->secret = secret;
	if (pthread_create(&g->thread, NULL, good_main, g) != 0) {
		snprintf(g->err, sizeof(g->err), "pthread_create failed");
		return -1;
	}
	for (int t = 0; t < GOOD_WAIT_MS / 10; t++) {
		int r = __atomic_load_n(&g->ready, __ATOMIC_ACQUIRE);

		if (r != 0)
			return r > 0 ? 0 : -1;
		sleep_ms(10);
	}
	snprintf(g->err, sizeof(g->err), "not ready within %d ms", GOOD_WAIT_MS);
	return -1;
}

uint64_t
good_total(const struct good *g)
{
	uint64_t n = 0;

	for (int f = 0; f < GOOD_NFN; f++)
		n += __atomic_load_n(&g->ok[f], __ATOMIC_ACQUIRE);
	return n;
}

int
good_wait_progress(const struct good *g, uint64_t since, uint64_t n)
{
	for (int t = 0; t < GOOD_WAIT_MS / 5; t++) {
		if (__atomic_load_n(&g->wrong, __ATOMIC_RELAXED) != 0 ||
		    __atomic_load_n(&g->failed, __ATOMIC_RELAXED) != 0)
			return -1;
		if (good_total(g) >= since + n)
			return 0;
		sleep_ms(5);
	}
	return -1;
}

void
good_stop(struct good *g)
{
	__atomic_store_n(&g->stop, 1, __ATOMIC_RELEASE);
	pthread_join(g->thread, NULL);
}
