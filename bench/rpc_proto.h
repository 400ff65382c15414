/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Wire format of the bench's TCP RPC (the Guest-Net baseline of
 * bench/offload and bench/virtfun): a fixed header, then len payload bytes, both ways. Host
 * byte order: client and server are the same machine. Requests on one
 * connection are answered in order, so a client may pipeline them.
 */
#ifndef HOSTLANE_BENCH_RPC_PROTO_H
#define HOSTLANE_BENCH_RPC_PROTO_H

#include <stdint.h>

/** Largest payload either way. */
#define RPC_PAYLOAD_MAX 2048u

/** Functions: the same ids as fpga/accel.h's catalog. */
enum rpc_fn {
	RPC_FN_ECHO = 1,	/**< payload back unchanged */
	RPC_FN_FACTORIAL = 2,	/**< arg0 = n, arg1 = repetitions */
	RPC_FN_FIBONACCI = 3,	/**< arg0 = n, arg1 = repetitions */
};

/** A request; len payload bytes follow. */
struct rpc_req {
	uint32_t fn;		/**< enum rpc_fn */
	uint32_t len;		/**< payload bytes, <= RPC_PAYLOAD_MAX */
	uint64_t arg0;
	uint64_t arg1;
};

/** A response; len payload bytes follow. */
struct rpc_resp {
	int32_t status;		/**< 0, or a negative errno */
	uint32_t len;		/**< payload bytes */
	uint64_t result;	/**< scalar result */
};

_Static_assert(sizeof(struct rpc_req) == 24, "rpc_req is 24 bytes");
_Static_assert(sizeof(struct rpc_resp) == 16, "rpc_resp is 16 bytes");

#endif /* HOSTLANE_BENCH_RPC_PROTO_H */
