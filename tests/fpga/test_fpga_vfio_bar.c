/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "vfio" device layer (ll_vfio.c) and the AFU driver above it against a
 * fake card: the DPDK calls that find, map and allocate for a PCI device are
 * wrapped (-Wl,--wrap, tests/fpga/meson.build) by the ones below, which
 * serve a device whose BAR0 is plain memory. Covers every refusal on the
 * way to a mapped BAR, register access, DMA memory, reconfiguration through
 * ifpga, and the AFU's probe of what it finds there. No EAL, no card.
 */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_pci.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_memzone.h>
#include <rte_pci.h>
#ifdef FPGA_HAVE_IFPGA
#include <rte_pmd_ifpga.h>
#endif

#include "accel.h"
#include "afu.h"
#include "afu_regs.h"
#include "fpga_check.h"
#include "ll.h"

#define ADDR "0000:03:00.0"
#define BAR_LEN 4096u
#define TSC_HZ 2500000000ull

/*
 * DPDK 22.11's struct rte_pci_device up to mem_resource[], the fields
 * ll_vfio.c reads (it mirrors the same layout: the driver SDK header that
 * defines it is not shipped).
 */
struct fake_pci {
	void *next[2];
	struct {
		void *next[2];
		const char *name;
		const void *driver;
		const void *bus;
		int numa_node;
		void *devargs;
	} device;
	struct rte_pci_addr addr;
	struct rte_pci_id id;
	struct rte_mem_resource mem_resource[PCI_MAX_RESOURCE];
};

/* What the wrapped DPDK serves, and what it saw. */
static struct {
	bool present;		/* the bus lists the device */
	const char *name;	/* what rte_dev_name() answers for it */
	int map_rc;
	void *bar_addr;		/* BAR0 as rte_pci_map_device() sets it */
	uint64_t bar_len;
	uint64_t tsc_hz;
	bool mz_fail;		/* rte_memzone_reserve_aligned() fails */
	rte_iova_t mz_iova;
	int ifpga_id_rc, ifpga_pr_rc;
	/* seen */
	const char *iter_str;
	unsigned int iter_left, maps, unmaps, mz_live, mz_frees;
	int bus_master;		/* -1 never set */
	char mz_name[RTE_MEMZONE_NAMESIZE];
	unsigned int mz_flags, mz_align;
	char ifpga_name[64];
	int pr_port;
	char pr_file[256];
} w;

static struct fake_pci dev;
static char dev_name[] = ADDR;
static char other_name[] = ADDR;	/* same text, not the device's */
static uint32_t bar[BAR_LEN / 4 * 2] __attribute__((aligned(64)));

/* ---- the wrapped DPDK --------------------------------------------------- */

const char *__real_rte_dev_name(const struct rte_device *d);

int
__wrap_rte_dev_iterator_init(struct rte_dev_iterator *it, const char *str)
{
	(void)it;
	w.iter_str = str;
	w.iter_left = w.present ? 1 : 0;
	return 0;
}

struct rte_device *
__wrap_rte_dev_iterator_next(struct rte_dev_iterator *it)
{
	(void)it;
	if (w.iter_left == 0)
		return NULL;
	w.iter_left--;
	return (struct rte_device *)&dev.device;
}

const char *
__wrap_rte_dev_name(const struct rte_device *d)
{
	if (d == (const struct rte_device *)&dev.device)
		return w.name;
	return __real_rte_dev_name(d);
}

int
__wrap_rte_pci_map_device(struct rte_pci_device *d)
{
	CHECK((void *)d == (void *)&dev);
	w.maps++;
	if (w.map_rc != 0)
		return w.map_rc;
	dev.mem_resource[0].addr = w.bar_addr;
	dev.mem_resource[0].len = w.bar_len;
	return 0;
}

void
__wrap_rte_pci_unmap_device(struct rte_pci_device *d)
{
	CHECK((void *)d == (void *)&dev);
	w.unmaps++;
	dev.mem_resource[0].addr = NULL;
}

int
__wrap_rte_pci_set_bus_master(struct rte_pci_device *d, bool enable)
{
	CHECK((void *)d == (void *)&dev);
	w.bus_master = enable;
	return 0;
}

uint64_t
__wrap_rte_get_tsc_hz(void)
{
	return w.tsc_hz;
}

static struct rte_memzone mz_slot[2];
static uint8_t mz_mem[2][8192] __attribute__((aligned(4096)));

const struct rte_memzone *
__wrap_rte_memzone_reserve_aligned(const char *name, size_t len, int socket_id,
				   unsigned int flags, unsigned int align)
{
	(void)socket_id;
	snprintf(w.mz_name, sizeof(w.mz_name), "%s", name);
	w.mz_flags = flags;
	w.mz_align = align;
	if (w.mz_fail || len > sizeof(mz_mem[0]) || w.mz_live == 2)
		return NULL;
	struct rte_memzone *mz = &mz_slot[w.mz_live];
	uint8_t *mem = mz_mem[w.mz_live++];

	memset(mem, 0xa5, sizeof(mz_mem[0]));	/* the driver must zero it */
	*mz = (struct rte_memzone){ .iova = w.mz_iova, .addr = mem, .len = len };
	snprintf(mz->name, sizeof(mz->name), "%s", name);
	return mz;
}

int
__wrap_rte_memzone_free(const struct rte_memzone *mz)
{
	CHECK(mz == &mz_slot[0] || mz == &mz_slot[1]);
	CHECK(w.mz_live > 0);
	w.mz_live--;
	w.mz_frees++;
	return 0;
}

#ifdef FPGA_HAVE_IFPGA
int
__wrap_rte_pmd_ifpga_get_dev_id(const char *pci_addr, uint16_t *dev_id)
{
	snprintf(w.ifpga_name, sizeof(w.ifpga_name), "%s", pci_addr);
	*dev_id = 7;
	return w.ifpga_id_rc;
}

int
__wrap_rte_pmd_ifpga_partial_reconfigure(uint16_t dev_id, int port,
					 const char *file)
{
	CHECK_U64(dev_id, 7);
	w.pr_port = port;
	snprintf(w.pr_file, sizeof(w.pr_file), "%s", file);
	return w.ifpga_pr_rc;
}
#endif

/* ---- the fake card ------------------------------------------------------ */

static void
card_reset(void)
{
	memset(&w, 0, sizeof(w));
	w.present = true;
	w.name = dev_name;
	w.bar_addr = bar;
	w.bar_len = BAR_LEN;
	w.tsc_hz = TSC_HZ;
	w.mz_iova = 0x12340000;
	w.bus_master = -1;
	memset(&dev, 0, sizeof(dev));
	dev.device.name = dev_name;
	CHECK_I64(rte_pci_addr_parse(ADDR, &dev.addr), 0);
	memset(bar, 0, sizeof(bar));
}

/* BAR0 as an AFU of this driver's version offering fns (ids). */
static void
card_afu(const uint32_t *fns, uint32_t n)
{
	bar[FPGA_AFU_REG_ID / 4] = FPGA_AFU_ID_MAGIC;
	bar[FPGA_AFU_REG_VERSION / 4] = FPGA_AFU_VERSION | 3;
	bar[FPGA_AFU_REG_CAP_COUNT / 4] = n;
	for (uint32_t i = 0; i < n; i++)
		bar[FPGA_AFU_REG_CAP_LIST / 4 + i] = fns[i];
}

static int
open_card(struct fpga_ll **ll)
{
	*ll = NULL;
	return fpga_ll_open("vfio:" ADDR, ll);
}

/* ---- cases -------------------------------------------------------------- */

/* Every way to the BAR that must be refused, and nothing left mapped. */
static void
test_refusals(void)
{
	struct fpga_ll *ll;

	card_reset();
	w.present = false;
	CHECK_I64(open_card(&ll), -ENODEV);
	CHECK(ll == NULL && w.iter_str != NULL && strcmp(w.iter_str, "bus=pci") == 0);

	card_reset();	/* another card on the bus */
	CHECK_I64(fpga_ll_open("vfio:0000:04:00.0", &ll), -ENODEV);
	CHECK_U64(w.maps, 0);

	card_reset();	/* the right name, but not where the mirror says */
	w.name = other_name;
	CHECK_I64(open_card(&ll), -ENOTSUP);
	CHECK_U64(w.maps, 0);

	card_reset();	/* the mirror's address field disagrees */
	dev.addr.function = 1;
	CHECK_I64(open_card(&ll), -ENOTSUP);
	CHECK_U64(w.maps, 0);

	card_reset();
	w.map_rc = -1;
	CHECK_I64(open_card(&ll), -ENODEV);
	CHECK(w.maps == 1 && w.unmaps == 0 && w.bus_master == -1);

	card_reset();
	w.bar_addr = NULL;
	CHECK_I64(open_card(&ll), -ENODEV);
	CHECK(w.maps == 1 && w.unmaps == 1 && w.bus_master == -1);

	card_reset();
	w.bar_len = BAR_LEN - 1;
	CHECK_I64(open_card(&ll), -ENODEV);
	CHECK(w.maps == 1 && w.unmaps == 1 && w.bus_master == -1);

	card_reset();	/* no TSC frequency: no clock for timeouts */
	w.tsc_hz = 0;
	CHECK_I64(open_card(&ll), -ENODEV);
	CHECK_U64(w.maps, 0);
	CHECK(ll == NULL);
}

static void
test_registers_and_clock(struct fpga_ll *ll)
{
	uint64_t t0, t1, ns;

	bar[0x40 / 4] = 0xdeadbeef;
	CHECK_U64(fpga_ll_read32(ll, 0x40), 0xdeadbeef);
	fpga_ll_write32(ll, 0x44, 0x01020304);
	CHECK_U64(bar[0x44 / 4], 0x01020304);
	fpga_ll_write64(ll, 0x48, 0x1122334455667788ull);
	CHECK(bar[0x48 / 4] == 0x55667788 && bar[0x4c / 4] == 0x11223344);
	fpga_ll_advance(ll);	/* a card runs by itself: nothing to do */
	CHECK_I64(fpga_ll_wait_irq(ll, 1000), -ENOTSUP);
	/* The TSC read inside lies between two reads outside. */
	t0 = rte_rdtsc();
	ns = fpga_ll_clock_ns(ll);
	t1 = rte_rdtsc();
	CHECK(ns >= t0 / TSC_HZ * 1000000000ull + t0 % TSC_HZ * 1000000000ull / TSC_HZ);
	CHECK(ns <= t1 / TSC_HZ * 1000000000ull + t1 % TSC_HZ * 1000000000ull / TSC_HZ);
}

static void
test_dma(struct fpga_ll *ll)
{
	struct fpga_dma a, b;
	char first[RTE_MEMZONE_NAMESIZE];

	CHECK_I64(fpga_ll_dma_alloc(ll, 0, -1, &a), -EINVAL);
	w.mz_fail = true;
	CHECK_I64(fpga_ll_dma_alloc(ll, 4096, -1, &a), -ENOMEM);
	w.mz_fail = false;
	w.mz_iova = RTE_BAD_IOVA;	/* no IOVA: useless to a device */
	CHECK_I64(fpga_ll_dma_alloc(ll, 4096, -1, &a), -ENOMEM);
	CHECK(w.mz_live == 0 && w.mz_frees == 1);
	w.mz_iova = 0x12340000;
	CHECK_I64(fpga_ll_dma_alloc(ll, 5000, 0, &a), 0);
	CHECK(w.mz_flags & RTE_MEMZONE_IOVA_CONTIG);
	CHECK_U64(w.mz_align, 4096);
	snprintf(first, sizeof(first), "%s", w.mz_name);
	CHECK(a.va == mz_mem[0] && a.iova == 0x12340000 && a.len == 5000);
	CHECK(((uint8_t *)a.va)[0] == 0 && ((uint8_t *)a.va)[4999] == 0);
	CHECK_I64(fpga_ll_dma_alloc(ll, 64, -1, &b), 0);
	CHECK(strcmp(first, w.mz_name) != 0);	/* memzone names are unique */
	fpga_ll_dma_free(ll, &a);
	CHECK(a.va == NULL && a.len == 0 && a.handle == NULL);
	fpga_ll_dma_free(ll, &b);
	CHECK(w.mz_live == 0 && w.mz_frees == 3);
}

static void
test_load(struct fpga_ll *ll)
{
	char longpath[300];

	CHECK(strcmp(fpga_ll_image(ll), "") == 0);
	CHECK(fpga_ll_image_name(ll, 0) == NULL);	/* images are files */
	CHECK_I64(fpga_ll_load(ll, "relative.gbs"), -ENOENT);
	CHECK_I64(fpga_ll_load(ll, "/image.bin"), -ENOENT);
	CHECK_I64(fpga_ll_load(ll, "/gbs"), -ENOENT);
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	memcpy(longpath + sizeof(longpath) - 5, ".gbs", 5);
	CHECK_I64(fpga_ll_load(ll, longpath), -ENOENT);
#ifdef FPGA_HAVE_IFPGA
	w.ifpga_id_rc = -ENODEV;	/* not a card ifpga manages */
	CHECK_I64(fpga_ll_load(ll, "/lib/firmware/a.gbs"), -ENOTSUP);
	CHECK(strcmp(w.ifpga_name, ADDR) == 0);
	w.ifpga_id_rc = 0;
	w.ifpga_pr_rc = -1;
	CHECK_I64(fpga_ll_load(ll, "/lib/firmware/a.gbs"), -EIO);
	CHECK(strcmp(fpga_ll_image(ll), "") == 0);
	w.ifpga_pr_rc = 0;
	CHECK_I64(fpga_ll_load(ll, "/lib/firmware/a.gbs"), 0);
	CHECK(w.pr_port == 0 && strcmp(w.pr_file, "/lib/firmware/a.gbs") == 0);
	CHECK(strcmp(fpga_ll_image(ll), "/lib/firmware/a.gbs") == 0);
#else
	CHECK_I64(fpga_ll_load(ll, "/lib/firmware/a.gbs"), -ENOTSUP);
#endif
}

static void
test_card(void)
{
	struct fpga_ll *ll;

	card_reset();
	CHECK_I64(open_card(&ll), 0);
	if (ll == NULL)
		return;
	CHECK(w.maps == 1 && w.bus_master == 1);
	test_registers_and_clock(ll);
	test_dma(ll);
	test_load(ll);
	fpga_ll_close(ll);
	CHECK(w.unmaps == 1 && w.bus_master == 0);
}

/* The AFU driver's probe of what it finds in BAR0. */
static void
test_afu_probe(void)
{
	static const uint32_t fns[] = { FPGA_FN_FACTORIAL, FPGA_FN_NONE,
					FPGA_FN_COUNT + 1, FPGA_FN_CRC32C };
	struct fpga_afu_info info;

	card_reset();	/* not an AFU */
	bar[FPGA_AFU_REG_ID / 4] = 0x12345678;
	CHECK_I64(fpga_afu_register("vfio:" ADDR), -ENODEV);
	CHECK(w.maps == 1 && w.unmaps == 1 && w.bus_master == 0);

	card_reset();	/* an AFU of another major version */
	card_afu(fns, 1);
	bar[FPGA_AFU_REG_VERSION / 4] = FPGA_AFU_VERSION + (1u << 16);
	CHECK_I64(fpga_afu_register("vfio:" ADDR), -ENOTSUP);
	CHECK(w.unmaps == 1);

	card_reset();	/* ours: unknown and empty ids are not offered */
	card_afu(fns, 4);
	bar[FPGA_AFU_REG_IRQ_MASK / 4] = 0;
	CHECK_I64(fpga_afu_register("vfio:" ADDR), 0);
	CHECK_I64(fpga_afu_register("vfio:" ADDR), -EEXIST);
	CHECK_U64(bar[FPGA_AFU_REG_CTRL / 4], FPGA_AFU_CTRL_RESET);
	CHECK_U64(bar[FPGA_AFU_REG_IRQ_MASK / 4], FPGA_AFU_IRQ_ALL);
	bar[FPGA_AFU_REG_CYCLES_LO / 4] = 5;
	bar[FPGA_AFU_REG_CYCLES_HI / 4] = 1;
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(info.present && info.in_service);
	CHECK_U64(info.version, FPGA_AFU_VERSION | 3);
	CHECK_U64(info.fn_mask, 1u << FPGA_FN_FACTORIAL | 1u << FPGA_FN_CRC32C);
	CHECK_U64(info.cycles, (1ull << 32) | 5);
	fpga_afu_unregister();
	CHECK(w.unmaps == 1 && w.bus_master == 0);
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(!info.present);

	card_reset();	/* more capabilities than the list holds: clamped */
	card_afu(fns, 1);
	bar[FPGA_AFU_REG_CAP_COUNT / 4] = 1000;
	bar[FPGA_AFU_REG_CAP_LIST / 4 + FPGA_AFU_CAP_MAX] = FPGA_FN_CRC32C;
	CHECK_I64(fpga_afu_register("vfio:" ADDR), 0);
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK_U64(info.fn_mask, 1u << FPGA_FN_FACTORIAL);
	fpga_afu_unregister();
}

#ifdef FPGA_HAVE_IFPGA
/* A card reconfigured through ifpga: a refused image, then one that no
 * longer reads as an AFU, each leaves the unit out of service. */
static void
test_afu_reconf(void)
{
	static const uint32_t fns[] = { FPGA_FN_FACTORIAL };
	struct fpga_afu_info info;

	card_reset();
	card_afu(fns, 1);
	CHECK_I64(fpga_afu_register("vfio:" ADDR), 0);
	CHECK_I64(fpga_afu_reconf_begin(), 0);
	CHECK_I64(fpga_afu_reconf_load("relative.gbs"), -ENOENT);
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(info.in_service);		/* nothing changed */
	CHECK_I64(fpga_afu_reconf_load("/lib/firmware/crc.gbs"), 0);
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(info.in_service && strcmp(info.image, "/lib/firmware/crc.gbs") == 0);
	bar[FPGA_AFU_REG_ID / 4] = 0;	/* the new image is not an AFU */
	CHECK_I64(fpga_afu_reconf_load("/lib/firmware/bad.gbs"), -EIO);
	fpga_afu_reconf_end();
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(info.present && !info.in_service && info.fail_status == -EIO);
	fpga_afu_unregister();

	card_reset();
	card_afu(fns, 1);
	CHECK_I64(fpga_afu_register("vfio:" ADDR), 0);
	CHECK_I64(fpga_afu_reconf_begin(), 0);
	w.ifpga_pr_rc = -1;		/* the card refuses the bitstream */
	CHECK_I64(fpga_afu_reconf_load("/lib/firmware/crc.gbs"), -EIO);
	fpga_afu_reconf_end();
	CHECK_I64(fpga_afu_info(&info), 0);
	CHECK(!info.in_service && info.fail_status == -EIO);
	CHECK_I64(fpga_afu_reconf_begin(), -EIO);
	fpga_afu_unregister();
	CHECK(w.unmaps == 1 && w.bus_master == 0);
}
#endif

int
main(void)
{
	test_refusals();
	test_card();
	test_afu_probe();
#ifdef FPGA_HAVE_IFPGA
	test_afu_reconf();
#endif
	return check_exit("fpga_vfio_bar");
}
