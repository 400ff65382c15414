/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * hostile_host: a hostile memif server (no DPDK) against libhostlane.
 *
 * libhostlane must survive a broken or malicious host as hostlane survives
 * its guests. Each case runs the library in a child process of its own (so
 * that a crash, an abort or a hang is that case's failure, not the run's)
 * against a server played by the parent, step by step, with every message,
 * descriptor, ring index and frame under the case's control.
 *
 * Server side (hh_srv.c, the parent): a listening SOCK_SEQPACKET socket,
 * one accepted connection at a time, the memif handshake in steps
 * (hh_hs_*), the client's region mapped, C2S frames read and S2C frames
 * written by hand, and a small honest host (hh_answer()) for the frames a
 * case does not attack. Every wait is bounded (HH_WAIT_MS) and ends early
 * when the client process has exited.
 *
 * Client side (hh_client.c, the child): helpers to connect and to check
 * outcomes; the runner (hh_main.c) counts the child's open fds and its
 * mappings of the memif region before and after the case, and the child
 * exits through exit() so that LeakSanitizer checks it in the ASan build.
 */
#ifndef HH_H
#define HH_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <hostlane/hostlane.h>
#include <hostlane/memif.h>
#include <hostlane/proto.h>

#define HH_WAIT_MS 10000	/**< server waits that should end long before */
#define HH_CHILD_MS 60000	/**< a client still running after this hangs */
#define HH_SHORT_MS 400		/**< client timeout where a timeout is wanted */
#define HH_LONG_MS 5000		/**< client timeout where success is wanted */
#define HH_MAX_FDS 16		/**< fds one server message may carry */

extern const uint8_t hh_host_mac[6];	/**< the honest host's MAC */
extern const uint8_t hh_evil_mac[6];	/**< a neighbour's MAC */

/** The honest host's HELLO reply, as a case may bend it. */
struct hh_hello {
	uint32_t len;		/**< payload bytes; default sizeof(hl_hello) */
	uint16_t vmin, vmax;	/**< default 1..1 */
	uint32_t max_bulk;	/**< default 0: no bulk calls */
	uint16_t status;	/**< reply status; default HL_OK */
};

/** The server: one listening socket, one client connection at a time. */
struct hh_srv {
	char path[108];
	int lfd;
	int fd;			/**< accepted connection, or -1 */
	pid_t child;		/**< the libhostlane process */
	int child_status;
	int child_done;
	int failures;		/**< server-side assertions that failed */
	uint32_t conns;		/**< connections accepted */
	struct memif_msg_hello memif_hello; /**< what hh_hs_hello() sends */
	struct hh_hello hello;
	int drip_ms;		/**< hh_sendmsg() waits this long first */
	/* The client's region and rings, after the handshake. */
	int memfd;
	uint8_t *base;
	uint64_t size;
	int efd[2];		/**< [0] C2S, [1] S2C interrupt */
	uint32_t ring_off[2];
	unsigned int log2;
	struct memif_ring *c2s, *s2c;
	uint16_t c2s_tail;	/**< C2S slots consumed */
	uint16_t s2c_tail;	/**< S2C slots filled */
	/* What the honest host saw. */
	uint32_t sessions;
	uint32_t bulk_calls;
	uint32_t wrong_dst;	/**< requests not to the host's MAC after HELLO */
};

#define SRV_FAIL(s, ...) do { \
	fprintf(stderr, "  server: " __VA_ARGS__); \
	fputc('\n', stderr); \
	(s)->failures++; \
} while (0)

/* hh_srv.c: waiting, the control channel, the handshake. */
int hh_child_alive(struct hh_srv *s);
int hh_wait(struct hh_srv *s, int fd, int ms);
int hh_pause(struct hh_srv *s, int ms);
int hh_accept(struct hh_srv *s);
int hh_sendmsg(struct hh_srv *s, const void *buf, size_t len, const int *fds,
	       int nfd);
int hh_send(struct hh_srv *s, uint16_t type);
/* A DISCONNECT with a code (hostlane/memif.h) and any words. */
int hh_send_disconnect(struct hh_srv *s, uint32_t code, const char *reason);
int hh_recv(struct hh_srv *s, struct memif_msg *msg);
int hh_expect(struct hh_srv *s, uint16_t type, int *fd);
int hh_hs_hello(struct hh_srv *s);
int hh_hs_init(struct hh_srv *s);
int hh_hs_region(struct hh_srv *s);
int hh_hs_rings(struct hh_srv *s);
int hh_hs_connect(struct hh_srv *s);
int hh_handshake(struct hh_srv *s);
void hh_conn_close(struct hh_srv *s);

/* hh_srv.c: frames on the rings, and the honest host. */
int hh_frame(struct hh_srv *s, uint8_t *buf, uint32_t *len, int ms);
struct memif_desc *hh_s2c_next(struct hh_srv *s, uint8_t **buf);
void hh_s2c_publish(struct hh_srv *s, uint16_t n);
int hh_put(struct hh_srv *s, const void *frame, uint32_t len);
uint32_t hh_answer(struct hh_srv *s, const uint8_t *req, uint32_t len,
		   uint8_t *out);
int hh_serve_until(struct hh_srv *s, uint16_t op, uint8_t *req, uint32_t *len);
int hh_serve_all(struct hh_srv *s);
uint64_t hh_factorial(uint64_t n);

/* hh_client.c: the child's side. */
extern int hh_client_failures;

#define CLI_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "  client: %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		hh_client_failures++; \
	} \
} while (0)

void hh_opts(struct hl_opts *o, int timeout_ms);
int hh_fd_count(void);
int hh_region_maps(void);
void hh_connect_fails(const char *path, const struct hl_opts *o, int want,
		      const char *why);
struct hl_conn *hh_connect(const char *path, const struct hl_opts *o);
struct hl_fn *hh_open(struct hl_conn *c, const char *name);
void hh_reason_has(const char *reason, const char *want);

/** One attack: the server's script (parent) and the client's (child). */
struct hh_case {
	const char *name;
	const char *what;	/**< what the library must do */
	void (*server)(struct hh_srv *s);
	void (*client)(const char *path);
	int full_backlog;	/**< listen backlog full before the client runs */
};

extern const struct hh_case hh_ctl_cases[];
extern const struct hh_case hh_conn_cases[];

#endif /* HH_H */
