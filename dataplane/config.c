/* SPDX-License-Identifier: BSD-3-Clause */
/* Config file → validated structs, one error line on the first problem. */
#include <ctype.h>
#include <errno.h>
#include <search.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "accel.h"
#include "balance.h"
#include "config.h"
#include "handler.h"
#include "paths.h"

#define DEFAULT_RUNTIME_DIR "/run/hostlane"
#define DP_PF_NAME_MAX (DP_NAME_MAX - 7)

/* Where a problem is: file, section, key. */
struct cfg_ctx {
	const char *file;
	const char *section;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 3, 4)))
fail(const struct cfg_ctx *c, const char *key, const char *fmt, ...)
{
	char what[DP_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->section == NULL)
		snprintf(c->err, c->errlen, "%s: %s", c->file, what);
	else if (key == NULL)
		snprintf(c->err, c->errlen, "%s: [%s] %s", c->file, c->section, what);
	else
		snprintf(c->err, c->errlen, "%s: [%s] %s: %s", c->file, c->section,
			 key, what);
	return -EINVAL;
}

/* Whole-string unsigned parse with optional K/M/G suffix when sized. */
static int
parse_u64(const char *s, bool sized, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	if (sized && *end != '\0' && end[1] == '\0') {
		shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : -1;
		end++;
	}
	if (*end != '\0' || shift < 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int
get_uint(const struct cfg_ctx *c, const char *key, const char *val,
	 uint64_t min, uint64_t max, bool sized, uint64_t *out)
{
	if (parse_u64(val, sized, out) < 0)
		return fail(c, key, "'%.64s' is not a%s number", val,
			    sized ? " size (bytes, or with K/M/G)" : "n unsigned");
	if (*out < min || *out > max)
		return fail(c, key, "%.64s is out of range [%" PRIu64 ", %" PRIu64 "]",
			    val, min, max);
	return 0;
}

static int
get_bool(const struct cfg_ctx *c, const char *key, const char *val, uint8_t *out)
{
	if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
		return fail(c, key, "'%.64s' is not yes or no", val);
	*out = val[0] == 'y';
	return 0;
}

static int
copy_str(const struct cfg_ctx *c, const char *key, const char *val,
	 char *dst, size_t cap)
{
	size_t n = strlen(val);

	if (n == 0)
		return fail(c, key, "empty value");
	/* rte_cfgfile keeps at most CFG_VALUE_LEN - 1 bytes and drops the
	 * rest silently, so a value that long may have been cut. */
	if (n >= cap || n >= CFG_VALUE_LEN - 1)
		return fail(c, key, "longer than %zu bytes",
			    (cap < CFG_VALUE_LEN - 1 ? cap : CFG_VALUE_LEN - 1) - 1);
	memcpy(dst, val, n + 1);
	return 0;
}

static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= DP_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* "52:54:00:12:34:56" → 6 bytes; a station address: not 0, not a group. */
static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int end = 0;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6 || end != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (s[i * 3] == ' ' || s[i * 3] == '+' || s[i * 3] == '-' ||
		    (i < 5 && s[i * 3 + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	if ((mac[0] & 1) || (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0)
		return -1;
	return 0;
}

/* No control characters in any value: they would reach log lines and
 * control replies as they are. */
static int
value_validate(const struct cfg_ctx *c, const char *key, const char *val)
{
	for (size_t i = 0; val[i] != '\0'; i++) {
		unsigned char b = (unsigned char)val[i];

		if (b < 0x20 || b == 0x7f)
			return fail(c, key, "control character 0x%02x at byte %zu", b, i + 1);
	}
	return 0;
}

/* A secret is printable ASCII: what an operator can type and every memif
 * client can pass. The file and `guest add` both come through here. */
static int
secret_validate(const struct cfg_ctx *c, const char *key, const char *val)
{
	if (strlen(val) > MEMIF_SECRET_LEN)
		return fail(c, key, "longer than %d bytes", MEMIF_SECRET_LEN);
	for (size_t i = 0; val[i] != '\0'; i++) {
		unsigned char b = (unsigned char)val[i];

		if (b < 0x20 || b > 0x7e)
			return fail(c, key, "byte %zu is 0x%02x; a secret is printable "
				    "ASCII (0x20-0x7e)", i + 1, b);
	}
	return 0;
}

static int
guest_key_memif(const struct cfg_ctx *c, struct dp_guest_conf *g,
		const char *key, const char *val)
{
	uint64_t v;
	int rc;

	if (strcmp(key, "secret") == 0) {
		if (secret_validate(c, key, val) < 0)
			return -EINVAL;
		memset(g->memif.secret, 0, sizeof(g->memif.secret));
		memcpy(g->memif.secret, val, strlen(val));
		return 0;
	}
	if (strcmp(key, "interface_id") == 0) {
		rc = get_uint(c, key, val, 0, UINT32_MAX, false, &v);
		g->memif.interface_id = (uint32_t)v;
		return rc;
	}
	if (strcmp(key, "max_regions") == 0) {
		rc = get_uint(c, key, val, 1, DP_MEMIF_MAX_REGIONS, false, &v);
		g->memif.max_regions = (uint16_t)v;
		return rc;
	}
	if (strcmp(key, "max_region_size") == 0) {
		rc = get_uint(c, key, val, 4096, (uint64_t)16 << 30, true, &v);
		g->memif.max_region_size = v;
		return rc;
	}
	return 1;
}

static int
guest_key_ring(const struct cfg_ctx *c, struct dp_guest_conf *g,
	       const char *key, const char *val)
{
	uint64_t v;
	int rc;

	if (strcmp(key, "max_ring_size") == 0) {
		rc = get_uint(c, key, val, 1u << DP_MEMIF_MIN_LOG2_RING,
			      1u << DP_MEMIF_MAX_LOG2_RING, false, &v);
		if (rc < 0)
			return rc;
		if ((v & (v - 1)) != 0)
			return fail(c, key, "%s is not a power of two", val);
		g->memif.max_log2_ring = (uint8_t)__builtin_ctzll(v);
		return rc;
	}
	if (strcmp(key, "max_frame") == 0) {
		rc = get_uint(c, key, val, 64, 65535, false, &v);
		g->max_frame = (uint32_t)v;
		return rc;
	}
	if (strcmp(key, "max_chain") == 0) {
		rc = get_uint(c, key, val, 1, 64, false, &v);
		g->max_chain = (uint16_t)v;
		return rc;
	}
	return 1;
}

/* "factorial, crc32c" or "all" → a bit per function id. */
static int
parse_functions(const struct cfg_ctx *c, const char *key, const char *val,
		uint32_t *mask)
{
	char buf[CFG_VALUE_LEN], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", val);
	*mask = 0;
	if (strcmp(val, "all") == 0) {
		for (unsigned int id = 1; id <= FPGA_FN_COUNT; id++)
			*mask |= FPGA_FN_BIT(id);
		return 0;
	}
	for (char *t = strtok_r(buf, ", ", &save); t != NULL;
	     t = strtok_r(NULL, ", ", &save)) {
		enum fpga_fn_id id = fpga_fn_lookup(t);

		if (id == FPGA_FN_NONE)
			return fail(c, key, "unknown function '%s'", t);
		*mask |= FPGA_FN_BIT(id);
	}
	return 0;
}

static int
guest_key_fn(const struct cfg_ctx *c, struct dp_guest_conf *g,
	     const char *key, const char *val)
{
	uint64_t v;
	int rc;

	if (strcmp(key, "functions") == 0)
		return parse_functions(c, key, val, &g->fn_allowed);
	if (strcmp(key, "max_sessions") == 0) {
		rc = get_uint(c, key, val, 1, DP_MAX_SESSIONS, false, &v);
		g->max_sessions = (uint16_t)v;
		return rc;
	}
	if (strcmp(key, "max_inflight") == 0) {
		rc = get_uint(c, key, val, 1, DP_MAX_INFLIGHT, false, &v);
		g->max_inflight = (uint16_t)v;
		return rc;
	}
	return 1;
}

static int
guest_key_general(const struct cfg_ctx *c, struct dp_guest_conf *g,
		  const char *key, const char *val)
{
	uint64_t v;

	if (strcmp(key, "channel") == 0) {
		static const char *const names[] = { "memif", "vhost", "ethdev" };

		for (size_t i = 0; i < RTE_DIM(names); i++)
			if (strcmp(val, names[i]) == 0) {
				g->channel = (enum dp_chan_type)i;
				return 0;
			}
		return fail(c, key, "unknown channel '%s' (known: memif, vhost, "
			    "ethdev)", val);
	}
	if (strcmp(key, "devargs") == 0)
		return copy_str(c, key, val, g->devargs, sizeof(g->devargs));
	if (strcmp(key, "mac") == 0) {
		if (parse_mac(val, g->mac) < 0)
			return fail(c, key, "'%.64s' is not a unicast MAC "
				    "(xx:xx:xx:xx:xx:xx, not 0, group bit clear)", val);
		g->has_mac = 1;
		return 0;
	}
	if (strcmp(key, "vhost_client") == 0)
		return get_bool(c, key, val, &g->vhost_client);
	if (strcmp(key, "socket") == 0) {
		if (val[0] != '/')
			return fail(c, key, "'%s' is not an absolute path", val);
		return copy_str(c, key, val, g->socket, sizeof(g->socket));
	}
	if (strcmp(key, "handler") == 0) {
		if (dp_handler_find(val) == NULL)
			return fail(c, key, "unknown handler '%s' (known: %s)", val,
				    dp_handler_names());
		return copy_str(c, key, val, g->handler, sizeof(g->handler));
	}
	if (strcmp(key, "socket_mode") == 0) {
		char *end;

		errno = 0;
		v = strtoull(val, &end, 8);
		if (errno != 0 || end == val || *end != '\0' || val[0] == '-' ||
		    v > 0777)
			return fail(c, key, "'%.64s' is not an octal mode (0 ... 0777)",
				    val);
		g->socket_mode = (mode_t)v;
		return 0;
	}
	return 1;
}

/* A QEMU device id: a letter, then letters, digits, '-', '.', '_'. */
static bool
qdev_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= DP_NAME_MAX || !isalpha((unsigned char)s[0]))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789-._") == n;
}

/* A guest's place in VF assignment (docs/vf.md). */
static int
guest_key_vf(const struct cfg_ctx *c, struct dp_guest_conf *g,
	     const char *key, const char *val)
{
	static const char *const roles[] = { [DP_VF_NONE] = "none",
					     [DP_VF_ELIGIBLE] = "eligible",
					     [DP_VF_PINNED] = "pinned" };
	uint64_t v;
	int rc;

	if (strcmp(key, "vf") == 0) {
		for (size_t i = 0; i < RTE_DIM(roles); i++)
			if (strcmp(val, roles[i]) == 0) {
				g->vf_role = (uint8_t)i;
				return 0;
			}
		return fail(c, key, "'%.64s' is not none, eligible or pinned", val);
	}
	if (strcmp(key, "vf_weight") == 0) {
		rc = get_uint(c, key, val, 1, 1000, false, &v);
		g->vf_weight = (uint16_t)v;
		return rc;
	}
	if (strcmp(key, "qmp") == 0) {
		if (val[0] != '/')
			return fail(c, key, "'%.64s' is not an absolute path", val);
		return copy_str(c, key, val, g->qmp, sizeof(g->qmp));
	}
	if (strcmp(key, "qmp_standby") == 0) {
		if (!qdev_id_ok(val))
			return fail(c, key, "'%.64s' is not a QEMU device id (a letter, "
				    "then 0-30 of [A-Za-z0-9._-])", val);
		return copy_str(c, key, val, g->qmp_standby, sizeof(g->qmp_standby));
	}
	return 1;
}

/* The fairness keys (DP_FAIR_KEYS): numbers, sizes for the bytes. */
static int
guest_key_fair(const struct cfg_ctx *c, struct dp_guest_conf *g,
	       const char *key, const char *val)
{
#define DP_FAIR_KEY_(k, lo, hi, sized) \
	if (strcmp(key, #k) == 0) \
		return get_uint(c, key, val, lo, hi, sized, &g->fair.k);
	DP_FAIR_KEYS(DP_FAIR_KEY_)
#undef DP_FAIR_KEY_
	return 1;
}

/* sockets and the sock_* keys (sock_conf.h says what each grants). */
static int
guest_key_sock(const struct cfg_ctx *c, struct dp_guest_conf *g,
	       const char *key, const char *val)
{
	char why[DP_ERR_MAX / 2];
	int rc = dp_sock_conf_guest_key(&g->sock, key, val, why, sizeof(why));

	return rc < 0 ? fail(c, key, "%s", why) : rc;
}

static int
guest_sock_check(const struct cfg_ctx *c, const struct dp_guest_conf *g)
{
	char why[DP_ERR_MAX / 2];
	const char *key = NULL;

	if (dp_sock_conf_guest_check(&g->sock, &key, why, sizeof(why)) < 0)
		return fail(c, key, "%s", why);
	return 0;
}

/* A burst without its rate would be silently ignored: refuse it. */
static int
guest_fair_check(const struct cfg_ctx *c, const struct dp_guest_conf *g)
{
	if (g->fair.calls_burst != 0 && g->fair.calls_per_s == 0)
		return fail(c, "calls_burst", "given without calls_per_s");
	if (g->fair.bytes_burst != 0 && g->fair.bytes_per_s == 0)
		return fail(c, "bytes_burst", "given without bytes_per_s");
	return 0;
}

static void
guest_defaults(struct dp_guest_conf *g, const char *name)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->channel = DP_CHAN_MEMIF;
	snprintf(g->handler, sizeof(g->handler), "echo");
	g->socket_mode = 0600;
	g->memif.max_regions = 4;
	g->memif.max_log2_ring = 12;
	g->memif.max_region_size = (uint64_t)256 << 20;
	g->max_chain = 16;
	g->max_frame = 9728;
	g->max_sessions = 16;
	g->max_inflight = 256;
	g->vf_weight = 1;
	g->fair.poll_budget = 32;	/* DP_BURST: one burst per pass, as before */
	g->fair.weight = 1;
	dp_sock_conf_defaults(&g->sock);
	parse_functions(NULL, NULL, "all", &g->fn_allowed);
}

typedef int (*key_fn)(const struct cfg_ctx *, struct dp_guest_conf *,
		      const char *, const char *);

/* One guest key: the first parser that knows it decides. */
static int
guest_set_key(const struct cfg_ctx *c, struct dp_guest_conf *g,
	      const char *key, const char *val)
{
	static const key_fn fns[] = { guest_key_general, guest_key_memif,
				      guest_key_ring, guest_key_fn, guest_key_vf,
				      guest_key_fair, guest_key_sock };
	int rc = 1;

	if (value_validate(c, key, val) < 0)
		return -EINVAL;
	for (size_t k = 0; k < RTE_DIM(fns) && rc > 0; k++)
		rc = fns[k](c, g, key, val);
	return rc > 0 ? fail(c, key, "unknown key") : rc;
}

/* cfg == NULL: the file's guests, whose names are compared all at once
 * (guests_check()); a run-time add looks its name up. */
static int
guest_begin(const struct cfg_ctx *c, const struct dp_config *cfg,
	    struct dp_guest_conf *g, const char *name)
{
	if (!name_ok(name))
		return fail(c, NULL, "guest name must be 1-%d of [A-Za-z0-9_-]",
			    DP_NAME_MAX - 1);
	if (cfg != NULL && dp_config_guest(cfg, name) != NULL)
		return fail(c, NULL, "guest defined twice");
	guest_defaults(g, name);
	return 0;
}

/* The current section's keys, at most cap of them. @return how many, or
 * -EINVAL (said). */
static int
section_entries(const struct cfg_ctx *c, struct rte_cfgfile *f,
		struct rte_cfgfile_entry *ents, int cap)
{
	int n;

	if (rte_cfgfile_section_num_entries(f, c->section) > cap)
		return fail(c, NULL, "more than %d keys", cap);
	n = rte_cfgfile_section_entries(f, c->section, ents, cap);
	if (n < 0)
		return fail(c, NULL, "cannot read keys");
	return n;
}

/* Room for one more guest while the file is read: the table grows by
 * doubling up to DP_GUESTS_CAP; guests_check() fits it to max_guests. */
static int
guests_grow(const struct cfg_ctx *c, struct dp_config *cfg, unsigned int *cap)
{
	struct dp_guest_conf *t;
	unsigned int n;

	if (cfg->n_guests < *cap)
		return 0;
	if (cfg->n_guests == DP_GUESTS_CAP)
		return fail(c, NULL, "more than %d guests (the hard cap of "
			    "max_guests)", DP_GUESTS_CAP);
	n = RTE_MIN(RTE_MAX(*cap * 2, 16u), (unsigned int)DP_GUESTS_CAP);
	t = realloc(cfg->guests, n * sizeof(*t));
	if (t == NULL) {
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		return -ENOMEM;
	}
	cfg->guests = t;
	*cap = n;
	return 0;
}

static int
parse_guest(struct cfg_ctx *c, struct rte_cfgfile *f, const char *name,
	    struct dp_config *cfg, unsigned int *cap)
{
	struct rte_cfgfile_entry ents[32];
	struct dp_guest_conf *g;
	int n, rc;

	rc = guests_grow(c, cfg, cap);
	if (rc < 0)
		return rc;
	g = &cfg->guests[cfg->n_guests];
	if (guest_begin(c, NULL, g, name) < 0)
		return -EINVAL;
	n = section_entries(c, f, ents, RTE_DIM(ents));
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (guest_set_key(c, g, ents[i].name, ents[i].value) < 0)
			return -EINVAL;
	if (guest_fair_check(c, g) < 0 || guest_sock_check(c, g) < 0)
		return -EINVAL;
	cfg->n_guests++;
	return 0;
}

static int
port_key(const struct cfg_ctx *c, struct dp_port_conf *p, const char *key,
	 const char *val)
{
	if (value_validate(c, key, val) < 0)
		return -EINVAL;
	if (strcmp(key, "devargs") == 0)
		return copy_str(c, key, val, p->devargs, sizeof(p->devargs));
	if (strcmp(key, "role") == 0) {
		if (strcmp(val, "uplink") == 0)
			p->role = DP_PORT_UPLINK;
		else if (strcmp(val, "exception") == 0)
			p->role = DP_PORT_EXCEPTION;
		else
			return fail(c, key, "unknown role '%.64s' (known: uplink, "
				    "exception)", val);
		return 0;
	}
	return fail(c, key, "unknown key (known: devargs, role)");
}

static int
parse_port(struct cfg_ctx *c, struct rte_cfgfile *f, const char *name,
	   struct dp_config *cfg)
{
	struct rte_cfgfile_entry ents[4];
	struct dp_port_conf *p;
	int n;

	if (!name_ok(name))
		return fail(c, NULL, "port name must be 1-%d of [A-Za-z0-9_-]",
			    DP_NAME_MAX - 1);
	if (cfg->n_ports == DP_MAX_PORTS)
		return fail(c, NULL, "more than %d ports", DP_MAX_PORTS);
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return fail(c, NULL, "port defined twice");
	n = section_entries(c, f, ents, RTE_DIM(ents));
	if (n < 0)
		return n;
	p = &cfg->ports[cfg->n_ports];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	for (int i = 0; i < n; i++)
		if (port_key(c, p, ents[i].name, ents[i].value) < 0)
			return -EINVAL;
	if (p->devargs[0] == '\0')
		return fail(c, NULL, "missing key devargs");
	cfg->n_ports++;
	return 0;
}

/* "0000:3b:00.1", any case in, the kernel's lower case out. */
static int
parse_dbdf(const char *s, char out[16])
{
	static const char shape[] = "xxxx:xx:xx.x";

	if (strlen(s) != sizeof(shape) - 1)
		return -1;
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
			return -1;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[sizeof(shape) - 1] = '\0';
	/* device 0-1f, function 0-7 */
	return strtoul(out + 8, NULL, 16) > 0x1f || out[11] > '7' ? -1 : 0;
}

/* A name the kernel takes for a netdev (dev_valid_name). */
static bool
ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

static int
pf_key(const struct cfg_ctx *c, struct dp_pf_conf *pf, const char *key,
       const char *val)
{
	uint64_t v;
	int rc;

	if (value_validate(c, key, val) < 0)
		return -EINVAL;
	if (strcmp(key, "pci") == 0)
		return parse_dbdf(val, pf->pci) == 0 ? 0 :
			fail(c, key, "'%.64s' is not a PCI address DDDD:BB:DD.F "
			     "(e.g. 0000:3b:00.0)", val);
	if (strcmp(key, "netdev") == 0)
		return ifname_ok(val) ? copy_str(c, key, val, pf->netdev,
						 sizeof(pf->netdev)) :
			fail(c, key, "'%.64s' is not an interface name (1-15 bytes, "
			     "no '/', ':' or blanks)", val);
	if (strcmp(key, "vfs") == 0) {
		/* The PCIe TotalVFs field is 16 bits; the device's own
		 * sriov_totalvfs is checked when provisioning. */
		rc = get_uint(c, key, val, 0, UINT16_MAX, false, &v);
		pf->vfs = (unsigned int)v;
		return rc;
	}
	return fail(c, key, "unknown key (known: pci, netdev, vfs)");
}

/* One PF, one device: by name, by PCI address and by netdev. */
static int
pf_validate(const struct cfg_ctx *c, const struct dp_config *cfg,
	    const struct dp_pf_conf *pf)
{
	if (pf->pci[0] == '\0' && pf->netdev[0] == '\0')
		return fail(c, NULL, "missing key pci or netdev");
	if (pf->pci[0] != '\0' && pf->netdev[0] != '\0')
		return fail(c, NULL, "pci and netdev both given: name the PF once");
	for (unsigned int i = 0; i < cfg->n_pfs; i++) {
		const struct dp_pf_conf *o = &cfg->pfs[i];

		if (pf->pci[0] != '\0' && strcmp(o->pci, pf->pci) == 0)
			return fail(c, "pci", "%s is also [pf %s]", pf->pci, o->name);
		if (pf->netdev[0] != '\0' && strcmp(o->netdev, pf->netdev) == 0)
			return fail(c, "netdev", "%s is also [pf %s]", pf->netdev,
				    o->name);
	}
	return 0;
}

static int
parse_pf(struct cfg_ctx *c, struct rte_cfgfile *f, const char *name,
	 struct dp_config *cfg)
{
	struct rte_cfgfile_entry ents[4];
	struct dp_pf_conf *pf;
	int n;

	/* Room for "/65535": its VFs are called NAME/N (control/vf/vf.h). */
	if (!name_ok(name) || strlen(name) > DP_PF_NAME_MAX)
		return fail(c, NULL, "pf name must be 1-%d of [A-Za-z0-9_-]",
			    DP_PF_NAME_MAX);
	if (cfg->n_pfs == DP_MAX_PFS)
		return fail(c, NULL, "more than %d PFs", DP_MAX_PFS);
	for (unsigned int i = 0; i < cfg->n_pfs; i++)
		if (strcmp(cfg->pfs[i].name, name) == 0)
			return fail(c, NULL, "pf defined twice");
	n = section_entries(c, f, ents, RTE_DIM(ents));
	if (n < 0)
		return n;
	pf = &cfg->pfs[cfg->n_pfs];
	memset(pf, 0, sizeof(*pf));
	snprintf(pf->name, sizeof(pf->name), "%s", name);
	for (int i = 0; i < n; i++)
		if (pf_key(c, pf, ents[i].name, ents[i].value) < 0)
			return -EINVAL;
	if (pf_validate(c, cfg, pf) < 0)
		return -EINVAL;
	cfg->n_pfs++;
	return 0;
}

static int
idle_mode(const struct cfg_ctx *c, const char *key, const char *val, uint8_t *out)
{
	if (strcmp(val, "poll") == 0)
		*out = DP_IDLE_POLL;
	else if (strcmp(val, "adaptive") == 0)
		*out = DP_IDLE_ADAPTIVE;
	else
		return fail(c, key, "'%.64s' is not poll or adaptive", val);
	return 0;
}

/* [hostlane] idle and the ladder's bounds (docs/config.md). */
static int
idle_key(const struct cfg_ctx *c, struct dp_idle_conf *ic, const char *key,
	 const char *val)
{
	uint64_t v;
	int rc;

	if (strcmp(key, "idle") == 0)
		return idle_mode(c, key, val, &ic->mode);
	if (strcmp(key, "idle_spin_us") == 0) {
		rc = get_uint(c, key, val, 0, 1000000, false, &v);
		ic->spin_us = (unsigned int)v;
	} else if (strcmp(key, "idle_pause_us") == 0) {
		rc = get_uint(c, key, val, 0, 1000000, false, &v);
		ic->pause_us = (unsigned int)v;
	} else if (strcmp(key, "idle_sleep_max_us") == 0) {
		rc = get_uint(c, key, val, 1, 100000, false, &v);
		ic->sleep_max_us = (unsigned int)v;
	} else if (strcmp(key, "idle_block_us") == 0) {
		rc = get_uint(c, key, val, 0, 10000000, false, &v);
		ic->block_us = (unsigned int)v;
	} else {
		rc = fail(c, key, "unknown key");
	}
	return rc;
}

/* [hostlane] placement and the auto-rebalance keys (docs/config.md). */
static int
balance_key(const struct cfg_ctx *c, struct dp_balance_conf *b, const char *key,
	    const char *val)
{
	uint64_t v;
	int rc;

	if (strcmp(key, "placement") == 0) {
		rc = dp_bal_policy_parse(val);
		if (rc < 0)
			return fail(c, key, "'%.32s' is not roundrobin or cycles", val);
		b->placement = (uint8_t)rc;
		return 0;
	}
	if (strcmp(key, "rebalance_interval_ms") == 0) {
		rc = get_uint(c, key, val, 0, 3600000, false, &v);
		if (rc == 0 && v != 0 && v < 100)
			rc = fail(c, key, "%s is below 100 (0 turns it off)", val);
		b->interval_ms = (unsigned int)v;
	} else if (strcmp(key, "rebalance_threshold") == 0) {
		rc = get_uint(c, key, val, 1, 100, false, &v);
		b->threshold_pct = (unsigned int)v;
	} else {
		rc = fail(c, key, "unknown key");
	}
	return rc;
}

/* [lcore N]: per-lcore settings; whether N is an I/O lcore is known only
 * after the EAL is up (app.c warns then). */
static int
parse_lcore(struct cfg_ctx *c, struct rte_cfgfile *f, const char *id,
	    struct dp_config *cfg)
{
	struct rte_cfgfile_entry ents[4];
	struct dp_lcore_conf *l;
	uint64_t v;
	int n;

	if (parse_u64(id, false, &v) < 0 || v >= RTE_MAX_LCORE)
		return fail(c, NULL, "'%.16s' is not an lcore id below %d", id,
			    RTE_MAX_LCORE);
	for (unsigned int i = 0; i < cfg->n_lcore_confs; i++)
		if (cfg->lcore_confs[i].id == v)
			return fail(c, NULL, "lcore defined twice");
	if (cfg->n_lcore_confs == DP_MAX_LCORE_CONF)
		return fail(c, NULL, "more than %d [lcore] sections", DP_MAX_LCORE_CONF);
	n = section_entries(c, f, ents, RTE_DIM(ents));
	if (n < 0)
		return n;
	l = &cfg->lcore_confs[cfg->n_lcore_confs];
	memset(l, 0, sizeof(*l));
	l->id = (unsigned int)v;
	for (int i = 0; i < n; i++) {
		if (value_validate(c, ents[i].name, ents[i].value) < 0)
			return -EINVAL;
		if (strcmp(ents[i].name, "idle") != 0)
			return fail(c, ents[i].name, "unknown key (known: idle)");
		if (idle_mode(c, ents[i].name, ents[i].value, &l->idle) < 0)
			return -EINVAL;
	}
	cfg->n_lcore_confs++;
	return 0;
}

static int
parse_global(struct cfg_ctx *c, struct rte_cfgfile *f, struct dp_config *cfg)
{
	struct rte_cfgfile_entry ents[48];
	uint64_t v;
	int n;

	n = section_entries(c, f, ents, RTE_DIM(ents));
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		const char *key = ents[i].name, *val = ents[i].value;
		int rc;

		if (value_validate(c, key, val) < 0) {
			rc = -EINVAL;
		} else if (strcmp(key, "runtime_dir") == 0) {
			rc = val[0] == '/' ? copy_str(c, key, val, cfg->runtime_dir,
						      sizeof(cfg->runtime_dir)) :
				fail(c, key, "'%s' is not an absolute path", val);
		} else if (strcmp(key, "max_guests") == 0) {
			rc = get_uint(c, key, val, 1, DP_GUESTS_CAP, false, &v);
			cfg->max_guests = (unsigned int)v;
		} else if (strcmp(key, "mbufs") == 0) {
			rc = get_uint(c, key, val, 1023, 1u << 22, false, &v);
			cfg->mbufs = (unsigned int)v;
		} else if (strcmp(key, "function_capacity") == 0) {
			rc = get_uint(c, key, val, 1, 1u << 20, false, &v);
			cfg->function_capacity = (unsigned int)v;
		} else if (strcmp(key, "control_group") == 0) {
			rc = copy_str(c, key, val, cfg->control_group,
				      sizeof(cfg->control_group));
		} else if (strcmp(key, "control_timeout_ms") == 0) {
			rc = get_uint(c, key, val, 100, 600000, false, &v);
			cfg->control_timeout_ms = (unsigned int)v;
		} else if (strcmp(key, "metrics_file") == 0) {
			rc = val[0] == '/' ? copy_str(c, key, val, cfg->metrics_file,
						      sizeof(cfg->metrics_file)) :
				fail(c, key, "'%.64s' is not an absolute path", val);
		} else if (strcmp(key, "metrics_interval_ms") == 0) {
			rc = get_uint(c, key, val, 100, 3600000, false, &v);
			cfg->metrics_interval_ms = (unsigned int)v;
		} else if (strcmp(key, "cryptodev") == 0) {
			rc = copy_str(c, key, val, cfg->cryptodev, sizeof(cfg->cryptodev));
		} else if (strcmp(key, "compressdev") == 0) {
			rc = copy_str(c, key, val, cfg->compressdev,
				      sizeof(cfg->compressdev));
		} else if (strcmp(key, "fpga") == 0) {
			rc = strcmp(val, "none") == 0 ? (cfg->fpga[0] = '\0', 0) :
				strncmp(val, "sim", 3) == 0 || strncmp(val, "vfio:", 5) == 0 ?
				copy_str(c, key, val, cfg->fpga, sizeof(cfg->fpga)) :
				fail(c, key, "'%.64s' is not none, sim or vfio:PCI-ADDRESS", val);
		} else if (strcmp(key, "worker_lcores") == 0) {
			rc = get_uint(c, key, val, 0, RTE_MAX_LCORE, false, &v);
			cfg->worker_lcores = (unsigned int)v;
		} else if (strcmp(key, "max_repetitions") == 0) {
			rc = get_uint(c, key, val, 1, UINT64_MAX, false, &v);
			cfg->max_repetitions = v;
		} else if (strcmp(key, "mac_aging_s") == 0) {
			rc = get_uint(c, key, val, 1, 1000000, false, &v);
			cfg->mac_aging_s = (unsigned int)v;
		} else if (strcmp(key, "mac_table_size") == 0) {
			rc = get_uint(c, key, val, 64, 1u << 22, false, &v);
			cfg->mac_table_size = (unsigned int)v;
		} else if (strcmp(key, "mac_limit_per_port") == 0) {
			rc = get_uint(c, key, val, 1, 1u << 22, false, &v);
			cfg->mac_limit_per_port = (unsigned int)v;
		} else if (strcmp(key, "handshake_timeout_ms") == 0) {
			rc = get_uint(c, key, val, 10, 600000, false, &v);
			cfg->handshake_timeout_ms = (unsigned int)v;
		} else if (strcmp(key, "pending_per_lcore") == 0) {
			rc = get_uint(c, key, val, 64, DP_MAX_PENDING, false, &v);
			cfg->pending_per_lcore = (unsigned int)v;
		} else if (strcmp(key, "watchdog_ms") == 0) {
			rc = get_uint(c, key, val, 0, 600000, false, &v);
			if (rc == 0 && v != 0 && v < 50)
				rc = fail(c, key, "%s is below 50 (0 turns it off)", val);
			cfg->watchdog_ms = (unsigned int)v;
		} else if (strcmp(key, "report_interval_ms") == 0) {
			rc = get_uint(c, key, val, 10, 3600000, false, &v);
			cfg->report_interval_ms = (unsigned int)v;
		} else if (strcmp(key, "report_line_rate_mbps") == 0) {
			rc = get_uint(c, key, val, 1, 10000000, false, &v);
			cfg->report_line_rate_mbps = (unsigned int)v;
		} else if (strncmp(key, "idle", 4) == 0) {
			rc = idle_key(c, &cfg->idle, key, val);
		} else if (strcmp(key, "placement") == 0 ||
			   strncmp(key, "rebalance_", 10) == 0) {
			rc = balance_key(c, &cfg->balance, key, val);
		} else if (strcmp(key, "test_hang") == 0) {
			rc = get_bool(c, key, val, &cfg->test_hang);
		} else {
			rc = fail(c, key, "unknown key");
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* "a;b;c" (written a\;b\;c in the file) → the pool of VF stand-ins. */
static int
parse_vf_pool(const struct cfg_ctx *c, const char *key, const char *val,
	      struct dp_vf_conf *vf)
{
	char buf[CFG_VALUE_LEN], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", val);
	vf->n_pool = 0;
	for (char *t = strtok_r(buf, ";", &save); t != NULL;
	     t = strtok_r(NULL, ";", &save)) {
		char *end = t + strlen(t);

		while (*t == ' ' || *t == '\t')
			t++;
		while (end > t && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*t == '\0')
			continue;
		if (vf->n_pool == DP_MAX_VF_POOL)
			return fail(c, key, "more than %d entries", DP_MAX_VF_POOL);
		for (unsigned int i = 0; i < vf->n_pool; i++)
			if (strcmp(vf->pool[i], t) == 0)
				return fail(c, key, "'%.64s' given twice", t);
		snprintf(vf->pool[vf->n_pool++], sizeof(vf->pool[0]), "%s", t);
	}
	return vf->n_pool > 0 ? 0 : fail(c, key, "no devargs (separate them with "
					 "\\; in the file)");
}

/* X(key, field, min, max): the allocator's numbers; the same ranges as
 * VF_ALLOC_TUNABLES in control/vf/alloc.h (tests/unit/test_vf_alloc.c
 * checks they agree). */
#define DP_VF_NUM_KEYS(X) \
	X(interval_ms, 10, 86400000) \
	X(min_hold_ms, 0, 86400000) \
	X(hysteresis_pct, 0, 1000) \
	X(max_moves, 0, 4096) \
	X(rate_window_ms, 10, 3600000) \
	X(unplug_timeout_ms, 100, 600000)

/* passthrough_driver, passthrough_bus: names QEMU's device_add takes. */
static int
vf_key_pt(const struct cfg_ctx *c, struct dp_vf_conf *vf, const char *key,
	  const char *val)
{
	bool bus = strcmp(key, "passthrough_bus") == 0;

	if (!qdev_id_ok(val))
		return fail(c, key, "'%.64s' is not a QEMU %s (a letter, then 0-30 "
			    "of [A-Za-z0-9._-])", val, bus ? "device id" :
			    "device driver");
	return bus ? copy_str(c, key, val, vf->pt_bus, sizeof(vf->pt_bus)) :
		copy_str(c, key, val, vf->pt_driver, sizeof(vf->pt_driver));
}

static int
vf_key(const struct cfg_ctx *c, struct dp_vf_conf *vf, const char *key,
       const char *val)
{
	uint64_t v;
	int rc;

	if (value_validate(c, key, val) < 0)
		return -EINVAL;
#define DP_VF_NUM_(k, lo, hi) \
	if (strcmp(key, #k) == 0) { \
		rc = get_uint(c, key, val, lo, hi, false, &v); \
		vf->k = (unsigned int)v; \
		return rc; \
	}
	DP_VF_NUM_KEYS(DP_VF_NUM_)
#undef DP_VF_NUM_
	if (strcmp(key, "mode") == 0) {
		if (strcmp(val, "dedicated") != 0 && strcmp(val, "passthrough") != 0 &&
		    strcmp(val, "mock") != 0)
			return fail(c, key, "'%.64s' is not dedicated or passthrough "
				    "(or mock, for tests)", val);
		return copy_str(c, key, val, vf->mode, sizeof(vf->mode));
	}
	if (strcmp(key, "policy") == 0) {
		if (strcmp(val, "fair") != 0 && strcmp(val, "activity") != 0 &&
		    strcmp(val, "manual") != 0)
			return fail(c, key, "'%.64s' is not fair, activity or manual", val);
		return copy_str(c, key, val, vf->policy, sizeof(vf->policy));
	}
	if (strcmp(key, "sysfs_root") == 0)
		return val[0] == '/' ? copy_str(c, key, val, vf->sysfs_root,
						sizeof(vf->sysfs_root)) :
			fail(c, key, "'%.64s' is not an absolute path", val);
	if (strcmp(key, "vf_pool") == 0)
		return parse_vf_pool(c, key, val, vf);
	if (strcmp(key, "passthrough_driver") == 0 ||
	    strcmp(key, "passthrough_bus") == 0)
		return vf_key_pt(c, vf, key, val);
	return fail(c, key, "unknown key (known: mode, policy, interval_ms, "
		    "min_hold_ms, hysteresis_pct, max_moves, rate_window_ms, "
		    "sysfs_root, vf_pool, passthrough_driver, passthrough_bus, "
		    "unplug_timeout_ms)");
}

static void
vf_defaults(struct dp_vf_conf *vf)
{
	memset(vf, 0, sizeof(*vf));
	snprintf(vf->mode, sizeof(vf->mode), "dedicated");
	snprintf(vf->pt_driver, sizeof(vf->pt_driver), "vfio-pci");
	vf->unplug_timeout_ms = 10000;
	snprintf(vf->policy, sizeof(vf->policy), "fair");
	vf->interval_ms = 10000;
	vf->min_hold_ms = 10000;
	vf->hysteresis_pct = 20;
	vf->max_moves = 0;
	vf->rate_window_ms = 10000;
	snprintf(vf->sysfs_root, sizeof(vf->sysfs_root), "/sys");
}

static int
parse_vf(struct cfg_ctx *c, struct rte_cfgfile *f, struct dp_config *cfg)
{
	struct rte_cfgfile_entry ents[16];
	int n;

	n = section_entries(c, f, ents, RTE_DIM(ents));
	if (n < 0)
		return n;
	cfg->vf.enabled = 1;
	for (int i = 0; i < n; i++)
		if (vf_key(c, &cfg->vf, ents[i].name, ents[i].value) < 0)
			return -EINVAL;
	return 0;
}

/* [sockets]: the socket workers (sock_conf.h). */
static int
parse_sockets(struct cfg_ctx *c, struct rte_cfgfile *f, struct dp_config *cfg)
{
	struct rte_cfgfile_entry ents[8];
	char why[DP_ERR_MAX / 2];
	int n, rc;

	n = section_entries(c, f, ents, RTE_DIM(ents));
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		if (value_validate(c, ents[i].name, ents[i].value) < 0)
			return -EINVAL;
		rc = dp_sock_svc_conf_key(&cfg->sockets, ents[i].name, ents[i].value,
					  why, sizeof(why));
		if (rc > 0)
			return fail(c, ents[i].name, "unknown key (known: workers, cpus, "
				    "budget_cmd, budget_recv, budget_send)");
		if (rc < 0)
			return fail(c, ents[i].name, "%s", why);
	}
	return 0;
}

/* A guest's VF keys against [vf]: a role needs the allocator, and a
 * passed-through VF needs the guest's QEMU. */
static int
guest_vf_check(const struct cfg_ctx *c, const struct dp_config *cfg,
	       const struct dp_guest_conf *g)
{
	if (g->vf_role == DP_VF_NONE)
		return 0;
	if (!cfg->vf.enabled)
		return fail(c, "vf", "the guest may take a VF, but there is no [vf] "
			    "section");
	if (strcmp(cfg->vf.mode, "passthrough") == 0 &&
	    (g->qmp[0] == '\0' || g->qmp_standby[0] == '\0'))
		return fail(c, "vf", "[vf] mode passthrough needs the guest's qmp "
			    "and qmp_standby");
	return 0;
}

/* [vf] needs VFs: its pool of stand-ins or a [pf NAME]. */
static int
vf_check(struct cfg_ctx *c, const struct dp_config *cfg)
{
	char section[DP_NAME_MAX + 8];

	if (cfg->vf.enabled && cfg->vf.n_pool == 0 && cfg->n_pfs == 0) {
		c->section = "vf";
		return fail(c, NULL, "no VFs: give vf_pool or a [pf NAME] section");
	}
	for (unsigned int i = 0; i < cfg->n_guests; i++) {
		snprintf(section, sizeof(section), "guest %s", cfg->guests[i].name);
		c->section = section;
		if (guest_vf_check(c, cfg, &cfg->guests[i]) < 0)
			return -EINVAL;
	}
	c->section = NULL;
	return 0;
}

static int
parse_section(struct cfg_ctx *c, struct rte_cfgfile *f, struct dp_config *cfg,
	      unsigned int *guest_cap)
{
	const char *s = c->section;

	if (strcmp(s, "hostlane") == 0)
		return parse_global(c, f, cfg);
	if (strncmp(s, "guest ", 6) == 0)
		return parse_guest(c, f, s + 6, cfg, guest_cap);
	if (strncmp(s, "port ", 5) == 0)
		return parse_port(c, f, s + 5, cfg);
	if (strncmp(s, "pf ", 3) == 0)
		return parse_pf(c, f, s + 3, cfg);
	if (strcmp(s, "vf") == 0)
		return parse_vf(c, f, cfg);
	if (strcmp(s, "sockets") == 0)
		return parse_sockets(c, f, cfg);
	if (strncmp(s, "lcore ", 6) == 0)
		return parse_lcore(c, f, s + 6, cfg);
	return fail(c, NULL, "unknown section (known: [hostlane], "
		    "[guest NAME], [port NAME], [pf NAME], [vf], [lcore N], "
		    "[sockets])");
}

/*
 * Which file of hostlane's the guest's socket is, or NULL: the control
 * socket, the metrics file or its temporary, or the socket of one of the
 * first `upto` guests of cfg (g excluded). By canonical path: two
 * spellings of one file are one file.
 */
static const char *
path_owner(const struct dp_config *cfg, const struct dp_guest_conf *g,
	   unsigned int upto, char *buf, size_t cap)
{
	const char *canon = g->socket_canon;
	size_t m = strlen(cfg->metrics_canon);

	if (strcmp(canon, cfg->control_canon) == 0)
		return "hostlane's control socket";
	if (m > 0 && strncmp(canon, cfg->metrics_canon, m) == 0 &&
	    (canon[m] == '\0' || strcmp(canon + m, ".tmp") == 0))
		return canon[m] == '\0' ? "metrics_file" : "metrics_file's temporary file";
	for (unsigned int j = 0; j < upto; j++) {
		const struct dp_guest_conf *o = &cfg->guests[j];

		if (o != g && o->name[0] != '\0' && o->channel != DP_CHAN_ETHDEV &&
		    strcmp(o->socket_canon, canon) == 0) {
			snprintf(buf, cap, "guest %s's socket", o->name);
			return buf;
		}
	}
	return NULL;
}

/* The canonical form of a path from key; fails on what paths.h refuses. */
static int
canon_of(const struct cfg_ctx *c, const char *key, const char *path, char *out,
	 size_t cap)
{
	int rc = dp_path_canon(path, out, cap);

	if (rc == -EINVAL)
		return fail(c, key, "'%s' does not name a file", path);
	if (rc < 0)
		return fail(c, key, "cannot resolve '%s': %s", path, strerror(-rc));
	return 0;
}

/* Fill a guest's default socket path; check it fits and that it is no
 * other file of hostlane's (see path_owner()). */
static int
guest_socket(const struct cfg_ctx *c, const struct dp_config *cfg,
	     struct dp_guest_conf *g, unsigned int upto)
{
	char buf[DP_NAME_MAX + 16];
	const char *owner;
	int n;

	if (g->channel == DP_CHAN_ETHDEV)
		return g->devargs[0] != '\0' ? 0 :
			fail(c, "devargs", "required for channel ethdev");
	if (g->socket[0] == '\0') {
		n = snprintf(g->socket, sizeof(g->socket), "%s/%s.sock",
			     cfg->runtime_dir, g->name);
		if (n < 0 || (size_t)n >= sizeof(g->socket))
			return fail(c, "socket", "default path %s/%s.sock is longer "
				    "than %zu bytes", cfg->runtime_dir, g->name,
				    sizeof(g->socket) - 1);
	}
	if (canon_of(c, "socket", g->socket, g->socket_canon,
		     sizeof(g->socket_canon)) < 0)
		return -EINVAL;
	owner = path_owner(cfg, g, upto, buf, sizeof(buf));
	if (owner != NULL)
		return fail(c, "socket", "'%s' is the same file as %s (%s)", g->socket,
			    owner, g->socket_canon);
	return 0;
}

/* The control socket and the metrics file, canonical, before the guests
 * are compared with them. */
static int
resolve_own_paths(struct cfg_ctx *c, struct dp_config *cfg)
{
	char path[PATH_MAX + sizeof(DP_CONTROL_SOCKET_NAME)];
	size_t m;

	c->section = "hostlane";
	snprintf(path, sizeof(path), "%s/%s", cfg->runtime_dir, DP_CONTROL_SOCKET_NAME);
	if (canon_of(c, "runtime_dir", path, cfg->control_canon,
		     sizeof(cfg->control_canon)) < 0)
		return -EINVAL;
	if (cfg->metrics_file[0] == '\0')
		return 0;
	if (canon_of(c, "metrics_file", cfg->metrics_file, cfg->metrics_canon,
		     sizeof(cfg->metrics_canon)) < 0)
		return -EINVAL;
	m = strlen(cfg->metrics_canon);
	if (strcmp(cfg->metrics_canon, cfg->control_canon) == 0 ||
	    (strncmp(cfg->control_canon, cfg->metrics_canon, m) == 0 &&
	     strcmp(cfg->control_canon + m, ".tmp") == 0))
		return fail(c, "metrics_file", "'%s' or its temporary is hostlane's "
			    "control socket (%s)", cfg->metrics_file, cfg->control_canon);
	return 0;
}

/* ---- the file's guests compared with each other, sorted: O(n log n) ---- */

static int
by_name(const void *a, const void *b)
{
	const struct dp_guest_conf *x = *(const struct dp_guest_conf *const *)a;
	const struct dp_guest_conf *y = *(const struct dp_guest_conf *const *)b;
	int d = strcmp(x->name, y->name);

	/* Ties in file order: the table is one array. */
	return d != 0 ? d : (x > y) - (x < y);
}

static int
by_socket(const void *a, const void *b)
{
	const struct dp_guest_conf *x = *(const struct dp_guest_conf *const *)a;
	const struct dp_guest_conf *y = *(const struct dp_guest_conf *const *)b;
	int d = strcmp(x->socket_canon, y->socket_canon);

	return d != 0 ? d : (x > y) - (x < y);
}

/*
 * Sort t by cmp; in every run of equal keys (same()) the second guest
 * clashes with the first. @return the clash earliest in the file (its
 * partner in *first), or NULL.
 */
static const struct dp_guest_conf *
first_clash(const struct dp_guest_conf **t, unsigned int n,
	    int (*cmp)(const void *, const void *),
	    bool (*same)(const struct dp_guest_conf *, const struct dp_guest_conf *),
	    const struct dp_guest_conf **first)
{
	const struct dp_guest_conf *best = NULL;

	qsort(t, n, sizeof(*t), cmp);
	for (unsigned int i = 1; i < n; i++)
		if (same(t[i - 1], t[i]) && (i < 2 || !same(t[i - 2], t[i - 1])) &&
		    (best == NULL || t[i] < best)) {
			best = t[i];
			*first = t[i - 1];
		}
	return best;
}

static bool
same_name(const struct dp_guest_conf *a, const struct dp_guest_conf *b)
{
	return strcmp(a->name, b->name) == 0;
}

static bool
same_socket(const struct dp_guest_conf *a, const struct dp_guest_conf *b)
{
	return strcmp(a->socket_canon, b->socket_canon) == 0;
}

/* The guests with a socket file (not ethdev), or all, into t. */
static unsigned int
guest_table(const struct dp_config *cfg, const struct dp_guest_conf **t,
	    bool sockets_only)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cfg->n_guests; i++)
		if (!sockets_only || cfg->guests[i].channel != DP_CHAN_ETHDEV)
			t[n++] = &cfg->guests[i];
	return n;
}

/* Two guests of the file with one name, or one socket file: refused on the
 * later one, as a linear scan would. */
static int
guests_unique(struct cfg_ctx *c, const struct dp_config *cfg, bool sockets)
{
	const struct dp_guest_conf **t = malloc(sizeof(*t) * (cfg->n_guests + 1));
	const struct dp_guest_conf *g, *o = NULL;
	char section[DP_NAME_MAX + 8];
	unsigned int n;

	if (t == NULL) {
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		return -ENOMEM;
	}
	n = guest_table(cfg, t, sockets);
	o = NULL;
	g = sockets ? first_clash(t, n, by_socket, same_socket, &o) :
		      first_clash(t, n, by_name, same_name, &o);
	free(t);
	if (g == NULL)
		return 0;
	snprintf(section, sizeof(section), "guest %s", g->name);
	c->section = section;
	if (!sockets)
		return fail(c, NULL, "guest defined twice");
	return fail(c, "socket", "'%s' is the same file as guest %s's socket (%s)",
		    g->socket, o->name, g->socket_canon);
}

/* After the file: names unique, no more guests than max_guests, and the
 * table sized to max_guests for run-time adds (its addresses fixed now). */
static int
guests_check(struct cfg_ctx *c, struct dp_config *cfg)
{
	struct dp_guest_conf *t;
	int rc = guests_unique(c, cfg, false);

	if (rc < 0)
		return rc;
	if (cfg->n_guests > cfg->max_guests) {
		c->section = "hostlane";
		return fail(c, "max_guests", "%u guests are configured, more than "
			    "max_guests %u (raise it, at most %d)", cfg->n_guests,
			    cfg->max_guests, DP_GUESTS_CAP);
	}
	t = realloc(cfg->guests, sizeof(*t) * cfg->max_guests);
	if (t == NULL) {
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		return -ENOMEM;
	}
	memset(t + cfg->n_guests, 0, sizeof(*t) * (cfg->max_guests - cfg->n_guests));
	cfg->guests = t;
	c->section = NULL;
	return 0;
}

static int
resolve_sockets(struct cfg_ctx *c, struct dp_config *cfg)
{
	char section[DP_NAME_MAX + 8];
	int n;

	if (resolve_own_paths(c, cfg) < 0)
		return -EINVAL;
	/* Each against hostlane's own files here, against each other below. */
	for (unsigned int i = 0; i < cfg->n_guests; i++) {
		snprintf(section, sizeof(section), "guest %s", cfg->guests[i].name);
		c->section = section;
		if (guest_socket(c, cfg, &cfg->guests[i], 0) < 0)
			return -EINVAL;
	}
	n = guests_unique(c, cfg, true);
	if (n < 0)
		return n;
	/* After the guests: their own sockets are the likelier to be too long. */
	c->section = "hostlane";
	n = snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s/%s",
		     cfg->runtime_dir, DP_CONTROL_SOCKET_NAME);
	if (n < 0 || (size_t)n >= sizeof(cfg->control_socket))
		return fail(c, "runtime_dir", "the control socket %s/%s is longer "
			    "than %zu bytes", cfg->runtime_dir, DP_CONTROL_SOCKET_NAME,
			    sizeof(cfg->control_socket) - 1);
	c->section = NULL;
	return 0;
}

/* Sections a file may have: every kind at its limit. */
#define MAX_SECTIONS (DP_GUESTS_CAP + DP_MAX_PORTS + DP_MAX_PFS + DP_MAX_LCORE_CONF + \
		      1 + 1 /* [vf] */)

static int
parse_all(struct cfg_ctx *c, struct rte_cfgfile *f, struct dp_config *cfg)
{
	int n = rte_cfgfile_num_sections(f, NULL, 0);
	char (*names)[CFG_NAME_LEN];
	char **ptrs;
	unsigned int guest_cap = 0;
	int rc = 0;

	if (n > MAX_SECTIONS)
		return fail(c, NULL, "more than %d sections", MAX_SECTIONS);
	names = calloc((size_t)n + 1, CFG_NAME_LEN);
	ptrs = calloc((size_t)n + 1, sizeof(*ptrs));
	if (names == NULL || ptrs == NULL) {
		free(names);
		free(ptrs);
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		return -ENOMEM;
	}
	for (int i = 0; i <= n; i++)
		ptrs[i] = names[i];
	n = rte_cfgfile_sections(f, ptrs, n + 1);
	for (int i = 0; i < n && rc == 0; i++) {
		c->section = ptrs[i];
		rc = parse_section(c, f, cfg, &guest_cap);
	}
	c->section = NULL;
	free(ptrs);
	free(names);
	return rc == 0 ? guests_check(c, cfg) : rc;
}

/* Check one line's shape; rte_cfgfile accepts some broken files silently
 * and never says where. Returns NULL or what is wrong. */
static const char *
line_problem(char *line, bool *in_section)
{
	char *p = line, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*p == '\0' || *p == ';')
		return NULL;
	if (*p == '[') {
		*in_section = true;
		return end[-1] == ']' ? NULL : "section header without ']'";
	}
	if (strchr(p, '=') == NULL)
		return "expected [section] or key = value";
	if (strchr(p, '=')[strspn(strchr(p, '=') + 1, " \t") + 1] == '\0')
		return "empty value";
	return *in_section ? NULL : "key outside any section";
}

/*
 * What the pre-check remembers to find a section or a key given twice
 * (rte_cfgfile takes both, and the parser would see one): every section
 * header, the keys of the current section. Bounded, so that a huge file
 * costs no quadratic time: more sections or keys than the parser takes
 * are refused here already.
 */
#define SYN_SECTIONS MAX_SECTIONS
#define SYN_KEYS 64

/* Keys of one section: few, compared linearly. */
struct syn_seen {
	unsigned int n;
	char name[SYN_KEYS][CFG_NAME_LEN];
	unsigned int line[SYN_KEYS];
};

/* Sections: thousands with many guests, so looked up in libc's hash table
 * (hsearch_r), which points at the names kept here. */
struct syn_sections {
	unsigned int n;
	struct hsearch_data h;
	char name[SYN_SECTIONS][CFG_NAME_LEN];
};

struct syn_state {
	struct syn_sections sections;
	struct syn_seen keys;		/* of the last section */
};

/* A name as rte_cfgfile keeps it: blanks stripped, at most CFG_NAME_LEN - 1. */
static void
syn_name(char *dst, const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	snprintf(dst, CFG_NAME_LEN, "%.*s", (int)len, s);
}

/* The line where name was seen before, or 0; else remember it. */
static unsigned int
syn_seen_before(struct syn_seen *seen, const char *name, unsigned int line)
{
	for (unsigned int i = 0; i < seen->n; i++)
		if (strcmp(seen->name[i], name) == 0)
			return seen->line[i];
	snprintf(seen->name[seen->n], CFG_NAME_LEN, "%s", name);
	seen->line[seen->n++] = line;
	return 0;
}

/* The same for a section; n < SYN_SECTIONS, so the table has room. */
static unsigned int
syn_section_before(struct syn_sections *ss, const char *name, unsigned int line)
{
	ENTRY e = { .key = ss->name[ss->n], .data = (void *)(uintptr_t)line }, *found;

	snprintf(ss->name[ss->n], CFG_NAME_LEN, "%s", name);
	if (hsearch_r(e, ENTER, &found, &ss->h) == 0)
		return line;	/* cannot happen: sized for SYN_SECTIONS */
	if (found->key != e.key)
		return (unsigned int)(uintptr_t)found->data;
	ss->n++;
	return 0;
}

/* Sections and keys of one line whose shape is fine, as rte_cfgfile reads
 * them: a ';' not after a '\\' ends the line. */
static int
syn_track(struct cfg_ctx *c, struct syn_state *st, const char *line, unsigned int n)
{
	size_t len = strcspn(line, ";");
	const char *eq, *p = line + strspn(line, " \t");
	char name[CFG_NAME_LEN];
	unsigned int before;

	if (line[len] == ';' && len > 0 && line[len - 1] == '\\')
		len = strlen(line);
	if (*p == '[' && p < line + len) {
		syn_name(name, p + 1, strcspn(p + 1, "]"));
		if (st->sections.n == SYN_SECTIONS)
			return fail(c, NULL, "more than %d sections", SYN_SECTIONS);
		st->keys.n = 0;
		before = syn_section_before(&st->sections, name, n);
		if (before == 0)
			return 0;
		c->section = name;	/* for the message only; reset by the caller */
		return fail(c, NULL, "given twice (lines %u and %u)", before, n);
	}
	eq = memchr(line, '=', len);
	if (eq == NULL || st->sections.n == 0)
		return 0;
	syn_name(name, line, (size_t)(eq - line));
	c->section = st->sections.name[st->sections.n - 1];
	if (st->keys.n == SYN_KEYS)
		return fail(c, NULL, "more than %d keys", SYN_KEYS);
	before = syn_seen_before(&st->keys, name, n);
	if (before != 0)
		return fail(c, name, "given twice (lines %u and %u)", before, n);
	c->section = NULL;
	return 0;
}

/* One line into buf, NUL-terminated; its length, NUL bytes included, or
 * -1 at the end. *too_long when more of the line is left. */
static long
read_line(FILE *f, char *buf, size_t cap, bool *too_long)
{
	size_t n = 0;
	int ch = 0;

	while (n < cap - 1 && (ch = getc(f)) != EOF) {
		buf[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	buf[n] = '\0';
	*too_long = n == cap - 1 && buf[n - 1] != '\n' && (ch = getc(f)) != EOF;
	return n == 0 && ch == EOF ? -1 : (long)n;
}

static int
check_lines(struct cfg_ctx *c, FILE *f, struct syn_state *st)
{
	char line[CFG_VALUE_LEN + CFG_NAME_LEN + 16];
	bool in_section = false, too_long;
	unsigned int n = 0;
	long len;

	while ((len = read_line(f, line, sizeof(line), &too_long)) >= 0) {
		const char *why;

		n++;
		/* rte_cfgfile would take the line up to the NUL and drop the rest. */
		if (memchr(line, '\0', (size_t)len) != NULL)
			return fail(c, NULL, "NUL byte at line %u", n);
		if (too_long)
			return fail(c, NULL, "line %u: longer than %zu bytes", n,
				    sizeof(line) - 2);
		why = line_problem(line, &in_section);
		if (why != NULL)
			return fail(c, NULL, "line %u: %s", n, why);
		if (syn_track(c, st, line, n) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
check_syntax(struct cfg_ctx *c, FILE *f)
{
	struct syn_state *st = calloc(1, sizeof(*st));
	int rc;

	if (st == NULL || hcreate_r(SYN_SECTIONS, &st->sections.h) == 0) {
		free(st);
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		return -ENOMEM;
	}
	rc = check_lines(c, f, st);
	c->section = NULL;
	hdestroy_r(&st->sections.h);
	free(st);
	return rc;
}

static int
check_file_syntax(struct cfg_ctx *c, const char *path)
{
	FILE *f = path != NULL ? fopen(path, "r") :
		fmemopen((void *)(uintptr_t)dp_default_conf,
			 strlen(dp_default_conf), "r");
	int rc;

	if (f == NULL) {
		snprintf(c->err, c->errlen, "%s: cannot read: %s", c->file,
			 strerror(errno));
		return -ENOENT;
	}
	rc = check_syntax(c, f);
	fclose(f);
	return rc;
}

static struct rte_cfgfile *
open_embedded(int *memfd)
{
	size_t len = strlen(dp_default_conf);
	char path[64];

	*memfd = memfd_create("hostlane.conf", MFD_CLOEXEC);
	if (*memfd < 0)
		return NULL;
	if (write(*memfd, dp_default_conf, len) != (ssize_t)len)
		return NULL;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", *memfd);
	return rte_cfgfile_load(path, 0);
}

void
dp_config_free(struct dp_config *cfg)
{
	free(cfg->guests);
	cfg->guests = NULL;
	cfg->n_guests = 0;
}

static int
config_load(const char *path, const char *runtime_dir, struct dp_config *cfg,
	    char *err, size_t errlen)
{
	struct cfg_ctx c = { .file = path ? path : "<embedded hostlane.conf>",
			     .err = err, .errlen = errlen };
	struct rte_cfgfile *f;
	int memfd = -1, rc;

	snprintf(cfg->path, sizeof(cfg->path), "%s", c.file);
	cfg->max_guests = DP_GUESTS_DEFAULT;
	snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), DEFAULT_RUNTIME_DIR);
	cfg->mbufs = 16383;
	cfg->handshake_timeout_ms = 5000;
	cfg->function_capacity = 1024;
	cfg->max_repetitions = 1000000000;
	cfg->control_timeout_ms = 5000;
	cfg->metrics_interval_ms = 10000;
	cfg->mac_aging_s = 300;
	cfg->mac_table_size = 8192;
	cfg->pending_per_lcore = 16384;
	cfg->watchdog_ms = 1000;
	cfg->report_interval_ms = 500;
	cfg->report_line_rate_mbps = 100000;
	vf_defaults(&cfg->vf);
	dp_sock_svc_conf_defaults(&cfg->sockets);
	cfg->balance = (struct dp_balance_conf){ .placement = DP_BAL_ROUNDROBIN,
		.interval_ms = 0, .threshold_pct = 25 };
	cfg->idle = (struct dp_idle_conf){ .mode = DP_IDLE_ADAPTIVE, .spin_us = 100,
		.pause_us = 100, .sleep_max_us = 500, .block_us = 1000 };
	rc = check_file_syntax(&c, path);
	if (rc < 0)
		return rc;
	f = path != NULL ? rte_cfgfile_load(path, 0) : open_embedded(&memfd);
	if (memfd >= 0)
		close(memfd);
	if (f == NULL)
		return fail(&c, NULL, "not a valid INI file");
	rc = parse_all(&c, f, cfg);
	rte_cfgfile_close(f);
	if (rc == 0)
		rc = vf_check(&c, cfg);
	if (rc == 0 && runtime_dir != NULL) {
		if (runtime_dir[0] != '/' ||
		    strlen(runtime_dir) >= sizeof(cfg->runtime_dir))
			return fail(&c, NULL, "--runtime-dir must be an absolute path");
		snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), "%s", runtime_dir);
	}
	return rc == 0 ? resolve_sockets(&c, cfg) : rc;
}

int
dp_config_load(const char *path, const char *runtime_dir, struct dp_config *cfg,
	       char *err, size_t errlen)
{
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = config_load(path, runtime_dir, cfg, err, errlen);
	if (rc < 0)
		dp_config_free(cfg);
	return rc;
}

/* A guest added at run time: the same checks as in the file. */
static struct cfg_ctx
runtime_ctx(const char *name, char *section, size_t cap, char *err, size_t errlen)
{
	snprintf(section, cap, "guest %s", name);
	return (struct cfg_ctx){ .file = "guest add", .section = section,
				 .err = err, .errlen = errlen };
}

int
dp_config_guest_begin(const struct dp_config *cfg, struct dp_guest_conf *g,
		      const char *name, char *err, size_t errlen)
{
	char section[DP_NAME_MAX + 8];
	struct cfg_ctx c = runtime_ctx(name, section, sizeof(section), err, errlen);

	return guest_begin(&c, cfg, g, name);
}

int
dp_config_guest_set(struct dp_guest_conf *g, const char *key, const char *val,
		    char *err, size_t errlen)
{
	char section[DP_NAME_MAX + 8];
	struct cfg_ctx c = runtime_ctx(g->name, section, sizeof(section), err, errlen);

	if (strlen(val) >= CFG_VALUE_LEN - 1)
		return fail(&c, key, "longer than %d bytes", CFG_VALUE_LEN - 2);
	return guest_set_key(&c, g, key, val);
}

int
dp_config_guest_end(const struct dp_config *cfg, struct dp_guest_conf *g,
		    char *err, size_t errlen)
{
	char section[DP_NAME_MAX + 8];
	struct cfg_ctx c = runtime_ctx(g->name, section, sizeof(section), err, errlen);

	if (guest_vf_check(&c, cfg, g) < 0 || guest_fair_check(&c, g) < 0 ||
	    guest_sock_check(&c, g) < 0)
		return -EINVAL;
	return guest_socket(&c, cfg, g, cfg->n_guests);
}

/* A running guest's settings changed with guest set. */
static struct cfg_ctx
set_ctx(const char *name, char *section, size_t cap, char *err, size_t errlen)
{
	struct cfg_ctx c = runtime_ctx(name, section, cap, err, errlen);

	c.file = "guest set";
	return c;
}

int
dp_config_guest_fair_set(struct dp_guest_conf *g, const char *key,
			 const char *val, char *err, size_t errlen)
{
	char section[DP_NAME_MAX + 8];
	struct cfg_ctx c = set_ctx(g->name, section, sizeof(section), err, errlen);
	int rc;

	if (value_validate(&c, key, val) < 0)
		return -EINVAL;
	if (strlen(val) >= CFG_VALUE_LEN - 1)
		return fail(&c, key, "longer than %d bytes", CFG_VALUE_LEN - 2);
	rc = guest_key_fair(&c, g, key, val);
	return rc > 0 ? fail(&c, key, "not a key guest set changes (poll_budget, "
			     "weight, calls_per_s, calls_burst, bytes_per_s, "
			     "bytes_burst)") : rc;
}

int
dp_config_guest_fair_check(const struct dp_guest_conf *g, char *err, size_t errlen)
{
	char section[DP_NAME_MAX + 8];
	struct cfg_ctx c = set_ctx(g->name, section, sizeof(section), err, errlen);

	return guest_fair_check(&c, g);
}

const struct dp_guest_conf *
dp_config_guest(const struct dp_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_guests; i++)
		if (strcmp(cfg->guests[i].name, name) == 0)
			return &cfg->guests[i];
	return NULL;
}
