/* SPDX-License-Identifier: BSD-3-Clause */
/* Low-level "sim": the Verilated AFU, its memory port served from heap
 * buffers that it sees at made-up IOVAs (never their virtual addresses). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>

#include "afu_regs.h"
#include "afu_sim.h"
#include "ll.h"
#include "ll_impl.h"

#define FPGA_LL_SIM_REGIONS	32
#define FPGA_LL_SIM_IOVA_BASE	0x0000100000000000ull
#define FPGA_LL_SIM_IOVA_GAP	0x10000ull	/* unmapped between buffers */
#define FPGA_LL_SIM_PAGE	4096u
#define FPGA_LL_SIM_NS_PER_CYCLE 4		/* a 250 MHz fabric clock */
#define FPGA_LL_SIM_BUDGET	2048		/* cycles per advance */
#define FPGA_LL_SIM_ARG_MAX	32
#define FPGA_LL_SIM_IMAGE_MAX	16

struct fpga_ll_sim_region {
	uint64_t iova;
	size_t len;
	uint8_t *va;
};

struct fpga_ll_sim {
	struct fpga_ll base;		/* first: see ll.h */
	struct fpga_afu_sim *model;
	char image[FPGA_LL_SIM_IMAGE_MAX];	/* the model's image */
	struct fpga_ll_sim_region region[FPGA_LL_SIM_REGIONS];
	uint64_t next_iova;
	uint64_t budget;		/* cycles per advance */
	uint64_t latency;		/* extra cycles per memory access */
	uint64_t waited;		/* of the access being served */
	uint64_t accesses;		/* memory accesses answered */
	uint64_t hang_after;		/* then never answer again; 0 off */
	uint64_t fault_after;		/* then answer bus errors; 0 off */
	uint64_t time_ns;
};

static struct fpga_ll_sim *
fpga_ll_sim(struct fpga_ll *ll)
{
	return (struct fpga_ll_sim *)ll;
}

static const struct fpga_ll_sim_region *
fpga_ll_sim_find(const struct fpga_ll_sim *s, uint64_t iova)
{
	const struct fpga_ll_sim_region *r;
	unsigned int i;

	for (i = 0; i < FPGA_LL_SIM_REGIONS; i++) {
		r = &s->region[i];
		if (r->va != NULL && iova >= r->iova &&
		    iova - r->iova <= r->len - sizeof(uint64_t))
			return r;
	}
	return NULL;
}

/* Injected faults come first, then latency, then the access itself. */
static enum fpga_afu_sim_mem
fpga_ll_sim_mem(void *opaque, uint64_t iova, bool write, uint64_t *data)
{
	struct fpga_ll_sim *s = opaque;
	const struct fpga_ll_sim_region *r;
	uint8_t *p;

	if (s->hang_after != 0 && s->accesses >= s->hang_after)
		return FPGA_AFU_SIM_MEM_WAIT;
	if (s->waited < s->latency) {
		s->waited++;
		return FPGA_AFU_SIM_MEM_WAIT;
	}
	s->waited = 0;
	s->accesses++;
	if (s->fault_after != 0 && s->accesses > s->fault_after)
		return FPGA_AFU_SIM_MEM_ERR;
	r = fpga_ll_sim_find(s, iova);
	if (r == NULL)
		return FPGA_AFU_SIM_MEM_ERR;
	p = r->va + (iova - r->iova);
	if (write)
		memcpy(p, data, sizeof(*data));
	else
		memcpy(data, p, sizeof(*data));
	return FPGA_AFU_SIM_MEM_OK;
}

/* One "key=value" of the spec (rte_kvargs calls it per key, in order). */
static int
fpga_ll_sim_arg(const char *key, const char *val, void *arg)
{
	struct fpga_ll_sim *s = arg;
	uint64_t *dst;

	if (val == NULL)		/* a key without "=value" */
		return -EINVAL;
	if (strcmp(key, "image") == 0) {
		if (strlen(val) >= sizeof(s->image))
			return -EINVAL;
		strcpy(s->image, val);
		return 0;
	}
	if (strcmp(key, "latency") == 0)
		dst = &s->latency;
	else if (strcmp(key, "cycles") == 0)
		dst = &s->budget;
	else if (strcmp(key, "hang_after") == 0)
		dst = &s->hang_after;
	else
		dst = &s->fault_after;
	return fpga_ll_parse_u64(val, UINT32_MAX, dst);
}

static int
fpga_ll_sim_parse(struct fpga_ll_sim *s, const char *args)
{
	static const char *const keys[] = { "image", "latency", "cycles",
					    "hang_after", "fault_after", NULL };
	struct rte_kvargs *kv;
	int rc;

	if (args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, keys);	/* unknown keys: NULL */
	if (kv == NULL)
		return -EINVAL;
	rc = rte_kvargs_process(kv, NULL, fpga_ll_sim_arg, s);
	rte_kvargs_free(kv);
	if (rc == 0 && s->budget == 0)
		return -EINVAL;
	return rc < 0 ? -EINVAL : 0;
}

static void fpga_ll_sim_close(struct fpga_ll *ll);

static int
fpga_ll_sim_open(const char *args, struct fpga_ll **ll)
{
	struct fpga_ll_sim *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return -ENOMEM;
	s->base.ops = &fpga_ll_sim_ops;
	s->budget = FPGA_LL_SIM_BUDGET;
	s->next_iova = FPGA_LL_SIM_IOVA_BASE;
	strcpy(s->image, FPGA_AFU_SIM_IMAGE_DEFAULT);
	rc = fpga_ll_sim_parse(s, args);
	if (rc == 0) {
		s->model = fpga_afu_sim_new_image(s->image, fpga_ll_sim_mem, s);
		rc = s->model == NULL ? (errno == ENOENT ? -EINVAL : -ENOMEM) : 0;
	}
	if (rc != 0) {
		free(s);
		return rc;
	}
	*ll = &s->base;
	return 0;
}

static void
fpga_ll_sim_close(struct fpga_ll *ll)
{
	struct fpga_ll_sim *s = fpga_ll_sim(ll);

	fpga_afu_sim_free(s->model);
	free(s);
}

static uint32_t
fpga_ll_sim_read32(struct fpga_ll *ll, uint32_t off)
{
	return fpga_afu_sim_read32(fpga_ll_sim(ll)->model, off);
}

static void
fpga_ll_sim_write32(struct fpga_ll *ll, uint32_t off, uint32_t val)
{
	fpga_afu_sim_write32(fpga_ll_sim(ll)->model, off, val);
}

static int
fpga_ll_sim_dma_alloc(struct fpga_ll *ll, size_t len, int socket_id,
		      struct fpga_dma *dma)
{
	struct fpga_ll_sim *s = fpga_ll_sim(ll);
	size_t size = (len + FPGA_LL_SIM_PAGE - 1) & ~(size_t)(FPGA_LL_SIM_PAGE - 1);
	struct fpga_ll_sim_region *r = NULL;
	unsigned int i;

	(void)socket_id;
	if (len == 0)
		return -EINVAL;
	for (i = 0; i < FPGA_LL_SIM_REGIONS && r == NULL; i++)
		if (s->region[i].va == NULL)
			r = &s->region[i];
	if (r == NULL)
		return -ENOMEM;
	r->va = aligned_alloc(FPGA_LL_SIM_PAGE, size);
	if (r->va == NULL)
		return -ENOMEM;
	memset(r->va, 0, size);
	r->len = size;
	r->iova = s->next_iova;
	s->next_iova += size + FPGA_LL_SIM_IOVA_GAP;
	*dma = (struct fpga_dma){ .va = r->va, .iova = r->iova, .len = len,
				  .handle = r };
	return 0;
}

static void
fpga_ll_sim_dma_free(struct fpga_ll *ll, struct fpga_dma *dma)
{
	struct fpga_ll_sim_region *r = dma->handle;

	(void)ll;
	free(r->va);
	memset(r, 0, sizeof(*r));
	memset(dma, 0, sizeof(*dma));
}

/* Device time passes by the whole budget even when the model idles. */
static void
fpga_ll_sim_advance(struct fpga_ll *ll)
{
	struct fpga_ll_sim *s = fpga_ll_sim(ll);

	fpga_afu_sim_run(s->model, s->budget, false);
	s->time_ns += s->budget * FPGA_LL_SIM_NS_PER_CYCLE;
}

static uint64_t
fpga_ll_sim_clock_ns(struct fpga_ll *ll)
{
	return fpga_ll_sim(ll)->time_ns;
}

static int
fpga_ll_sim_wait_irq(struct fpga_ll *ll, uint64_t timeout_ns)
{
	struct fpga_ll_sim *s = fpga_ll_sim(ll);
	uint64_t cycles = timeout_ns / FPGA_LL_SIM_NS_PER_CYCLE;
	uint32_t pending;

	s->time_ns += fpga_afu_sim_run(s->model, cycles, true) *
		      FPGA_LL_SIM_NS_PER_CYCLE;
	pending = fpga_afu_sim_read32(s->model, FPGA_AFU_REG_IRQ_STATUS) &
		  ~fpga_afu_sim_read32(s->model, FPGA_AFU_REG_IRQ_MASK);
	return pending != 0;
}

/* The new model starts from reset; memory, time and fault injection stay. */
static int
fpga_ll_sim_load(struct fpga_ll *ll, const char *image)
{
	struct fpga_ll_sim *s = fpga_ll_sim(ll);
	struct fpga_afu_sim *m;

	if (strlen(image) >= sizeof(s->image))
		return -ENOENT;
	m = fpga_afu_sim_new_image(image, fpga_ll_sim_mem, s);
	if (m == NULL)
		return errno == ENOENT ? -ENOENT : -ENOMEM;
	fpga_afu_sim_free(s->model);
	s->model = m;
	s->waited = 0;
	strcpy(s->image, image);
	return 0;
}

static const char *
fpga_ll_sim_image(struct fpga_ll *ll)
{
	return fpga_ll_sim(ll)->image;
}

const struct fpga_ll_ops fpga_ll_sim_ops = {
	.kind = "sim",
	.open = fpga_ll_sim_open,
	.close = fpga_ll_sim_close,
	.read32 = fpga_ll_sim_read32,
	.write32 = fpga_ll_sim_write32,
	.dma_alloc = fpga_ll_sim_dma_alloc,
	.dma_free = fpga_ll_sim_dma_free,
	.advance = fpga_ll_sim_advance,
	.clock_ns = fpga_ll_sim_clock_ns,
	.wait_irq = fpga_ll_sim_wait_irq,
	.load = fpga_ll_sim_load,
	.image = fpga_ll_sim_image,
	.image_name = fpga_afu_sim_image_name,
};
