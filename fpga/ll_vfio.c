/* SPDX-License-Identifier: BSD-3-Clause */
/* Low-level "vfio": a real AFU card, BAR0 mapped through DPDK's PCI bus
 * (device bound to vfio-pci, EAL initialised), DMA memory from memzones. */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_pci.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_io.h>
#include <rte_memzone.h>
#include <rte_pci.h>
#include <rte_version.h>
#ifdef FPGA_HAVE_IFPGA
#include <rte_pmd_ifpga.h>
#endif

#include "ll.h"
#include "ll_impl.h"
#include "ll_vfio.h"

#define FPGA_LL_VFIO_BAR_MIN	4096u
#define FPGA_LL_VFIO_ALIGN	4096u

/*
 * DPDK 22.11 keeps struct rte_pci_device to its driver SDK, which Debian
 * does not ship; the public API finds a device (struct rte_device) and maps
 * its BARs but offers no way to the mapped address. This mirrors the 22.11
 * layout of the fields up to mem_resource[]; fpga_ll_vfio_pci() checks it
 * against the public name and address before trusting it.
 */
struct fpga_ll_vfio_rte_device_2211 {
	void *next[2];
	const char *name;
	const void *driver;
	const void *bus;
	int numa_node;
	void *devargs;
};

struct fpga_ll_vfio_pci_2211 {
	void *next[2];
	struct fpga_ll_vfio_rte_device_2211 device;
	struct rte_pci_addr addr;
	struct rte_pci_id id;
	struct rte_mem_resource mem_resource[PCI_MAX_RESOURCE];
};

struct fpga_ll_vfio {
	struct fpga_ll base;		/* first: see ll.h */
	struct rte_pci_device *pci;
	uint8_t *bar0;
	uint64_t tsc_hz;
	unsigned int nb_zones;		/* for unique memzone names */
	char name[PCI_PRI_STR_SIZE];	/* DDDD:BB:DD.F */
	char image[256];		/* the .gbs last loaded, "" at open */
};

static struct fpga_ll_vfio *
fpga_ll_vfio(struct fpga_ll *ll)
{
	return (struct fpga_ll_vfio *)ll;
}

int
fpga_ll_vfio_parse(const char *args, struct rte_pci_addr *addr)
{
	char buf[PCI_PRI_STR_SIZE];
	const char *comma;
	size_t n;

	if (args == NULL)
		return -EINVAL;
	comma = strchr(args, ',');
	n = comma != NULL ? (size_t)(comma - args) : strlen(args);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, args, n);
	buf[n] = '\0';
	/* No per-device options are defined yet. */
	if (comma != NULL)
		return -EINVAL;
	return rte_pci_addr_parse(buf, addr) == 0 ? 0 : -EINVAL;
}

/* The PCI device behind a generic one, once the mirror is proven right. */
static struct fpga_ll_vfio_pci_2211 *
fpga_ll_vfio_pci(struct rte_device *dev, const struct rte_pci_addr *addr)
{
	struct fpga_ll_vfio_pci_2211 *p;

#if RTE_VERSION < RTE_VERSION_NUM(22, 11, 0, 0) || \
	RTE_VERSION >= RTE_VERSION_NUM(22, 12, 0, 0)
	(void)dev;
	(void)addr;
	(void)p;
	return NULL;
#else
	p = (struct fpga_ll_vfio_pci_2211 *)((char *)dev -
		offsetof(struct fpga_ll_vfio_pci_2211, device));
	if (p->device.name != rte_dev_name(dev) ||
	    rte_pci_addr_cmp(&p->addr, addr) != 0)
		return NULL;
	return p;
#endif
}

static struct rte_device *
fpga_ll_vfio_find(const struct rte_pci_addr *addr)
{
	char name[PCI_PRI_STR_SIZE];
	struct rte_dev_iterator it;
	struct rte_device *dev;

	rte_pci_device_name(addr, name, sizeof(name));
	RTE_DEV_FOREACH(dev, "bus=pci", &it)
		if (strcmp(rte_dev_name(dev), name) == 0)
			return dev;
	return NULL;
}

static int
fpga_ll_vfio_map(struct fpga_ll_vfio *v, const struct rte_pci_addr *addr)
{
	struct rte_device *dev = fpga_ll_vfio_find(addr);
	struct fpga_ll_vfio_pci_2211 *p;

	if (dev == NULL)
		return -ENODEV;
	p = fpga_ll_vfio_pci(dev, addr);
	if (p == NULL)
		return -ENOTSUP;
	v->pci = (struct rte_pci_device *)p;
	if (rte_pci_map_device(v->pci) != 0)
		return -ENODEV;
	if (p->mem_resource[0].addr == NULL ||
	    p->mem_resource[0].len < FPGA_LL_VFIO_BAR_MIN) {
		rte_pci_unmap_device(v->pci);
		return -ENODEV;
	}
	v->bar0 = p->mem_resource[0].addr;
	rte_pci_set_bus_master(v->pci, true);
	return 0;
}

static int
fpga_ll_vfio_open(const char *args, struct fpga_ll **ll)
{
	struct rte_pci_addr addr;
	struct fpga_ll_vfio *v;
	int rc = fpga_ll_vfio_parse(args, &addr);

	if (rc != 0)
		return rc;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	v->base.ops = &fpga_ll_vfio_ops;
	v->tsc_hz = rte_get_tsc_hz();
	rte_pci_device_name(&addr, v->name, sizeof(v->name));
	rc = v->tsc_hz == 0 ? -ENODEV : fpga_ll_vfio_map(v, &addr);
	if (rc != 0) {
		free(v);
		return rc;
	}
	*ll = &v->base;
	return 0;
}

static void
fpga_ll_vfio_close(struct fpga_ll *ll)
{
	struct fpga_ll_vfio *v = fpga_ll_vfio(ll);

	rte_pci_set_bus_master(v->pci, false);
	rte_pci_unmap_device(v->pci);
	free(v);
}

static uint32_t
fpga_ll_vfio_read32(struct fpga_ll *ll, uint32_t off)
{
	return rte_read32(fpga_ll_vfio(ll)->bar0 + off);
}

/* rte_write32 orders earlier stores to DMA memory before the MMIO write. */
static void
fpga_ll_vfio_write32(struct fpga_ll *ll, uint32_t off, uint32_t val)
{
	rte_write32(val, fpga_ll_vfio(ll)->bar0 + off);
}

static int
fpga_ll_vfio_dma_alloc(struct fpga_ll *ll, size_t len, int socket_id,
		       struct fpga_dma *dma)
{
	struct fpga_ll_vfio *v = fpga_ll_vfio(ll);
	const struct rte_memzone *mz;
	char name[RTE_MEMZONE_NAMESIZE];

	if (len == 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "hl_afu_%p_%u", (void *)v, v->nb_zones++);
	mz = rte_memzone_reserve_aligned(name, len,
					 socket_id < 0 ? SOCKET_ID_ANY : socket_id,
					 RTE_MEMZONE_IOVA_CONTIG,
					 FPGA_LL_VFIO_ALIGN);
	if (mz == NULL)
		return -ENOMEM;
	if (mz->iova == RTE_BAD_IOVA) {
		rte_memzone_free(mz);
		return -ENOMEM;
	}
	memset(mz->addr, 0, len);
	*dma = (struct fpga_dma){ .va = mz->addr, .iova = mz->iova,
				  .len = len, .handle = (void *)(uintptr_t)mz };
	return 0;
}

static void
fpga_ll_vfio_dma_free(struct fpga_ll *ll, struct fpga_dma *dma)
{
	(void)ll;
	rte_memzone_free(dma->handle);
	memset(dma, 0, sizeof(*dma));
}

/* The card runs by itself. */
static void
fpga_ll_vfio_advance(struct fpga_ll *ll)
{
	(void)ll;
}

static uint64_t
fpga_ll_vfio_clock_ns(struct fpga_ll *ll)
{
	struct fpga_ll_vfio *v = fpga_ll_vfio(ll);
	uint64_t t = rte_rdtsc();

	return t / v->tsc_hz * 1000000000ull +
	       t % v->tsc_hz * 1000000000ull / v->tsc_hz;
}

/* Poll mode only: MSI-X through rte_intr is not wired yet. */
static int
fpga_ll_vfio_wait_irq(struct fpga_ll *ll, uint64_t timeout_ns)
{
	(void)ll;
	(void)timeout_ns;
	return -ENOTSUP;
}

/*
 * A card's function image is a Green BitStream loaded into its partial
 * reconfiguration region (port 0) by the ifpga rawdev driver, which must
 * have probed the card's management function at this PCI address.
 */
static int
fpga_ll_vfio_load(struct fpga_ll *ll, const char *image)
{
	struct fpga_ll_vfio *v = fpga_ll_vfio(ll);
	size_t n = strlen(image);

	if (image[0] != '/' || n < 5 || n >= sizeof(v->image) ||
	    strcmp(image + n - 4, ".gbs") != 0)
		return -ENOENT;
#ifdef FPGA_HAVE_IFPGA
	uint16_t dev_id;

	if (rte_pmd_ifpga_get_dev_id(v->name, &dev_id) != 0)
		return -ENOTSUP;	/* not an ifpga-managed card */
	if (rte_pmd_ifpga_partial_reconfigure(dev_id, 0, image) != 0)
		return -EIO;
	memcpy(v->image, image, n + 1);
	return 0;
#else
	return -ENOTSUP;
#endif
}

static const char *
fpga_ll_vfio_image(struct fpga_ll *ll)
{
	return fpga_ll_vfio(ll)->image;
}

const struct fpga_ll_ops fpga_ll_vfio_ops = {
	.kind = "vfio",
	.open = fpga_ll_vfio_open,
	.close = fpga_ll_vfio_close,
	.read32 = fpga_ll_vfio_read32,
	.write32 = fpga_ll_vfio_write32,
	.dma_alloc = fpga_ll_vfio_dma_alloc,
	.dma_free = fpga_ll_vfio_dma_free,
	.advance = fpga_ll_vfio_advance,
	.clock_ns = fpga_ll_vfio_clock_ns,
	.wait_irq = fpga_ll_vfio_wait_irq,
	.load = fpga_ll_vfio_load,
	.image = fpga_ll_vfio_image,
};
