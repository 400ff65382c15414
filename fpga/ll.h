/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The AFU low-level device layer: what the register-level driver (afu.c)
 * needs from a device, behind one ops table chosen at run time by a spec
 * string. Two implementations:
 * - "sim[:key=val,...]": a Verilator model of fpga/rtl (image=NAME picks
 *   the function image, default "full"), clocked by
 *   fpga_ll_advance() on the caller's thread, its memory port served from
 *   host memory allocated by fpga_ll_dma_alloc() (ll_sim.c);
 * - "vfio:DDDD:BB:DD.F[,key=val...]": a real card, BAR0 mapped through
 *   DPDK's PCI bus, DMA memory from rte_memzone (ll_vfio.c).
 *
 * Threads: open/close/dma_alloc/dma_free/wait_irq on the main lcore; read32,
 * write32, advance and clock_ns are fast-path clean (no syscall, lock,
 * allocation or log) and run on the one lcore that owns the device.
 * Errors: 0 or -errno.
 */
#ifndef HOSTLANE_FPGA_LL_H
#define HOSTLANE_FPGA_LL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/** A DMA buffer: the CPU's address and the device's (IOVA). */
struct fpga_dma {
	void *va;
	uint64_t iova;
	size_t len;
	void *handle;		/* the implementation's */
};

struct fpga_ll;

/** One low-level implementation. */
struct fpga_ll_ops {
	const char *kind;	/* "sim", "vfio" */
	int (*open)(const char *args, struct fpga_ll **ll);
	void (*close)(struct fpga_ll *ll);
	uint32_t (*read32)(struct fpga_ll *ll, uint32_t off);
	void (*write32)(struct fpga_ll *ll, uint32_t off, uint32_t val);
	int (*dma_alloc)(struct fpga_ll *ll, size_t len, int socket_id,
			 struct fpga_dma *dma);
	void (*dma_free)(struct fpga_ll *ll, struct fpga_dma *dma);
	void (*advance)(struct fpga_ll *ll);
	uint64_t (*clock_ns)(struct fpga_ll *ll);
	int (*wait_irq)(struct fpga_ll *ll, uint64_t timeout_ns);
	/* Reconfiguration (fpga_ll_load()); NULL: not supported. */
	int (*load)(struct fpga_ll *ll, const char *image);
	/* The image loaded now, "" if unknown. */
	const char *(*image)(struct fpga_ll *ll);
	/* Image i this kind offers by name; NULL past the last (or none). */
	const char *(*image_name)(unsigned int i);
};

/** Generic part of an opened device; implementations embed it first. */
struct fpga_ll {
	const struct fpga_ll_ops *ops;
};

/**
 * Open a device from a spec ("sim", "sim:latency=4", "vfio:0000:03:00.0").
 * @param spec  KIND or KIND:ARGS.
 * @param ll    receives the device.
 * @return 0; -EINVAL malformed spec or argument; -ENOTSUP kind unknown or
 *   not built (sim without Verilator); -ENODEV no such device; -ENOMEM.
 */
int fpga_ll_open(const char *spec, struct fpga_ll **ll);

/** Close a device; NULL is fine. DMA buffers must be freed before. */
void fpga_ll_close(struct fpga_ll *ll);

/** @return whether the "sim" kind was built in. */
int fpga_ll_have_sim(void);

/**
 * Parse a decimal or 0x-hex unsigned integer, the whole string.
 * @return 0; -EINVAL not a number or above max.
 */
int fpga_ll_parse_u64(const char *s, uint64_t max, uint64_t *v);

/** BAR0 register read. Fast path. */
static inline uint32_t
fpga_ll_read32(struct fpga_ll *ll, uint32_t off)
{
	return ll->ops->read32(ll, off);
}

/** BAR0 register write. Fast path. */
static inline void
fpga_ll_write32(struct fpga_ll *ll, uint32_t off, uint32_t val)
{
	ll->ops->write32(ll, off, val);
}

/** Write a 64-bit register pair, low half first. */
static inline void
fpga_ll_write64(struct fpga_ll *ll, uint32_t off, uint64_t val)
{
	fpga_ll_write32(ll, off, (uint32_t)val);
	fpga_ll_write32(ll, off + 4, (uint32_t)(val >> 32));
}

/** Let the device make progress (sim: clock a bounded number of cycles;
 * hardware runs by itself: no-op). Fast path. */
static inline void
fpga_ll_advance(struct fpga_ll *ll)
{
	ll->ops->advance(ll);
}

/** The device's clock in ns (sim: simulated time). Fast path. */
static inline uint64_t
fpga_ll_clock_ns(struct fpga_ll *ll)
{
	return ll->ops->clock_ns(ll);
}

/**
 * Allocate zeroed, IOVA-contiguous DMA memory. Main lcore.
 * @return 0; -ENOMEM; -EINVAL len 0.
 */
static inline int
fpga_ll_dma_alloc(struct fpga_ll *ll, size_t len, int socket_id,
		  struct fpga_dma *dma)
{
	return ll->ops->dma_alloc(ll, len, socket_id, dma);
}

/** Free DMA memory; a zeroed struct is fine. */
static inline void
fpga_ll_dma_free(struct fpga_ll *ll, struct fpga_dma *dma)
{
	if (dma->va != NULL)
		ll->ops->dma_free(ll, dma);
}

/**
 * Wait for the device's interrupt (unmasked IRQ_STATUS bits). Slow path:
 * may block up to timeout_ns.
 * @return 1 interrupt; 0 timeout; -ENOTSUP interrupts not wired.
 */
static inline int
fpga_ll_wait_irq(struct fpga_ll *ll, uint64_t timeout_ns)
{
	return ll->ops->wait_irq(ll, timeout_ns);
}

/**
 * Swap the device's function image (reconfiguration). Main lcore, with no
 * job on the device and no other thread touching it: afterwards the unit
 * is as after a hard reset (registers cleared), so the driver must reprogram
 * it. DMA buffers stay valid. sim: build another compiled model of the RTL
 * ("full", "crc", "math"); vfio: partial reconfiguration from a .gbs file
 * through DPDK's ifpga rawdev, when this DPDK build has it.
 * @return 0; -ENOENT no such image; -ENOTSUP the device (or this build)
 *   cannot reconfigure; -ENOMEM; -EIO the device refused the image (the
 *   unit is then unusable).
 */
static inline int
fpga_ll_load(struct fpga_ll *ll, const char *image)
{
	return ll->ops->load != NULL ? ll->ops->load(ll, image) : -ENOTSUP;
}

/** @return the name of the image loaded now ("" if unknown). */
static inline const char *
fpga_ll_image(struct fpga_ll *ll)
{
	return ll->ops->image != NULL ? ll->ops->image(ll) : "";
}

/**
 * @return image i (0, 1, ...) the device offers by name, NULL past the last
 *   or when images are files (vfio: any .gbs path).
 */
static inline const char *
fpga_ll_image_name(struct fpga_ll *ll, unsigned int i)
{
	return ll->ops->image_name != NULL ? ll->ops->image_name(i) : NULL;
}

#endif /* HOSTLANE_FPGA_LL_H */
