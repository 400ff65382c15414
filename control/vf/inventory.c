/* SPDX-License-Identifier: BSD-3-Clause */
/* The VF inventory: PFs and VFs read from sysfs, or the vf_pool stand-ins. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inv_priv.h"
#include "sysfs.h"

#define SRIOV_MAX 65535		/* the PCIe TotalVFs field is 16 bits */

static int
too_long(const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: path longer than %d bytes", what, PATH_MAX - 1);
	return -ENAMETOOLONG;
}

/* "aa:bb:cc:dd:ee:ff" → 6 bytes. */
static int
parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		const char *p = s + i * 3;
		char hex[3] = { p[0], p[1], '\0' };

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < 5 && p[2] != ':'))
			return -1;
		mac[i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	return 0;
}

static bool
ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':' || !isgraph((unsigned char)*s))
			return false;
	return true;
}

/* A device's kernel interface: the smallest name under DIR/net, "" if none. */
static int
dev_netdev(const char *dir, char out[16], char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	out[0] = '\0';
	if (vf_sysfs_path(path, "%s/net", dir) < 0)
		return too_long(dir, err, errlen);
	d = opendir(path);
	if (d == NULL) {
		int e = errno;

		if (e == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	while ((e = readdir(d)) != NULL)
		if (ifname_ok(e->d_name) && (out[0] == '\0' || strcmp(e->d_name, out) < 0))
			memcpy(out, e->d_name, strlen(e->d_name) + 1);	/* < 16 */
	closedir(d);
	return 0;
}

/* A link's name, "" when the link is absent (an unbound driver). */
static int
optional_link(const char *dir, const char *link, char *out, size_t cap,
	      char *err, size_t errlen)
{
	char path[PATH_MAX];
	int rc;

	if (vf_sysfs_path(path, "%s/%s", dir, link) < 0)
		return too_long(dir, err, errlen);
	rc = vf_sysfs_link_name(path, out, cap, err, errlen);
	if (rc == -ENOENT)
		out[0] = '\0';
	return rc == -ENOENT ? 0 : rc;
}

static int
vf_iommu_group(const char *dir, int *group, char *err, size_t errlen)
{
	char name[16], *end;
	long v;
	int rc = optional_link(dir, "iommu_group", name, sizeof(name), err, errlen);

	*group = -1;
	if (rc < 0 || name[0] == '\0')
		return rc;
	errno = 0;
	v = strtol(name, &end, 10);
	if (!isdigit((unsigned char)name[0]) || *end != '\0' || errno != 0 ||
	    v > 0x7fffffff) {
		snprintf(err, errlen, "%s/iommu_group: '%s' is not a group number",
			 dir, name);
		return -EINVAL;
	}
	*group = (int)v;
	return 0;
}

static int
vf_mac(const char *dir, uint8_t mac[6], char *err, size_t errlen)
{
	char ifname[16], path[PATH_MAX], text[32];
	int rc = dev_netdev(dir, ifname, err, errlen);

	memset(mac, 0, 6);
	if (rc < 0 || ifname[0] == '\0')
		return rc;
	if (vf_sysfs_path(path, "%s/net/%s/address", dir, ifname) < 0)
		return too_long(dir, err, errlen);
	rc = vf_sysfs_read(path, text, sizeof(text), err, errlen);
	if (rc == 0 && parse_mac(text, mac) < 0) {
		snprintf(err, errlen, "%s: '%s' is not a MAC address", path, text);
		rc = -EINVAL;
	}
	return rc;
}

/* virtfnN of the PF in pfdir: a device under bus/pci/devices whose
 * physfn leads back to this PF. */
static int
vf_pci(const struct vf_inv *inv, const char *pfdir, unsigned int n,
       char pci[VF_PCI_MAX], char devdir[PATH_MAX], char *err, size_t errlen)
{
	char link[PATH_MAX], physfn[PATH_MAX];
	int rc;

	if (vf_sysfs_path(link, "%s/virtfn%u", pfdir, n) < 0)
		return too_long(pfdir, err, errlen);
	rc = vf_sysfs_link_name(link, pci, VF_PCI_MAX, err, errlen);
	if (rc == 0 && !vf_sysfs_is_dbdf(pci)) {
		snprintf(err, errlen, "%s: link to '%s', not a PCI address", link, pci);
		rc = -EINVAL;
	}
	if (rc < 0)
		return rc;
	if (vf_sysfs_path(devdir, "%s/bus/pci/devices/%s", inv->root, pci) < 0 ||
	    vf_sysfs_path(physfn, "%s/physfn", devdir) < 0)
		return too_long(link, err, errlen);
	rc = vf_sysfs_same(link, devdir, err, errlen);
	if (rc == 0) {
		snprintf(err, errlen, "%s: does not lead to %s", link, devdir);
		return -EINVAL;
	}
	if (rc > 0)
		rc = vf_sysfs_same(physfn, pfdir, err, errlen);
	if (rc == 0) {
		snprintf(err, errlen, "%s: does not lead back to the PF %s", physfn,
			 pfdir);
		return -EINVAL;
	}
	return rc < 0 ? rc : 0;
}

static int
scan_vf(const struct vf_inv *inv, const struct vf_inv_pf *pf, unsigned int pfi,
	const char *pfdir, unsigned int n, struct inv_vf *v, char *err,
	size_t errlen)
{
	struct vf_slot *s = &v->slot;
	char devdir[PATH_MAX];
	struct stat st;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = vf_pci(inv, pfdir, n, s->pci, devdir, err, errlen);
	if (rc == 0)
		rc = optional_link(devdir, "driver", s->driver, sizeof(s->driver),
				   err, errlen);
	if (rc == 0)
		rc = vf_iommu_group(devdir, &s->iommu_group, err, errlen);
	if (rc == 0)
		rc = vf_mac(devdir, s->mac, err, errlen);
	if (rc < 0)
		return rc;
	/* An absent driver link reads as "unbound": make sure it was not
	 * the whole device going away under the reads. */
	if (stat(devdir, &st) != 0) {
		snprintf(err, errlen, "%s: vanished while being read", devdir);
		return -ENOENT;
	}
	if (snprintf(s->name, sizeof(s->name), "%s/%u", pf->name, n) >=
	    (int)sizeof(s->name)) {
		snprintf(err, errlen, "%s: [pf %s]: VF name too long", devdir, pf->name);
		return -EINVAL;
	}
	memcpy(s->devargs, s->pci, sizeof(s->pci));
	s->pf = pfi;
	s->vf_index = n;
	return 0;
}

/* A netdev= PF's PCI address: class/net/IFNAME/device, which must be a
 * device under bus/pci/devices. */
static int
netdev_pci(const struct vf_inv *inv, const struct dp_pf_conf *c,
	   char pci[VF_PCI_MAX], char *err, size_t errlen)
{
	char link[PATH_MAX], dev[PATH_MAX];
	int rc;

	if (vf_sysfs_path(link, "%s/class/net/%s/device", inv->root, c->netdev) < 0)
		return too_long(inv->root, err, errlen);
	rc = vf_sysfs_link_name(link, pci, VF_PCI_MAX, err, errlen);
	if (rc == -ENOENT)
		snprintf(err, errlen, "%s: missing ([pf %s]: no interface %s, or not "
			 "a PCI device)", link, c->name, c->netdev);
	if (rc == 0 && !vf_sysfs_is_dbdf(pci)) {
		snprintf(err, errlen, "%s: link to '%s', not a PCI address", link, pci);
		rc = -EINVAL;
	}
	if (rc < 0)
		return rc;
	if (vf_sysfs_path(dev, "%s/bus/pci/devices/%s", inv->root, pci) < 0)
		return too_long(link, err, errlen);
	rc = vf_sysfs_same(link, dev, err, errlen);
	if (rc == 0) {
		snprintf(err, errlen, "%s: does not lead to %s", link, dev);
		rc = -EINVAL;
	}
	return rc < 0 ? rc : 0;
}

/* sriov_totalvfs and sriov_numvfs, the one not above the other. */
static int
pf_counts(const char *dir, const struct dp_pf_conf *c, struct vf_inv_pf *pf,
	  char *err, size_t errlen)
{
	char path[PATH_MAX];
	unsigned long total, num;
	int rc;

	if (vf_sysfs_path(path, "%s/sriov_totalvfs", dir) < 0)
		return too_long(dir, err, errlen);
	rc = vf_sysfs_read_uint(path, SRIOV_MAX, &total, err, errlen);
	if (rc == -ENOENT)
		snprintf(err, errlen, "%s: missing ([pf %s] is not an SR-IOV PF)",
			 path, c->name);
	if (rc < 0)
		return rc;
	if (vf_sysfs_path(path, "%s/sriov_numvfs", dir) < 0)
		return too_long(dir, err, errlen);
	rc = vf_sysfs_read_uint(path, SRIOV_MAX, &num, err, errlen);
	if (rc < 0)
		return rc;
	if (num > total) {
		snprintf(err, errlen, "%s: %lu VFs, more than sriov_totalvfs %lu", path,
			 num, total);
		return -EINVAL;
	}
	pf->total_vfs = (unsigned int)total;
	pf->num_vfs = (unsigned int)num;
	return 0;
}

static int
pf_device(const struct vf_inv *inv, const struct dp_pf_conf *c,
	  struct vf_inv_pf *pf, char dir[PATH_MAX], char *err, size_t errlen)
{
	struct stat st;
	int rc = 0;

	memset(pf, 0, sizeof(*pf));
	snprintf(pf->name, sizeof(pf->name), "%s", c->name);
	pf->want_vfs = c->vfs;
	if (c->pci[0] != '\0')
		snprintf(pf->pci, sizeof(pf->pci), "%s", c->pci);
	else
		rc = netdev_pci(inv, c, pf->pci, err, errlen);
	if (rc < 0)
		return rc;
	if (vf_sysfs_path(dir, "%s/bus/pci/devices/%s", inv->root, pf->pci) < 0)
		return too_long(inv->root, err, errlen);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: no such PCI device ([pf %s])", dir, c->name);
		return -ENOENT;
	}
	rc = pf_counts(dir, c, pf, err, errlen);
	if (rc == 0)
		rc = optional_link(dir, "driver", pf->driver, sizeof(pf->driver), err,
				   errlen);
	if (rc == 0 && c->netdev[0] != '\0')
		snprintf(pf->netdev, sizeof(pf->netdev), "%s", c->netdev);
	else if (rc == 0)
		rc = dev_netdev(dir, pf->netdev, err, errlen);
	return rc;
}

static int
scan_pf(const struct vf_inv *inv, unsigned int pfi, struct inv_list *l,
	char *err, size_t errlen)
{
	const struct dp_pf_conf *c = &inv->conf[pfi];
	struct vf_inv_pf *pf = &l->pfs[pfi];
	char dir[PATH_MAX];
	struct inv_vf *more;
	int rc = pf_device(inv, c, pf, dir, err, errlen);

	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < pfi; i++)
		if (strcmp(l->pfs[i].pci, pf->pci) == 0) {
			snprintf(err, errlen, "%s: [pf %s] is the same device as [pf %s]",
				 dir, c->name, l->pfs[i].name);
			return -EINVAL;
		}
	if (l->n_vfs + pf->num_vfs > VF_INV_MAX_VFS) {
		snprintf(err, errlen, "%s/sriov_numvfs: more than %d VFs in all", dir,
			 VF_INV_MAX_VFS);
		return -E2BIG;
	}
	more = realloc(l->vfs, (l->n_vfs + pf->num_vfs + 1) * sizeof(*more));
	if (more == NULL) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return -ENOMEM;
	}
	l->vfs = more;
	for (unsigned int n = 0; n < pf->num_vfs && rc == 0; n++)
		rc = scan_vf(inv, pf, pfi, dir, n, &l->vfs[l->n_vfs++], err, errlen);
	return rc;
}

/* By PCI address, then by place in the list: the message names the
 * earlier slot first. */
static int
cmp_pci(const void *a, const void *b)
{
	const struct inv_vf *x = *(const struct inv_vf *const *)a;
	const struct inv_vf *y = *(const struct inv_vf *const *)b;
	int c = strcmp(x->slot.pci, y->slot.pci);

	return c != 0 ? c : x < y ? -1 : x > y;
}

/* Two virtfn links to one device: refused, it would be handed out twice. */
static int
unique_vfs(const struct vf_inv *inv, const struct inv_list *l, char *err,
	   size_t errlen)
{
	const struct inv_vf **by = malloc((l->n_vfs + 1) * sizeof(*by));
	int rc = 0;

	if (by == NULL) {
		snprintf(err, errlen, "%s: out of memory", inv->root);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < l->n_vfs; i++)
		by[i] = &l->vfs[i];
	qsort(by, l->n_vfs, sizeof(*by), cmp_pci);
	for (unsigned int i = 1; i < l->n_vfs && rc == 0; i++)
		if (strcmp(by[i]->slot.pci, by[i - 1]->slot.pci) == 0) {
			snprintf(err, errlen, "%s/bus/pci/devices/%s: VF of both %s "
				 "and %s", inv->root, by[i]->slot.pci,
				 by[i - 1]->slot.name, by[i]->slot.name);
			rc = -EINVAL;
		}
	free(by);
	return rc;
}

static int
scan_pool(const struct vf_inv *inv, struct inv_list *l, char *err, size_t errlen)
{
	l->vfs = calloc(inv->n_pool + 1, sizeof(*l->vfs));
	if (l->vfs == NULL) {
		snprintf(err, errlen, "vf_pool: out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < inv->n_pool; i++) {
		struct vf_slot *s = &l->vfs[i].slot;

		snprintf(s->name, sizeof(s->name), "pool/%u", i);
		snprintf(s->devargs, sizeof(s->devargs), "%s", inv->pool[i]);
		s->iommu_group = -1;
		s->vf_index = i;
	}
	l->n_vfs = inv->n_pool;
	return 0;
}

static int
scan(const struct vf_inv *inv, struct inv_list *l, char *err, size_t errlen)
{
	int rc = 0;

	memset(l, 0, sizeof(*l));
	if (inv->n_conf == 0)
		return scan_pool(inv, l, err, errlen);
	for (unsigned int i = 0; i < inv->n_conf && rc == 0; i++)
		rc = scan_pf(inv, i, l, err, errlen);
	l->n_pfs = inv->n_conf;
	return rc == 0 ? unique_vfs(inv, l, err, errlen) : rc;
}

static bool
slot_equal(const struct vf_slot *a, const struct vf_slot *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->pci, b->pci) == 0 &&
	       strcmp(a->devargs, b->devargs) == 0 &&
	       strcmp(a->driver, b->driver) == 0 && a->iommu_group == b->iommu_group &&
	       memcmp(a->mac, b->mac, 6) == 0 && a->pf == b->pf &&
	       a->vf_index == b->vf_index;
}

static int
slot_order(const struct vf_slot *a, const struct vf_slot *b)
{
	if (a->pf != b->pf)
		return a->pf < b->pf ? -1 : 1;
	return a->vf_index < b->vf_index ? -1 : a->vf_index > b->vf_index;
}

/* Both lists are in (pf, vf_index) order: walk them together, carry what
 * hostlane bound to the same device, count what differs. */
static int
merge(const struct inv_list *old, struct inv_list *l)
{
	unsigned int i = 0, j = 0;
	int changed = 0;

	while (i < old->n_vfs || j < l->n_vfs) {
		int o = i == old->n_vfs ? 1 : j == l->n_vfs ? -1 :
			slot_order(&old->vfs[i].slot, &l->vfs[j].slot);

		if (o != 0) {
			changed++;
			i += o < 0;
			j += o > 0;
			continue;
		}
		if (strcmp(old->vfs[i].slot.pci, l->vfs[j].slot.pci) == 0 &&
		    old->vfs[i].bound_by_us) {
			l->vfs[j].bound_by_us = true;
			memcpy(l->vfs[j].orig_driver, old->vfs[i].orig_driver,
			       sizeof(l->vfs[j].orig_driver));
		}
		changed += !slot_equal(&old->vfs[i].slot, &l->vfs[j].slot);
		i++;
		j++;
	}
	return changed;
}

int
vf_inv_rescan(struct vf_inv *inv, char *err, size_t errlen)
{
	struct inv_list l;
	int rc = scan(inv, &l, err, errlen);

	if (rc < 0) {
		free(l.vfs);
		inv->stale = true;
		return rc;
	}
	rc = merge(&inv->cur, &l);
	free(inv->cur.vfs);
	inv->cur = l;
	inv->stale = false;
	return rc;
}

int
vf_inv_load(const struct dp_config *cfg, struct vf_inv **out, char *err,
	    size_t errlen)
{
	const char *root = cfg->vf.sysfs_root[0] != '\0' ? cfg->vf.sysfs_root : "/sys";
	struct vf_inv *inv;
	int rc;

	if (cfg->n_pfs > 0 && cfg->vf.n_pool > 0) {
		snprintf(err, errlen, "%s: both [pf] sections and vf_pool: the pool "
			 "stands in for PFs, give one or the other", cfg->path);
		return -EINVAL;
	}
	if (cfg->n_pfs > DP_MAX_PFS || cfg->vf.n_pool > DP_MAX_VF_POOL ||
	    strlen(root) >= PATH_MAX) {
		snprintf(err, errlen, "%s: PF list, pool or sysfs_root too large",
			 cfg->path);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->n_pfs; i++)
		if (strlen(cfg->pfs[i].name) > VF_INV_PF_NAME_MAX) {
			snprintf(err, errlen, "%s: [pf %s]: a PF name is at most %d "
				 "bytes (its VFs are NAME/N)", cfg->path,
				 cfg->pfs[i].name, VF_INV_PF_NAME_MAX);
			return -EINVAL;
		}
	inv = calloc(1, sizeof(*inv));
	if (inv == NULL) {
		snprintf(err, errlen, "VF inventory: out of memory");
		return -ENOMEM;
	}
	snprintf(inv->root, sizeof(inv->root), "%s", root);
	memcpy(inv->conf, cfg->pfs, cfg->n_pfs * sizeof(inv->conf[0]));
	inv->n_conf = cfg->n_pfs;
	for (unsigned int i = 0; i < cfg->vf.n_pool; i++)
		snprintf(inv->pool[i], sizeof(inv->pool[i]), "%s", cfg->vf.pool[i]);
	inv->n_pool = cfg->vf.n_pool;
	rc = vf_inv_rescan(inv, err, errlen);
	if (rc < 0) {
		vf_inv_destroy(inv);
		return rc;
	}
	*out = inv;
	return 0;
}

void
vf_inv_destroy(struct vf_inv *inv)
{
	if (inv == NULL)
		return;
	free(inv->cur.vfs);
	free(inv);
}

bool
vf_inv_stale(const struct vf_inv *inv)
{
	return inv->stale;
}

unsigned int
vf_inv_count(const struct vf_inv *inv)
{
	return inv->cur.n_vfs;
}

const struct vf_slot *
vf_inv_slot(const struct vf_inv *inv, unsigned int i)
{
	return i < inv->cur.n_vfs ? &inv->cur.vfs[i].slot : NULL;
}

static int
find_index(const struct vf_inv *inv, const char *name)
{
	for (unsigned int i = 0; i < inv->cur.n_vfs; i++)
		if (strcmp(inv->cur.vfs[i].slot.name, name) == 0)
			return (int)i;
	return -1;
}

struct inv_vf *
inv_vf_find(struct vf_inv *inv, const char *name, char *err, size_t errlen)
{
	int i = find_index(inv, name);

	if (i < 0)
		snprintf(err, errlen, "VF %.*s: not in the inventory", VF_NAME_MAX, name);
	return i < 0 ? NULL : &inv->cur.vfs[i];
}

const struct vf_slot *
vf_inv_find(const struct vf_inv *inv, const char *name)
{
	int i = find_index(inv, name);

	return i < 0 ? NULL : &inv->cur.vfs[i].slot;
}

unsigned int
vf_inv_pf_count(const struct vf_inv *inv)
{
	return inv->cur.n_pfs;
}

const struct vf_inv_pf *
vf_inv_pf(const struct vf_inv *inv, unsigned int i)
{
	return i < inv->cur.n_pfs ? &inv->cur.pfs[i] : NULL;
}

static void
mac_text(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		 m[4], m[5]);
}

int
vf_inv_check(const struct vf_inv *inv, const struct vf_slot *held, char *err,
	     size_t errlen)
{
	const struct vf_slot *now = vf_inv_find(inv, held->name);
	char a[18], b[18];

	if (now == NULL) {
		snprintf(err, errlen, "VF %s (%s): vanished", held->name, held->pci);
		return -ENODEV;
	}
	if (slot_equal(now, held))
		return 0;
	if (strcmp(now->pci, held->pci) != 0)
		snprintf(err, errlen, "VF %s: now %s, was %s", held->name, now->pci,
			 held->pci);
	else if (strcmp(now->driver, held->driver) != 0)
		snprintf(err, errlen, "%s/bus/pci/devices/%s/driver: VF %s is bound to "
			 "'%s', was '%s'", inv->root, now->pci, held->name, now->driver,
			 held->driver);
	else if (memcmp(now->mac, held->mac, 6) != 0) {
		mac_text(now->mac, a);
		mac_text(held->mac, b);
		snprintf(err, errlen, "VF %s: MAC now %s, was %s", held->name, a, b);
	} else
		snprintf(err, errlen, "VF %s: changed (IOMMU group %d, was %d)",
			 held->name, now->iommu_group, held->iommu_group);
	return -ESTALE;
}

void
vf_inv_set_write_hook(struct vf_inv *inv, vf_inv_write_fn *fn, void *arg)
{
	inv->hook = fn;
	inv->hook_arg = arg;
}

int
inv_write(const struct vf_inv *inv, const char *path, const char *val, char *err,
	  size_t errlen)
{
	int rc = vf_sysfs_write(path, val, err, errlen);

	if (rc == 0 && inv->hook != NULL)
		inv->hook(inv->hook_arg, path, val);
	return rc;
}

int
inv_live_driver(const struct vf_inv *inv, const char *pci, char out[VF_NAME_MAX],
		char *err, size_t errlen)
{
	char dir[PATH_MAX];

	if (vf_sysfs_path(dir, "%s/bus/pci/devices/%s", inv->root, pci) < 0)
		return too_long(inv->root, err, errlen);
	return optional_link(dir, "driver", out, VF_NAME_MAX, err, errlen);
}
