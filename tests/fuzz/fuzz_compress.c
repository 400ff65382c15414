/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the compressdev backend (fpga/compressdev.c) on DPDK's
 * compress_isal - the PMD that once spun for ever inside its enqueue on a
 * 10-byte stream without a final block - driven with guest-chosen streams
 * and output rooms. A job that does not complete is a hang: libFuzzer's
 * -timeout (smoke.sh, scripts/fuzz.sh) makes it a finding, and so does a
 * job still pending after a bounded number of polls.
 *
 * Input: u8 mode (bit 0: inflate, else deflate; bit 1: staged context,
 * else zero-copy), u32 room (mod 70000, little-endian), then the job's
 * input (cut to the backend's input limit).
 *
 * Checked beyond the sanitizers: every job completes exactly once; the
 * device never writes past the room (the room sits before a PROT_NONE
 * page, and its tail after the reported length is compared); inflate
 * succeeds exactly when zlib inflates the input completely into the room
 * (unless the stream is over deflate_check.h's block limit: -E2BIG), with
 * zlib's bytes; fpga_deflate_check() agrees with zlib on every input;
 * deflate's output inflates back to its input with zlib.
 */
#include <errno.h>
#include <sys/mman.h>

#include <zlib.h>

#include <rte_lcore.h>

#define HL_FUZZ_WITH_EAL
#include "fuzz_common.h"
#include "accel.h"
#include "compressdev.h"
#include "deflate_check.h"

#define ROOM_MAX 70000u
#define PAGE 4096u
#define POLLS_MAX 1000000u

static struct fpga_ctx *ctx[2];		/* zero-copy, staged */
static uint8_t *room_map;		/* ROOM_MAX bytes, then PROT_NONE */
static size_t room_map_len;
static uint32_t max_in, max_out;
static uint8_t ref[ROOM_MAX + 1];

/* zlib's raw inflate of in into ref: its length, or -1 if the stream does
 * not end exactly at the end of in or its output exceeds room. */
static long
zlib_inflate(const uint8_t *in, uint32_t len, uint32_t room)
{
	z_stream z = { 0 };
	long out;
	int rc;

	if (inflateInit2(&z, -15) != Z_OK)
		abort();
	z.next_in = (uint8_t *)(uintptr_t)in;
	z.avail_in = len;
	z.next_out = ref;
	z.avail_out = room + 1;		/* one more: to see "too large" */
	rc = inflate(&z, Z_FINISH);
	out = (long)(room + 1 - z.avail_out);
	inflateEnd(&z);
	return rc == Z_STREAM_END && z.avail_in == 0 && out <= room ? out : -1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fpga_ctx_conf conf = { .depth = 16, .socket_id = 0 };
	struct fpga_compressdev_conf cz = { .devargs = "compress_isal",
					    .nb_qp = 2 };
	const char *vdev[] = { "--vdev", "compress_isal" };
	struct fpga_fn_caps caps;

	(void)argc;
	(void)argv;
	fuzz_eal_start_with("fuzz_compress", vdev, 2);
	if (fpga_compressdev_register_conf(&cz) < 0)
		abort();
	ctx[0] = fpga_init(fpga_backend_find(FPGA_COMPRESSDEV_BACKEND_NAME), &conf);
	ctx[1] = fpga_init(fpga_backend_find(FPGA_COMPRESSDEV_BACKEND_NAME), &conf);
	if (ctx[0] == NULL || ctx[1] == NULL ||
	    fpga_compressdev_ctx_stage(ctx[1], true) < 0)
		abort();
	if (fpga_fn_caps(fpga_backend_find(FPGA_COMPRESSDEV_BACKEND_NAME),
			 FPGA_FN_DEFLATE, &caps) < 0)
		abort();
	max_in = caps.max_in_len;
	if (fpga_fn_caps(fpga_backend_find(FPGA_COMPRESSDEV_BACKEND_NAME),
			 FPGA_FN_INFLATE, &caps) < 0)
		abort();
	max_out = caps.max_in_len;	/* inflate takes what deflate makes */
	room_map_len = (ROOM_MAX + PAGE - 1) / PAGE * PAGE + PAGE;
	room_map = mmap(NULL, room_map_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (room_map == MAP_FAILED ||
	    mprotect(room_map + room_map_len - PAGE, PAGE, PROT_NONE) < 0)
		abort();
	return 0;
}

/* Run one job to its completion, within a bound. */
static struct fpga_completion
run(struct fpga_ctx *c, struct fpga_job *job)
{
	struct fpga_completion done[2];
	unsigned int n = 0, polls = 0;

	FUZZ_CHECK(fpga_submit(c, job, 1) == 1, "submit refused one job");
	while (n == 0) {
		n = fpga_poll(c, done, 2);
		FUZZ_CHECK(++polls < POLLS_MAX, "job %u not done after %u polls",
			   (unsigned int)job->tag, polls);
	}
	FUZZ_CHECK(n == 1 && done[0].tag == job->tag, "%u completions", n);
	return done[0];
}

static void
check_inflate(const uint8_t *in, uint32_t len, uint32_t room,
	      const struct fpga_completion *c, const uint8_t *out)
{
	struct fpga_deflate_seg seg = { .p = in, .len = len };
	uint32_t clen = 0;
	int crc = fpga_deflate_check(&seg, 1, room, &clen);
	long want = zlib_inflate(in, len, room);

	if (crc == -E2BIG || (crc == -EMSGSIZE && want < 0)) {
		FUZZ_CHECK(c->status != 0, "over a limit, yet inflated");
		return;
	}
	FUZZ_CHECK((crc == 0) == (want >= 0), "check %d, zlib %ld", crc, want);
	if (want < 0) {
		FUZZ_CHECK(c->status != 0, "zlib refuses, backend says OK");
		return;
	}
	FUZZ_CHECK(clen == (uint32_t)want, "check says %u bytes, zlib %ld",
		   clen, want);
	FUZZ_CHECK(c->status == 0, "zlib inflates %ld bytes, backend %d",
		   want, c->status);
	FUZZ_CHECK(c->out_len == (uint32_t)want && memcmp(out, ref, c->out_len) == 0,
		   "backend gave %u bytes, zlib %ld", c->out_len, want);
	/* The device is handed exactly that much room: nothing beyond (up
	 * to the end of the room the job gave: the caller's room). */
	for (uint32_t i = c->out_len; i < room; i++)
		FUZZ_CHECK(out[i] == 0xA5, "byte %u of the room written", i);
}

static void
check_deflate(const uint8_t *in, uint32_t len, uint32_t room,
	      const struct fpga_completion *c, const uint8_t *out)
{
	if (c->status != 0) {
		/* Only a room too small (compress_isal: no room at all is an
		 * invalid argument). */
		FUZZ_CHECK(c->status == -EMSGSIZE || (room == 0 && c->status == -EINVAL),
			   "deflate of %u bytes into %u failed %d", len, room,
			   c->status);
		return;
	}
	FUZZ_CHECK(c->out_len <= room, "%u bytes in a room of %u", c->out_len, room);
	FUZZ_CHECK(zlib_inflate(out, c->out_len, ROOM_MAX) == (long)len &&
		   memcmp(ref, in, len) == 0, "deflate output does not inflate back");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in fi = { data, size };
	uint8_t mode = fuzz_u8(&fi);
	uint32_t room = fuzz_u32(&fi) % ROOM_MAX;
	bool inflate = mode & 1;
	uint32_t len = (uint32_t)fi.n;
	uint8_t *out = room_map + room_map_len - PAGE - room;
	struct fpga_job job = { .tag = 7, .out = out, .out_cap = room };
	struct fpga_completion c;

	if (len > (inflate ? max_out : max_in))
		len = inflate ? max_out : max_in;
	job.fn = inflate ? FPGA_FN_INFLATE : FPGA_FN_DEFLATE;
	job.in = len != 0 ? fi.p : NULL;
	job.in_len = len;
	memset(out, 0xA5, room);
	c = run(ctx[(mode >> 1) & 1], &job);
	if (inflate)	/* the backend's room is at most its max_out_len */
		check_inflate(fi.p, len, room < max_out ? room : max_out, &c, out);
	else
		check_deflate(fi.p, len, room, &c, out);
	return 0;
}
