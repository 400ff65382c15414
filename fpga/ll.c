/* SPDX-License-Identifier: BSD-3-Clause */
/* Low-level device layer: spec parsing and the choice of implementation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ll.h"
#include "ll_impl.h"

#define FPGA_LL_KIND_MAX 16

static const struct fpga_ll_ops *const fpga_ll_kinds[] = {
#ifdef FPGA_HAVE_SIM
	&fpga_ll_sim_ops,
#endif
	&fpga_ll_vfio_ops,
};

int
fpga_ll_have_sim(void)
{
#ifdef FPGA_HAVE_SIM
	return 1;
#else
	return 0;
#endif
}

static int
fpga_ll_split(const char *spec, char *kind, const char **args)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);

	if (n == 0 || n >= FPGA_LL_KIND_MAX)
		return -EINVAL;
	memcpy(kind, spec, n);
	kind[n] = '\0';
	*args = colon != NULL ? colon + 1 : "";
	return 0;
}

int
fpga_ll_open(const char *spec, struct fpga_ll **ll)
{
	char kind[FPGA_LL_KIND_MAX];
	const char *args;
	size_t i;
	int rc;

	if (spec == NULL || ll == NULL)
		return -EINVAL;
	rc = fpga_ll_split(spec, kind, &args);
	if (rc != 0)
		return rc;
	for (i = 0; i < sizeof(fpga_ll_kinds) / sizeof(fpga_ll_kinds[0]); i++)
		if (strcmp(fpga_ll_kinds[i]->kind, kind) == 0)
			return fpga_ll_kinds[i]->open(args, ll);
	return -ENOTSUP;
}

void
fpga_ll_close(struct fpga_ll *ll)
{
	if (ll != NULL)
		ll->ops->close(ll);
}

int
fpga_ll_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}
