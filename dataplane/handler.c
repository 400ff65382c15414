/* SPDX-License-Identifier: BSD-3-Clause */
/* The built-in frame handlers. */
#include <string.h>

#include <rte_mbuf.h>

#include "guest.h"
#include "handler.h"
#include "pipeline.h"
#include "pvswitch.h"

/* Send every frame back to the guest that sent it. */
static void
echo_rx(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n)
{
	dp_guest_tx(g, pkts, n);
}

static void
drop_rx(struct dp_guest *g, struct rte_mbuf **pkts, uint16_t n)
{
	g->fast.st.handler_drops += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

static const struct dp_handler handlers[] = {
	{ "hostlane", "serve hostlane requests (EtherType 0x88B5)", dp_pipe_rx },
	{ "echo", "send every frame back to its guest", echo_rx },
	{ "drop", "count and free every frame", drop_rx },
	{ "switch", "send every frame to the PV switch", dp_pvs_guest_rx },
};

const struct dp_handler *
dp_handler_find(const char *name)
{
	for (size_t i = 0; i < RTE_DIM(handlers); i++)
		if (strcmp(handlers[i].name, name) == 0)
			return &handlers[i];
	return NULL;
}

const char *
dp_handler_names(void)
{
	static char names[128];

	if (names[0] == '\0')
		for (size_t i = 0; i < RTE_DIM(handlers); i++) {
			if (i > 0)
				strncat(names, ", ", sizeof(names) - strlen(names) - 1);
			strncat(names, handlers[i].name,
				sizeof(names) - strlen(names) - 1);
		}
	return names;
}
