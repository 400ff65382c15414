/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * offload_demo: a guest program offloads functions to hostlane.
 *
 * For each function it runs VirtFun's four phases — negotiate (open),
 * activate, compute (call, or set + get), release (close) — and prints the
 * result and where the host ran it. Usage: offload_demo SOCKET [SECRET]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hostlane/hostlane.h>

static const char *
where(enum hl_placement p)
{
	return p == HL_PLACE_HW ? "hardware" : p == HL_PLACE_SW ? "software" : "any";
}

static int
check(int st, const char *what)
{
	if (st != HL_OK)
		fprintf(stderr, "offload_demo: %s: %s\n", what, hl_strerror(st));
	return st;
}

/* Open and activate a function, asking for hardware and taking software. */
static struct hl_fn *
open_fn(struct hl_conn *c, const char *name)
{
	enum hl_placement placed;
	struct hl_fn *fn;

	if (check(hl_fn_open(c, name, HL_PLACE_ANY, &fn), name) != HL_OK)
		return NULL;
	if (check(hl_fn_activate(fn, &placed), name) != HL_OK) {
		hl_fn_close(fn);
		return NULL;
	}
	printf("  %-10s negotiated, activated on %s\n", name, where(placed));
	return fn;
}

static int
scalar(struct hl_conn *c, const char *name, uint64_t n, uint64_t reps)
{
	struct hl_fn *fn = open_fn(c, name);
	uint64_t r;
	int st;

	if (fn == NULL)
		return 1;
	st = check(hl_fn_call_u64(fn, n, reps, &r), name);
	if (st == HL_OK)
		printf("  %-10s (%" PRIu64 ", %" PRIu64 " repetitions) = %" PRIu64 "\n",
		       name, n, reps, r);
	check(hl_fn_close(fn), "close");
	return st != HL_OK;
}

static int
payload(struct hl_conn *c)
{
	static const char msg[] = "123456789";
	struct hl_fn *echo = open_fn(c, "echo"), *crc = open_fn(c, "crc32c");
	char out[64] = { 0 };
	enum hl_fn_state state;
	uint32_t len = 0;
	uint64_t r = 0;
	int bad = 1;

	if (echo != NULL && crc != NULL &&
	    check(hl_fn_call(echo, msg, sizeof(msg), out, sizeof(out), &len), "echo") == HL_OK &&
	    check(hl_fn_set(crc, msg, sizeof(msg) - 1, 0, 0, &state), "crc32c set") == HL_OK &&
	    check(hl_fn_get(crc, NULL, 0, &len, &r, &state), "crc32c get") == HL_OK) {
		printf("  echo       \"%s\" came back \"%s\"\n", msg, out);
		printf("  crc32c     (\"%s\") = 0x%08" PRIx64 " (set, then get)\n", msg, r);
		bad = strcmp(out, msg) != 0 || r != 0xE3069283u;
	}
	hl_fn_close(echo);
	hl_fn_close(crc);
	return bad;
}

int
main(int argc, char **argv)
{
	struct hl_conn *c;
	int bad;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s SOCKET [SECRET]\n", argv[0]);
		return 2;
	}
	if (hl_connect(argv[1], argc == 3 ? argv[2] : NULL, NULL, &c) != HL_OK) {
		fprintf(stderr, "offload_demo: cannot connect to %s: %s\n", argv[1],
			hl_connect_reason());
		return 1;
	}
	printf("connected to hostlane at %s\n", argv[1]);
	bad = scalar(c, "factorial", 20, 1000);
	bad |= scalar(c, "fibonacci", 93, 1000);
	bad |= payload(c);
	hl_disconnect(c);
	printf(bad ? "offload_demo: FAILED\n" : "all functions released; done\n");
	return bad;
}
