/* SPDX-License-Identifier: BSD-3-Clause */
/* Function catalog, backend registry and the high-level driver wrappers. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "accel.h"
#include "backend.h"

#define FPGA_BACKEND_MAX 8

#define FPGA_FN_INFO_(sym, nm, id_, a0, reps_, out_, desc_) \
	[id_] = { .id = (id_), .name = (nm), .desc = (desc_), \
		  .arg0_max = (a0), .reps = (reps_), .out = (out_) },
static const struct fpga_fn_info fpga_fn_table[FPGA_FN_COUNT + 1] = {
	FPGA_FN_LIST(FPGA_FN_INFO_)
};
#undef FPGA_FN_INFO_

/* Ids must be dense 1..COUNT so the table above has no holes. */
#define FPGA_FN_ID_CHECK_(sym, nm, id_, a0, reps_, out_, desc_) \
	_Static_assert((id_) >= 1 && (id_) <= FPGA_FN_COUNT, \
		       "fpga function id out of 1..FPGA_FN_COUNT: " nm);
FPGA_FN_LIST(FPGA_FN_ID_CHECK_)
#undef FPGA_FN_ID_CHECK_

static const struct fpga_backend_ops *fpga_backends[FPGA_BACKEND_MAX] = {
	&fpga_sw_ops,
};
static unsigned int fpga_nb_backends = 1;

const struct fpga_fn_info *
fpga_fn_info(unsigned int id)
{
	if (id == FPGA_FN_NONE || id > FPGA_FN_COUNT)
		return NULL;
	return &fpga_fn_table[id];
}

enum fpga_fn_id
fpga_fn_lookup(const char *name)
{
	unsigned int id;

	if (name == NULL)
		return FPGA_FN_NONE;
	for (id = 1; id <= FPGA_FN_COUNT; id++)
		if (strcmp(fpga_fn_table[id].name, name) == 0)
			return fpga_fn_table[id].id;
	return FPGA_FN_NONE;
}

const char *
fpga_fn_name(unsigned int id)
{
	const struct fpga_fn_info *fi = fpga_fn_info(id);

	return fi != NULL ? fi->name : "unknown";
}

static int
fpga_validate_reps(const struct fpga_fn_info *fi, uint64_t reps,
		   uint64_t max_reps)
{
	if (!fi->reps)
		return 0;
	if (reps == 0)
		return -EINVAL;
	if (max_reps != 0 && reps > max_reps)
		return -E2BIG;
	return 0;
}

int
fpga_job_validate(const struct fpga_job *job, uint64_t max_reps)
{
	const struct fpga_fn_info *fi = fpga_fn_info(job->fn);

	if (fi == NULL)
		return -ENOTSUP;
	if (job->flags != 0 || job->reserved != 0)
		return -EINVAL;
	if ((job->in_len != 0 && job->in == NULL) ||
	    (job->out_cap != 0 && job->out == NULL))
		return -EFAULT;
	if (job->arg0 > fi->arg0_max)
		return -EINVAL;
	if (fi->out == FPGA_OUT_IN_LEN && job->out_cap < job->in_len)
		return -EMSGSIZE;
	return fpga_validate_reps(fi, job->arg1, max_reps);
}

static bool
fpga_backend_ops_complete(const struct fpga_backend_ops *be)
{
	return be->name != NULL && be->init != NULL && be->exit != NULL &&
	       be->submit != NULL && be->poll != NULL && be->caps != NULL;
}

int
fpga_backend_register(const struct fpga_backend_ops *be)
{
	if (be == NULL || !fpga_backend_ops_complete(be))
		return -EINVAL;
	if (fpga_backend_find(be->name) != NULL)
		return -EEXIST;
	if (fpga_nb_backends == FPGA_BACKEND_MAX)
		return -ENOSPC;
	fpga_backends[fpga_nb_backends++] = be;
	return 0;
}

const struct fpga_backend_ops *
fpga_backend_find(const char *name)
{
	unsigned int i;

	for (i = 0; name != NULL && i < fpga_nb_backends; i++)
		if (strcmp(fpga_backends[i]->name, name) == 0)
			return fpga_backends[i];
	errno = ENOENT;
	return NULL;
}

const struct fpga_backend_ops *
fpga_backend_get(unsigned int i)
{
	return i < fpga_nb_backends ? fpga_backends[i] : NULL;
}

const char *
fpga_backend_name(const struct fpga_backend_ops *be)
{
	return be->name;
}

int
fpga_fn_caps(const struct fpga_backend_ops *be, unsigned int fn,
	     struct fpga_fn_caps *caps)
{
	if (be == NULL || caps == NULL)
		return -EINVAL;
	caps->place = FPGA_PLACE_NONE;
	caps->max_in_len = 0;
	if (fpga_fn_info(fn) == NULL)
		return -ENOTSUP;
	return be->caps((enum fpga_fn_id)fn, caps);
}

/* Rank of a placement: hardware beats software when allowed. */
static int
fpga_place_rank(enum fpga_place place, bool allow_hw)
{
	if (place == FPGA_PLACE_HW)
		return allow_hw ? 2 : 0;
	return place == FPGA_PLACE_SW ? 1 : 0;
}

const struct fpga_backend_ops *
fpga_backend_place(unsigned int fn, bool allow_hw, enum fpga_place *place)
{
	const struct fpga_backend_ops *best = NULL;
	struct fpga_fn_caps caps;
	int rank, best_rank = 0;
	unsigned int i;

	for (i = 0; i < fpga_nb_backends; i++) {
		if (fpga_fn_caps(fpga_backends[i], fn, &caps) != 0)
			continue;
		rank = fpga_place_rank(caps.place, allow_hw);
		if (rank > best_rank) {
			best = fpga_backends[i];
			best_rank = rank;
		}
	}
	if (place != NULL)
		*place = best_rank == 2 ? FPGA_PLACE_HW :
			 best_rank == 1 ? FPGA_PLACE_SW : FPGA_PLACE_NONE;
	if (best == NULL)
		errno = ENOTSUP;
	return best;
}

struct fpga_ctx *
fpga_init(const struct fpga_backend_ops *be, const struct fpga_ctx_conf *conf)
{
	struct fpga_ctx *ctx;

	if (be == NULL || conf == NULL || conf->depth == 0 ||
	    conf->depth > FPGA_DEPTH_MAX || conf->socket_id < -1) {
		errno = EINVAL;
		return NULL;
	}
	ctx = be->init(conf);
	if (ctx == NULL)
		return NULL;
	ctx->ops = be;
	memset(&ctx->stats, 0, sizeof(ctx->stats));
	return ctx;
}

void
fpga_exit(struct fpga_ctx *ctx)
{
	if (ctx != NULL)
		ctx->ops->exit(ctx);
}

unsigned int
fpga_submit(struct fpga_ctx *ctx, const struct fpga_job *jobs, unsigned int n)
{
	unsigned int k = ctx->ops->submit(ctx, jobs, n);

	ctx->stats.submitted += k;
	ctx->stats.busy += n - k;
	return k;
}

unsigned int
fpga_poll(struct fpga_ctx *ctx, struct fpga_completion *done, unsigned int max)
{
	unsigned int i, k = ctx->ops->poll(ctx, done, max);

	for (i = 0; i < k; i++)
		ctx->stats.failed += done[i].status != 0;
	ctx->stats.completed += k;
	return k;
}

unsigned int
fpga_ctx_inflight(const struct fpga_ctx *ctx)
{
	return (unsigned int)(ctx->stats.submitted - ctx->stats.completed);
}

const struct fpga_backend_ops *
fpga_ctx_backend(const struct fpga_ctx *ctx)
{
	return ctx->ops;
}

void
fpga_ctx_stats(const struct fpga_ctx *ctx, struct fpga_ctx_stats *st)
{
	*st = ctx->stats;
}
