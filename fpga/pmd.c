/* SPDX-License-Identifier: BSD-3-Clause */
/* Device lookup, payload staging and early completions for the PMD backends. */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "pmd.h"

int
fpga_pmd_find(const struct fpga_pmd_class *cls, const char *devargs,
	      uint8_t *dev_id)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	size_t n;
	uint8_t before;
	int id, rc;

	if (devargs == NULL || devargs[0] == '\0')
		return -EINVAL;
	n = strcspn(devargs, ",");
	if (n == 0 || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, devargs, n);
	name[n] = '\0';
	/* Created already, e.g. by an EAL --vdev option. */
	id = cls->get_dev_id(name);
	if (id < 0) {
		before = cls->count();
		rc = rte_dev_probe(devargs);
		if (rc < 0 && rc != -EEXIST)
			/* Unknown driver, unparsable name, failed probe. */
			return rc == -ENOMEM ? rc : -ENODEV;
		id = cls->get_dev_id(name);
		/* A PCI device's class name is not its address: it is the
		 * one the probe added. */
		if (id < 0 && cls->count() > before)
			id = cls->count() - 1;
	}
	if (id < 0 || id > UINT8_MAX)
		return -ENODEV;
	*dev_id = (uint8_t)id;
	return 0;
}

struct rte_mbuf *
fpga_pmd_stage(struct rte_mempool *mp, const void *src, uint32_t len,
	       uint32_t seg)
{
	struct rte_mbuf *m[FPGA_PMD_SEGS_MAX];
	uint32_t i, n = fpga_pmd_segs(len, seg), off = 0, chunk;

	if (n > FPGA_PMD_SEGS_MAX || rte_pktmbuf_alloc_bulk(mp, m, n) != 0)
		return NULL;
	for (i = 0; i < n; i++, off += chunk) {
		chunk = RTE_MIN(seg, len - off);
		m[i]->data_len = (uint16_t)chunk;
		if (src != NULL)
			memcpy(rte_pktmbuf_mtod(m[i], void *),
			       (const uint8_t *)src + off, chunk);
		m[i]->next = i + 1 < n ? m[i + 1] : NULL;
	}
	m[0]->nb_segs = (uint16_t)n;
	m[0]->pkt_len = len;
	return m[0];
}

void
fpga_pmd_unstage(const struct rte_mbuf *m, uint32_t len, void *dst)
{
	uint8_t *d = dst;
	uint32_t chunk;

	for (; m != NULL && len != 0; m = m->next) {
		chunk = RTE_MIN(len, (uint32_t)m->data_len);
		memcpy(d, rte_pktmbuf_mtod(m, const void *), chunk);
		d += chunk;
		len -= chunk;
	}
}

int
fpga_pmd_cq_init(struct fpga_pmd_cq *cq, uint32_t depth, int socket_id)
{
	uint32_t size = rte_align32pow2(depth);

	cq->ring = rte_zmalloc_socket("hl_pmd_cq", size * sizeof(*cq->ring),
				      RTE_CACHE_LINE_SIZE, socket_id);
	if (cq->ring == NULL)
		return -ENOMEM;
	cq->mask = size - 1;
	cq->head = 0;
	cq->tail = 0;
	return 0;
}

void
fpga_pmd_cq_free(struct fpga_pmd_cq *cq)
{
	rte_free(cq->ring);
	cq->ring = NULL;
}

unsigned int
fpga_pmd_cq_poll(struct fpga_pmd_cq *cq, struct fpga_completion *done,
		 unsigned int max)
{
	unsigned int i, n = RTE_MIN(fpga_pmd_cq_count(cq), max);

	for (i = 0; i < n; i++)
		done[i] = cq->ring[(cq->tail + i) & cq->mask];
	cq->tail += n;
	return n;
}
