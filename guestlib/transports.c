/* SPDX-License-Identifier: BSD-3-Clause */
/* hl_connect()'s transport URI: memif (default), packet: or dpdk:. */
#include <stdio.h>
#include <string.h>

#include "hl_memif.h"
#include "hl_transport.h"

static int
memif_open(const char *path, const char *secret, const struct hl_opts *o,
	   struct hl_tp *out, char *reason, size_t reason_len)
{
	struct hl_memif_cfg cfg = {
		.socket_path = path, .secret = secret, .name = o->name,
		.interface_id = o->interface_id,
		.log2_ring_size = o->log2_ring_size, .wait_mode = o->wait_mode,
		.spin_polls = o->spin_polls, .timeout_ms = o->timeout_ms,
		.bulk_bytes = o->bulk_bytes,
	};
	int64_t deadline = hl_deadline(o->timeout_ms);
	uint32_t code;
	struct hl_memif *m;
	int rc = hl_memif_open(&cfg, &m, reason, reason_len, &code);

	/* A host whose max_region_size leaves no room for the bulk area:
	 * connect without it (calls are then limited to one frame), within
	 * the same timeout. */
	if (rc == HL_E_REFUSED && cfg.bulk_bytes != 0 &&
	    code == HL_MEMIF_DISC_REGION_SIZE) {
		cfg.bulk_bytes = 0;
		cfg.timeout_ms = hl_ms_left(deadline);
		rc = hl_memif_open(&cfg, &m, reason, reason_len, NULL);
	}
	if (rc != HL_OK)
		return rc;
	out->ops = &hl_memif_ops;
	out->tp = m;
	return HL_OK;
}

/* The part after "scheme:" if uri starts with it, else NULL. */
static const char *
scheme_arg(const char *uri, const char *scheme)
{
	size_t n = strlen(scheme);

	return strncmp(uri, scheme, n) == 0 && uri[n] == ':' ? uri + n + 1 : NULL;
}

int
hl_transport_open(const char *uri, const char *secret,
		  const struct hl_opts *o, struct hl_tp *out,
		  char *reason, size_t reason_len)
{
	const char *arg;

	memset(out, 0, sizeof(*out));
	if ((arg = scheme_arg(uri, "packet")) != NULL)
		return hl_packet_open(arg, o, out, reason, reason_len);
	if ((arg = scheme_arg(uri, "dpdk")) != NULL)
		return hl_dpdk_open(arg, o, out, reason, reason_len);
	if ((arg = scheme_arg(uri, "memif")) == NULL)
		arg = uri;		/* a plain path: memif, as ever */
	if (*arg == '\0') {
		snprintf(reason, reason_len, "empty memif socket path");
		return HL_E_INVAL;
	}
	return memif_open(arg, secret, o, out, reason, reason_len);
}
