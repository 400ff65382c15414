/* SPDX-License-Identifier: BSD-3-Clause */
/* hl_report_ifstats(): a guest's own interface counters, for the host. */
#include <string.h>

#include "hl_conn.h"

int
hl_report_ifstats(struct hl_conn *c, const struct hl_ifstats *ifs, unsigned int n)
{
	struct hl_stats_report r = { .count = (uint16_t)n }, check;
	struct hl_req q = { .opcode = HL_OP_STATS_REPORT, .in = &r };
	struct hl_result res;
	int rc = hl_conn_check(c);

	if (rc != HL_OK)
		return rc;
	if (ifs == NULL || n == 0 || n > HL_REPORT_IFS_MAX)
		return HL_E_INVAL;
	memcpy(r.ifs, ifs, n * sizeof(*ifs));
	q.in_len = HL_STATS_REPORT_LEN(n);
	/* The host's own rules: a report it would refuse is never sent. */
	if (hl_proto_stats_report_parse(&r, q.in_len, &check) != HL_OK)
		return HL_E_INVAL;
	return hl_conn_call(c, &q, &res);
}
