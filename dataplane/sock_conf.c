/* SPDX-License-Identifier: BSD-3-Clause */
/* The socket service's config keys and a guest's address policy. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hostlane/proto.h>

#include "sock_conf.h"
#include "sock_req.h"

#define LIST_MAX 512	/* a value's bytes, as rte_cfgfile keeps them */

static int __attribute__((format(printf, 3, 4)))
bad(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole decimal number in [lo, hi]; no sign, no blanks. */
static bool
num(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out >= lo && *out <= hi;
}

/* "P" or "LO-HI" within [min, 65535]. */
static bool
parse_range(const char *s, unsigned long min, struct dp_sock_range *r)
{
	char buf[16];
	char *dash;
	unsigned long lo, hi;

	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (!num(buf, min, 65535, &lo))
		return false;
	hi = lo;
	if (dash != NULL && !num(dash + 1, min, 65535, &hi))
		return false;
	if (lo > hi)
		return false;
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return true;
}

void
dp_sock_conf_defaults(struct dp_sock_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->families = DP_SOCK_FAM_INET | DP_SOCK_FAM_INET6;
	c->max_sockets = DP_SOCK_MAX_SOCKETS_DEFAULT;
}

void
dp_sock_svc_conf_defaults(struct dp_sock_svc_conf *c)
{
	static const unsigned int budgets[] = {
#define DP_SOCK_BUDGET_(n, key, def) def,
		DP_SOCK_CLASS_LIST(DP_SOCK_BUDGET_)
#undef DP_SOCK_BUDGET_
	};

	memset(c, 0, sizeof(*c));
	c->workers = 1;
	memcpy(c->budget, budgets, sizeof(c->budget));
}

static int
key_families(struct dp_sock_conf *c, const char *val, char *why, size_t cap)
{
	char buf[LIST_MAX], *save = NULL;
	uint8_t f = 0;

	snprintf(buf, sizeof(buf), "%s", val);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "inet") == 0)
			f |= DP_SOCK_FAM_INET;
		else if (strcmp(t, "inet6") == 0)
			f |= DP_SOCK_FAM_INET6;
		else
			return bad(why, cap, "'%.32s' is not inet or inet6", t);
	}
	if (f == 0)
		return bad(why, cap, "no family given (inet, inet6)");
	c->families = f;
	return 0;
}

static int
key_bind_ports(struct dp_sock_conf *c, const char *val, char *why, size_t cap)
{
	char buf[LIST_MAX], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", val);
	c->n_bind = 0;
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		if (c->n_bind == DP_SOCK_RANGES)
			return bad(why, cap, "more than %u ranges", DP_SOCK_RANGES);
		if (!parse_range(t, 1, &c->bind[c->n_bind]))
			return bad(why, cap, "'%.32s' is not a port or LO-HI range "
				   "(1-65535, LO <= HI)", t);
		c->n_bind++;
	}
	return c->n_bind == 0 ? bad(why, cap, "no range given") : 0;
}

static int
key_host_ports(struct dp_sock_conf *c, const char *val, char *why, size_t cap)
{
	c->host_same = 0;
	c->host.lo = c->host.hi = 0;
	if (strcmp(val, "same") == 0) {
		c->host_same = 1;
		return 0;
	}
	if (strcmp(val, "ephemeral") == 0)
		return 0;
	if (!parse_range(val, 1, &c->host))
		return bad(why, cap, "'%.32s' is not same, ephemeral or a LO-HI port range "
			   "(1-65535, LO <= HI)", val);
	return 0;
}

/* "A.B.C.D[/N]" or "[v6[/N]]" into r; rest points past it. */
static bool
parse_net(const char *s, struct dp_sock_rule *r, const char **rest)
{
	char buf[64];
	const char *end;
	char *slash;
	unsigned long bits;
	bool v6 = s[0] == '[';

	end = v6 ? strchr(s, ']') : s + strcspn(s, ":");
	if (end == NULL || (size_t)(end - s) >= sizeof(buf) || end == s)
		return false;
	memcpy(buf, s + v6, (size_t)(end - s) - v6);
	buf[(end - s) - v6] = '\0';
	*rest = end + v6;
	r->family = v6 ? HL_SOCK_AF_INET6 : HL_SOCK_AF_INET;
	slash = strchr(buf, '/');
	bits = v6 ? 128 : 32;
	if (slash != NULL) {
		*slash = '\0';
		if (!num(slash + 1, 0, v6 ? 128 : 32, &bits))
			return false;
	}
	r->prefix = (uint8_t)bits;
	memset(r->addr, 0, sizeof(r->addr));
	return inet_pton(v6 ? AF_INET6 : AF_INET, buf, r->addr) == 1;
}

static int
key_connect(struct dp_sock_conf *c, const char *val, char *why, size_t cap)
{
	char buf[LIST_MAX], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", val);
	c->n_connect = 0;
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		struct dp_sock_rule *r = &c->connect[c->n_connect];
		const char *rest;

		if (c->n_connect == DP_SOCK_RULES)
			return bad(why, cap, "more than %u rules", DP_SOCK_RULES);
		if (!parse_net(t, r, &rest))
			return bad(why, cap, "'%.64s' is not A.B.C.D[/N] or [IPV6[/N]]", t);
		r->ports = (struct dp_sock_range){ 1, 65535 };
		if (*rest != '\0' && (*rest != ':' || !parse_range(rest + 1, 1, &r->ports)))
			return bad(why, cap, "'%.64s': the ports after ':' are not a port "
				   "or LO-HI range (1-65535)", t);
		c->n_connect++;
	}
	return c->n_connect == 0 ? bad(why, cap, "no rule given") : 0;
}

/* A name ip-netns(8) would make: no path, nothing hidden. */
static int
key_netns(struct dp_sock_conf *c, const char *val, char *why, size_t cap)
{
	size_t n = strlen(val);

	if (n == 0 || n >= sizeof(c->netns) || val[0] == '.' ||
	    strspn(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789-_.") != n)
		return bad(why, cap, "'%.64s' is not a namespace name (1-%zu of "
			   "[A-Za-z0-9._-], not starting with '.')", val,
			   sizeof(c->netns) - 1);
	memcpy(c->netns, val, n + 1);
	return 0;
}

int
dp_sock_conf_guest_key(struct dp_sock_conf *c, const char *key, const char *val,
		       char *why, size_t cap)
{
	unsigned long v;

	if (strcmp(key, "sockets") == 0) {
		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
			return bad(why, cap, "'%.64s' is not yes or no", val);
		c->enabled = val[0] == 'y';
		return 0;
	}
	if (strncmp(key, "sock_", 5) != 0 && strcmp(key, "max_sockets") != 0)
		return 1;
	c->given = 1;
	if (strcmp(key, "max_sockets") == 0) {
		if (!num(val, 1, DP_SOCK_MAX_SOCKETS_CAP, &v))
			return bad(why, cap, "'%.64s' is not a number in [1, %u]", val,
				   DP_SOCK_MAX_SOCKETS_CAP);
		c->max_sockets = (uint16_t)v;
		return 0;
	}
	if (strcmp(key, "sock_families") == 0)
		return key_families(c, val, why, cap);
	if (strcmp(key, "sock_bind_ports") == 0)
		return key_bind_ports(c, val, why, cap);
	if (strcmp(key, "sock_host_ports") == 0)
		return key_host_ports(c, val, why, cap);
	if (strcmp(key, "sock_connect") == 0)
		return key_connect(c, val, why, cap);
	if (strcmp(key, "sock_netns") == 0)
		return key_netns(c, val, why, cap);
	return 1;
}

int
dp_sock_conf_guest_check(const struct dp_sock_conf *c, const char **key, char *why,
			 size_t cap)
{
	if (c->given && !c->enabled) {
		*key = "sockets";
		return bad(why, cap, "sock_* or max_sockets given, but sockets is not yes");
	}
	return 0;
}

/* "0-3,6": ascending, no repeats, each below DP_SOCK_CPUS_MAX. */
static int
key_cpus(struct dp_sock_svc_conf *c, const char *val, char *why, size_t cap)
{
	char buf[LIST_MAX], *save = NULL;
	long last = -1;

	snprintf(buf, sizeof(buf), "%s", val);
	c->n_cpus = 0;
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(t, '-');
		unsigned long lo, hi;

		if (dash != NULL)
			*dash = '\0';
		if (!num(t, 0, DP_SOCK_CPUS_MAX - 1, &lo) ||
		    (dash != NULL && !num(dash + 1, 0, DP_SOCK_CPUS_MAX - 1, &hi)))
			return bad(why, cap, "'%.32s' is not a cpu id or LO-HI range "
				   "below %u", val, DP_SOCK_CPUS_MAX);
		if (dash == NULL)
			hi = lo;
		if (lo > hi || (long)lo <= last)
			return bad(why, cap, "'%.64s': cpus must ascend without repeats", val);
		for (unsigned long k = lo; k <= hi; k++)
			c->cpus[c->n_cpus++] = (uint16_t)k;
		last = (long)hi;
	}
	return c->n_cpus == 0 ? bad(why, cap, "no cpu given") : 0;
}

int
dp_sock_svc_conf_key(struct dp_sock_svc_conf *c, const char *key, const char *val,
		     char *why, size_t cap)
{
	static const char *const keys[] = {
#define DP_SOCK_KEY_(n, k, def) k,
		DP_SOCK_CLASS_LIST(DP_SOCK_KEY_)
#undef DP_SOCK_KEY_
	};
	unsigned long v;

	if (strcmp(key, "workers") == 0) {
		if (!num(val, 1, DP_SOCK_WORKERS_MAX, &v))
			return bad(why, cap, "'%.64s' is not a number in [1, %u]", val,
				   DP_SOCK_WORKERS_MAX);
		c->workers = (unsigned int)v;
		return 0;
	}
	if (strcmp(key, "cpus") == 0)
		return key_cpus(c, val, why, cap);
	for (unsigned int i = 0; i < DP_SOCK_CLASSES; i++) {
		if (strcmp(key, keys[i]) != 0)
			continue;
		if (!num(val, 1, 4096, &v))
			return bad(why, cap, "'%.64s' is not a number in [1, 4096]", val);
		c->budget[i] = (unsigned int)v;
		return 0;
	}
	return 1;
}

int
dp_sock_conf_family_ok(const struct dp_sock_conf *c, uint32_t family)
{
	if (family == HL_SOCK_AF_INET)
		return (c->families & DP_SOCK_FAM_INET) != 0;
	if (family == HL_SOCK_AF_INET6)
		return (c->families & DP_SOCK_FAM_INET6) != 0;
	return 0;
}

int
dp_sock_conf_bind_ok(const struct dp_sock_conf *c, uint16_t port)
{
	if (port == 0)
		return 1;
	for (unsigned int i = 0; i < c->n_bind && i < DP_SOCK_RANGES; i++)
		if (port >= c->bind[i].lo && port <= c->bind[i].hi)
			return 1;
	return 0;
}

static bool
prefix_match(const uint8_t *a, const uint8_t *net, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;

	if (memcmp(a, net, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ net[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

int
dp_sock_conf_dest_ok(const struct dp_sock_conf *c, uint32_t family,
		     const uint8_t *addr, uint16_t port)
{
	for (unsigned int i = 0; i < c->n_connect && i < DP_SOCK_RULES; i++) {
		const struct dp_sock_rule *r = &c->connect[i];

		if (r->family == family && port >= r->ports.lo && port <= r->ports.hi &&
		    prefix_match(addr, r->addr, r->prefix))
			return 1;
	}
	return 0;
}
