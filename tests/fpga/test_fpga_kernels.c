/* SPDX-License-Identifier: BSD-3-Clause */
/* Known values of the software kernels, derived independently here. */
#include <stdint.h>
#include <string.h>

#include "fpga_check.h"
#include "sw_kernels.h"

/* 51! mod 2^64, from arbitrary-precision arithmetic (python math.factorial). */
#define FACT51_MOD64 UINT64_C(18284192274659147776)

/* n! mod 2^64 in 16-bit limbs, schoolbook, ascending: a different path. */
static uint64_t
ref_factorial(unsigned int n)
{
	uint32_t limb[4] = { 1, 0, 0, 0 }, carry;
	unsigned int i, k;

	for (i = 2; i <= n; i++) {
		carry = 0;
		for (k = 0; k < 4; k++) {
			carry += limb[k] * i;
			limb[k] = carry & 0xFFFF;
			carry >>= 16;
		}
	}
	return (uint64_t)limb[3] << 48 | (uint64_t)limb[2] << 32 |
	       (uint64_t)limb[1] << 16 | limb[0];
}

/* fib(n) by the doubling identities, a different path from iteration. */
static void
ref_fib_pair(uint64_t n, uint64_t *f, uint64_t *f1)
{
	uint64_t a, b, c, d;

	if (n == 0) {
		*f = 0;
		*f1 = 1;
		return;
	}
	ref_fib_pair(n / 2, &a, &b);
	c = a * (2 * b - a);
	d = a * a + b * b;
	*f = (n & 1) ? d : c;
	*f1 = (n & 1) ? c + d : d;
}

static uint64_t
ref_fibonacci(uint64_t n)
{
	uint64_t f, f1;

	ref_fib_pair(n, &f, &f1);
	return f;
}

/* Bitwise reflected CRC-32C, polynomial 0x82F63B78. */
static uint32_t
ref_crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	return crc ^ 0xFFFFFFFFu;
}

static void
test_factorial(void)
{
	unsigned int n;

	CHECK_U64(fpga_sw_factorial(0, 1), 1);
	CHECK_U64(fpga_sw_factorial(1, 1), 1);
	CHECK_U64(fpga_sw_factorial(20, 1), UINT64_C(2432902008176640000));
	CHECK_U64(ref_factorial(51), FACT51_MOD64);
	CHECK_U64(fpga_sw_factorial(51, 1), FACT51_MOD64);
	CHECK_U64(fpga_sw_factorial(51, 1000), FACT51_MOD64);
	CHECK_U64(fpga_sw_factorial(65, 1), ref_factorial(65));
	CHECK(fpga_sw_factorial(65, 1) != 0);
	CHECK_U64(fpga_sw_factorial(66, 1), 0);
	for (n = 0; n <= 70; n++)
		CHECK_U64(fpga_sw_factorial(n, 3), ref_factorial(n));
}

static void
test_fibonacci(void)
{
	uint64_t n;

	CHECK_U64(fpga_sw_fibonacci(0, 1), 0);
	CHECK_U64(fpga_sw_fibonacci(1, 1), 1);
	CHECK_U64(fpga_sw_fibonacci(2, 1), 1);
	CHECK_U64(fpga_sw_fibonacci(10, 1), 55);
	CHECK_U64(fpga_sw_fibonacci(93, 1), UINT64_C(12200160415121876738));
	CHECK_U64(fpga_sw_fibonacci(93, 1000), UINT64_C(12200160415121876738));
	for (n = 0; n <= 93; n++)
		CHECK_U64(fpga_sw_fibonacci(n, 2), ref_fibonacci(n));
}

static void
test_crc32c(void)
{
	uint8_t buf[300];
	size_t off, len;

	CHECK_U64(fpga_sw_crc32c("123456789", 9), 0xE3069283u);
	CHECK_U64(ref_crc32c((const uint8_t *)"123456789", 9), 0xE3069283u);
	CHECK_U64(fpga_sw_crc32c(NULL, 0), 0);
	for (off = 0; off < sizeof(buf); off++)
		buf[off] = (uint8_t)(off * 131 + 7);
	/* every length and alignment, across the 8/4/2/1-byte steps */
	for (off = 0; off < 8; off++)
		for (len = 0; len + off <= sizeof(buf); len += 1 + len / 16)
			CHECK_U64(fpga_sw_crc32c(buf + off, (uint32_t)len),
				  ref_crc32c(buf + off, len));
}

int
main(void)
{
	test_factorial();
	test_fibonacci();
	test_crc32c();
	return check_exit("test_fpga_kernels");
}
