/* SPDX-License-Identifier: BSD-3-Clause */
/* The "afu" backend: attaching a unit, probing it, its capabilities. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "afu_impl.h"
#include "afu_regs.h"

static struct fpga_afu_unit fpga_afu_the_unit;
static bool fpga_afu_attached;
static bool fpga_afu_registered;

struct fpga_afu_unit *
fpga_afu_unit_get(void)
{
	return fpga_afu_attached ? &fpga_afu_the_unit : NULL;
}

void
fpga_afu_unit_fail(struct fpga_afu_unit *u, int status, uint32_t err)
{
	u->err_code = err;
	__atomic_store_n(&u->fail_status, status, __ATOMIC_RELAXED);
	__atomic_store_n(&u->in_service, 0, __ATOMIC_RELEASE);
}

static int
fpga_afu_caps(enum fpga_fn_id fn, struct fpga_fn_caps *caps)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();

	/* While it is being reconfigured the unit takes no new sessions. */
	if (u == NULL || !fpga_afu_unit_ok(u) || u->reconf ||
	    (fpga_afu_unit_fns(u) & FPGA_FN_BIT(fn)) == 0)
		return -ENOTSUP;
	caps->place = FPGA_PLACE_HW;
	caps->max_in_len = u->max_in_len;
	return 0;
}

static const struct fpga_backend_ops fpga_afu_ops = {
	.name = FPGA_AFU_BACKEND_NAME,
	.init = fpga_afu_ctx_init,
	.exit = fpga_afu_ctx_exit,
	.submit = fpga_afu_ctx_submit,
	.poll = fpga_afu_ctx_poll,
	.caps = fpga_afu_caps,
};

static uint32_t
fpga_afu_read_caps(struct fpga_ll *ll)
{
	uint32_t i, id, mask = 0, n = fpga_ll_read32(ll, FPGA_AFU_REG_CAP_COUNT);

	if (n > FPGA_AFU_CAP_MAX)
		n = FPGA_AFU_CAP_MAX;
	for (i = 0; i < n; i++) {
		id = fpga_ll_read32(ll, FPGA_AFU_REG_CAP_LIST + 4 * i);
		if (id != FPGA_FN_NONE && id <= FPGA_FN_COUNT)
			mask |= FPGA_FN_BIT(id);
	}
	return mask;
}

/* Check the unit is an AFU we speak to, learn its functions, reset it. */
static int
fpga_afu_probe(struct fpga_afu_unit *u)
{
	if (fpga_ll_read32(u->ll, FPGA_AFU_REG_ID) != FPGA_AFU_ID_MAGIC)
		return -ENODEV;
	u->version = fpga_ll_read32(u->ll, FPGA_AFU_REG_VERSION);
	if (u->version >> 16 != FPGA_AFU_VERSION >> 16)
		return -ENOTSUP;
	__atomic_store_n(&u->fn_mask, fpga_afu_read_caps(u->ll),
			 __ATOMIC_RELAXED);
	fpga_ll_write32(u->ll, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_RESET);
	fpga_ll_write32(u->ll, FPGA_AFU_REG_IRQ_MASK, FPGA_AFU_IRQ_ALL);
	return 0;
}

static int
fpga_afu_attach(const struct fpga_afu_conf *conf)
{
	struct fpga_afu_unit *u = &fpga_afu_the_unit;
	int rc;

	memset(u, 0, sizeof(*u));
	u->max_in_len = conf->max_in_len != 0 ? conf->max_in_len :
			FPGA_AFU_MAX_IN_DEFAULT;
	u->timeout_ns = (uint64_t)(conf->timeout_ms != 0 ? conf->timeout_ms :
				   FPGA_AFU_TIMEOUT_MS_DEFAULT) * 1000000u;
	rc = fpga_ll_open(conf->lowlevel, &u->ll);
	if (rc != 0)
		return rc;
	rc = fpga_afu_probe(u);
	if (rc != 0) {
		fpga_ll_close(u->ll);
		return rc;
	}
	u->in_service = 1;
	fpga_afu_attached = true;
	return 0;
}

int
fpga_afu_register_conf(const struct fpga_afu_conf *conf)
{
	int rc;

	if (conf == NULL || conf->lowlevel == NULL)
		return -EINVAL;
	if (fpga_afu_attached)
		return -EEXIST;
	rc = fpga_afu_attach(conf);
	if (rc != 0 || fpga_afu_registered)
		return rc;
	rc = fpga_backend_register(&fpga_afu_ops);
	if (rc != 0) {
		fpga_afu_unregister();
		return rc;
	}
	fpga_afu_registered = true;
	return 0;
}

int
fpga_afu_register(const char *lowlevel)
{
	struct fpga_afu_conf conf = { .lowlevel = lowlevel };

	return fpga_afu_register_conf(&conf);
}

void
fpga_afu_unregister(void)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();

	if (u == NULL)
		return;
	fpga_ll_write32(u->ll, FPGA_AFU_REG_CTRL, FPGA_AFU_CTRL_RESET);
	fpga_ll_close(u->ll);
	fpga_afu_attached = false;
}

int
fpga_afu_info(struct fpga_afu_info *info)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();

	if (info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	if (u == NULL)
		return 0;
	info->present = true;
	info->in_service = fpga_afu_unit_ok(u);
	info->version = u->version;
	info->fn_mask = fpga_afu_unit_fns(u);
	info->reconf = u->reconf;
	snprintf(info->image, sizeof(info->image), "%s", fpga_ll_image(u->ll));
	info->fail_status = __atomic_load_n(&u->fail_status, __ATOMIC_RELAXED);
	info->err_code = u->err_code;
	/* Only with no context: a context's lcore may be clocking the unit
	 * right now (the simulated model must never run on two threads). */
	info->cycles = u->has_ctx ? 0 : fpga_afu_cycles();
	return 0;
}

uint64_t
fpga_afu_cycles(void)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();

	if (u == NULL)
		return 0;
	return fpga_ll_read32(u->ll, FPGA_AFU_REG_CYCLES_LO) |
	       (uint64_t)fpga_ll_read32(u->ll, FPGA_AFU_REG_CYCLES_HI) << 32;
}

/* ---- reconfiguration --------------------------------------------------- */

int
fpga_afu_reconf_begin(void)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();
	uint32_t g;

	if (u == NULL)
		return -ENODEV;
	if (u->reconf)
		return -EBUSY;
	if (!fpga_afu_unit_ok(u))
		return -EIO;
	if (u->ll->ops->load == NULL)
		return -ENOTSUP;
	u->reconf = true;
	g = __atomic_load_n(&u->gate, __ATOMIC_RELAXED);
	/* seq_cst: pairs with the context's posting store (afu_impl.h). */
	__atomic_store_n(&u->gate, g | FPGA_AFU_GATE_CLOSED, __ATOMIC_SEQ_CST);
	return 0;
}

bool
fpga_afu_reconf_drained(void)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();

	if (u == NULL || !u->reconf)
		return false;
	return __atomic_load_n(&u->posting, __ATOMIC_SEQ_CST) == 0 &&
	       __atomic_load_n(&u->hw_jobs, __ATOMIC_ACQUIRE) == 0;
}

/* The new image must still be an AFU we speak to; learn its functions. */
static int
fpga_afu_reprobe(struct fpga_afu_unit *u)
{
	int rc = fpga_afu_probe(u);

	if (rc != 0)
		fpga_afu_unit_fail(u, -EIO, FPGA_AFU_ERR_NONE);
	return rc != 0 ? -EIO : 0;
}

int
fpga_afu_reconf_load(const char *image)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();
	uint32_t g;
	int rc;

	if (u == NULL || !u->reconf || image == NULL)
		return -EINVAL;
	if (!fpga_afu_reconf_drained())
		return -EBUSY;
	rc = fpga_ll_load(u->ll, image);
	if (rc == -EIO)
		fpga_afu_unit_fail(u, -EIO, FPGA_AFU_ERR_NONE);
	if (rc == 0)
		rc = fpga_afu_reprobe(u);
	if (rc != 0 && rc != -EIO)
		return rc;	/* nothing changed: the old image runs on */
	/* The context reprograms its rings when it sees a new generation. */
	g = __atomic_load_n(&u->gate, __ATOMIC_RELAXED);
	__atomic_store_n(&u->gate, g + 2, __ATOMIC_RELEASE);
	return rc;
}

void
fpga_afu_reconf_end(void)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();
	uint32_t g;

	if (u == NULL || !u->reconf)
		return;
	g = __atomic_load_n(&u->gate, __ATOMIC_RELAXED);
	/* Release: fn_mask and the new device are seen with the open gate. */
	__atomic_store_n(&u->gate, g & ~FPGA_AFU_GATE_CLOSED, __ATOMIC_RELEASE);
	u->reconf = false;
}

const char *
fpga_afu_image_name(unsigned int i)
{
	struct fpga_afu_unit *u = fpga_afu_unit_get();

	return u != NULL ? fpga_ll_image_name(u->ll, i) : NULL;
}
