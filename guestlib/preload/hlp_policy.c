/* SPDX-License-Identifier: BSD-3-Clause */
/* The shim's policy, from the environment (hlp.h, docs/sockets.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlp.h"

#define POL_RANGES 16
#define POL_CIDRS 16

struct hlp_cidr {
	int family;
	uint8_t addr[16];
	unsigned int bits;
};

struct hlp_policy {
	const char *uri;
	const char *secret;
	int inet, inet6;
	int have_ports, have_addrs;
	unsigned int nports, ncidrs;
	uint16_t lo[POL_RANGES], hi[POL_RANGES];
	struct hlp_cidr cidr[POL_CIDRS];
	enum hlp_fallback fallback;
	long tx_window;			/* bytes; -1 = libhostlane's default */
};

static struct hlp_policy pol;

/* "LO-HI,P,..." into ranges; -1 if malformed. */
int
hlp_parse_ports(const char *s, uint16_t lo[], uint16_t hi[], unsigned *n,
		unsigned max)
{
	char *end;

	*n = 0;
	while (*s != '\0') {
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s || a > 65535 || *n == max)
			return -1;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b > 65535 || b < a)
				return -1;
		}
		lo[*n] = (uint16_t)a;
		hi[(*n)++] = (uint16_t)b;
		if (*end != ',' && *end != '\0')
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return *n > 0 ? 0 : -1;
}

static int
cidr_one(const char *tok, struct hlp_cidr *c)
{
	char buf[64], *slash;
	int max;

	if (strlen(tok) >= sizeof(buf))
		return -1;
	strcpy(buf, tok);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, buf, c->addr) == 1)
		c->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, buf, c->addr) == 1)
		c->family = AF_INET6, max = 128;
	else
		return -1;
	c->bits = (unsigned int)max;
	if (slash != NULL) {
		char *end;
		unsigned long b = strtoul(slash + 1, &end, 10);

		if (end == slash + 1 || *end != '\0' || b > (unsigned long)max)
			return -1;
		c->bits = (unsigned int)b;
	}
	return 0;
}

/* "CIDR,CIDR,..." into p; -1 if malformed. */
int
hlp_parse_cidrs(const char *s, struct hlp_policy *p)
{
	char tok[64];

	p->ncidrs = 0;
	while (*s != '\0') {
		size_t k = strcspn(s, ",");

		if (k == 0 || k >= sizeof(tok) || p->ncidrs == POL_CIDRS)
			return -1;
		memcpy(tok, s, k);
		tok[k] = '\0';
		if (cidr_one(tok, &p->cidr[p->ncidrs++]) != 0)
			return -1;
		s += k + (s[k] == ',');
	}
	return p->ncidrs > 0 ? 0 : -1;
}

static int
parse_families(const char *s, struct hlp_policy *p)
{
	char tok[16];

	p->inet = p->inet6 = 0;
	while (*s != '\0') {
		size_t k = strcspn(s, ",");

		if (k == 0 || k >= sizeof(tok))
			return -1;
		memcpy(tok, s, k);
		tok[k] = '\0';
		if (strcmp(tok, "inet") == 0)
			p->inet = 1;
		else if (strcmp(tok, "inet6") == 0)
			p->inet6 = 1;
		else
			return -1;
		s += k + (s[k] == ',');
	}
	return 0;
}

static int
bad(const char *var, const char *val)
{
	fprintf(stderr, "hostlane-preload: %s=\"%s\" is not valid; hostlane "
		"sockets off\n", var, val);
	return -1;
}

/* Bytes, 0 .. 64 MiB, with an optional K or M suffix (KiB, MiB). */
static int
parse_window(const char *v, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || errno != 0 || n < 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		n = n > (64L << 10) ? -1 : n << 10, end++;
	else if (*end == 'M' || *end == 'm')
		n = n > 64 ? -1 : n << 20, end++;
	if (*end != '\0' || n < 0 || n > (64L << 20))
		return -1;
	*out = n;
	return 0;
}

int
hlp_policy_load(void)
{
	const char *v;

	memset(&pol, 0, sizeof(pol));
	pol.uri = getenv("HOSTLANE_SOCK_URI");
	if (pol.uri == NULL || *pol.uri == '\0')
		return -1;
	pol.secret = getenv("HOSTLANE_SOCK_SECRET");
	if (pol.secret != NULL && *pol.secret == '\0')
		pol.secret = NULL;
	pol.inet = pol.inet6 = 1;
	if ((v = getenv("HOSTLANE_SOCK_FAMILIES")) && parse_families(v, &pol))
		return bad("HOSTLANE_SOCK_FAMILIES", v);
	if ((v = getenv("HOSTLANE_SOCK_PORTS")) != NULL) {
		pol.have_ports = 1;
		if (hlp_parse_ports(v, pol.lo, pol.hi, &pol.nports, POL_RANGES))
			return bad("HOSTLANE_SOCK_PORTS", v);
	}
	if ((v = getenv("HOSTLANE_SOCK_ADDRS")) != NULL) {
		pol.have_addrs = 1;
		if (hlp_parse_cidrs(v, &pol))
			return bad("HOSTLANE_SOCK_ADDRS", v);
	}
	pol.tx_window = -1;
	if ((v = getenv("HOSTLANE_SOCK_TX_WINDOW")) != NULL &&
	    parse_window(v, &pol.tx_window))
		return bad("HOSTLANE_SOCK_TX_WINDOW", v);
	v = getenv("HOSTLANE_SOCK_FALLBACK");
	if (v == NULL || strcmp(v, "kernel") == 0)
		pol.fallback = HLP_FB_KERNEL;
	else if (strcmp(v, "fail") == 0)
		pol.fallback = HLP_FB_FAIL;
	else
		return bad("HOSTLANE_SOCK_FALLBACK", v);
	return 0;
}

const char *
hlp_policy_uri(void)
{
	return pol.uri;
}

long
hlp_policy_tx_window(void)
{
	return pol.tx_window;
}

const char *
hlp_policy_secret(void)
{
	return pol.secret;
}

enum hlp_fallback
hlp_policy_fallback(void)
{
	return pol.fallback;
}

int
hlp_policy_family(int domain)
{
	return (domain == AF_INET && pol.inet) || (domain == AF_INET6 && pol.inet6);
}

int
hlp_policy_lazy(void)
{
	return pol.have_ports || pol.have_addrs;
}

static int
addr_port(const struct sockaddr *a, socklen_t len, uint16_t *port)
{
	if (a == NULL)
		return -1;
	if (a->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		*port = ntohs(((const struct sockaddr_in *)(const void *)a)->sin_port);
	else if (a->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		*port = ntohs(((const struct sockaddr_in6 *)(const void *)a)->sin6_port);
	else
		return -1;
	return 0;
}

/* A bind (a NULL: none yet, e.g. listen() first) goes to hostlane if its
 * port is in HOSTLANE_SOCK_PORTS (unset: every port). */
int
hlp_policy_bind(const struct sockaddr *a, socklen_t len)
{
	uint16_t port;

	if (!pol.have_ports)
		return 1;
	if (addr_port(a, len, &port) != 0)
		return 0;
	for (unsigned int i = 0; i < pol.nports; i++)
		if (port >= pol.lo[i] && port <= pol.hi[i])
			return 1;
	return 0;
}

static int
cidr_match(const struct hlp_cidr *c, const uint8_t *addr)
{
	unsigned int full = c->bits / 8, rest = c->bits % 8;

	if (memcmp(c->addr, addr, full) != 0)
		return 0;
	return rest == 0 ||
	       ((c->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* A destination goes to hostlane if it is in HOSTLANE_SOCK_ADDRS (unset:
 * every one) and, when HOSTLANE_SOCK_PORTS is set, its port in it. */
int
hlp_policy_dest(const struct sockaddr *a, socklen_t len)
{
	const uint8_t *addr;
	int ok = !pol.have_addrs;

	if (a == NULL || (a->sa_family != AF_INET && a->sa_family != AF_INET6))
		return 0;
	if (pol.have_addrs) {
		if (a->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
			addr = (const uint8_t *)&((const struct sockaddr_in *)
						  (const void *)a)->sin_addr;
		else if (len >= sizeof(struct sockaddr_in6))
			addr = ((const struct sockaddr_in6 *)(const void *)a)->sin6_addr.s6_addr;
		else
			return 0;
		for (unsigned int i = 0; i < pol.ncidrs && !ok; i++)
			ok = pol.cidr[i].family == a->sa_family &&
			     cidr_match(&pol.cidr[i], addr);
	}
	return ok && hlp_policy_bind(a, len);
}
