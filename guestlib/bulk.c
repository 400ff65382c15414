/* SPDX-License-Identifier: BSD-3-Clause */
/* The bulk pool: shared-memory slots for FN_CALL_BULK (hl_bulk.h). */
#include <stdlib.h>
#include <string.h>

#include "hl_bulk.h"

int
hl_bulk_reset(struct hl_bulk_pool *p, const struct hl_bulk_area *a,
	      uint32_t slot, uint32_t host_max)
{
	uint64_t n = slot != 0 && a->base != NULL && host_max != 0 ?
		     a->len / slot : 0;

	if (n > UINT16_MAX)
		n = UINT16_MAX;
	if (n > p->n) {
		uint32_t *f = realloc(p->free, n * sizeof(*f));

		if (f == NULL) {
			p->n = p->nfree = 0;
			return HL_E_NOMEM;
		}
		p->free = f;
	}
	p->area = *a;
	p->slot = slot;
	p->max = host_max;
	p->n = (uint32_t)n;
	for (uint32_t i = 0; i < p->n; i++)
		p->free[i] = p->n - 1 - i;
	p->nfree = p->n;
	return HL_OK;
}

void
hl_bulk_fini(struct hl_bulk_pool *p)
{
	free(p->free);
	memset(p, 0, sizeof(*p));
}

int
hl_bulk_wanted(const struct hl_bulk_pool *p, uint32_t in_len, uint32_t out_cap)
{
	return p->n != 0 && (in_len > HL_PAYLOAD_MAX || out_cap > HL_PAYLOAD_MAX);
}

int
hl_bulk_get(struct hl_bulk_pool *p, const void *in, uint32_t in_len,
	    uint32_t out_cap, struct hl_bulk *d, uint32_t *slot)
{
	uint32_t rel = hl_bulk_out_rel(in_len), room;
	uint64_t off;

	if (in_len > p->max || rel > p->slot)
		return HL_E_TOO_LARGE;
	if (p->nfree == 0)
		return HL_E_NO_SLOTS;
	*slot = p->free[--p->nfree];
	off = (uint64_t)*slot * p->slot;
	if (in_len > 0)
		memcpy(p->area.base + off, in, in_len);
	room = p->slot - rel;
	memset(d, 0, sizeof(*d));
	d->region = p->area.region;
	d->in_len = in_len;
	d->in_off = p->area.off + off;
	d->out_off = d->in_off + rel;
	d->out_cap = out_cap < room ? out_cap : room;
	if (d->out_cap > p->max)
		d->out_cap = p->max;
	return HL_OK;
}

void
hl_bulk_put(struct hl_bulk_pool *p, uint32_t slot)
{
	if (slot < p->n && p->nfree < p->n)
		p->free[p->nfree++] = slot;
}
