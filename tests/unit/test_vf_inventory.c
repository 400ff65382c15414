/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VF inventory (control/vf/inventory.c, sriov.c) against generated
 * sysfs trees in the kernel's layout (sysfs_gen.c): good trees (pci= and
 * netdev= PFs, several PFs, pool stand-ins), every malformed tree giving
 * one error naming the path and no inventory, rescans that notice a VF
 * rebound or gone, and provisioning, whose writes a small emulation of
 * the kernel answers (sriov_numvfs, driver_override, unbind, bind,
 * drivers_probe) and logs in order. Last, the real /sys, read only: a
 * PCI address nobody has, and a device without SR-IOV.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inventory.h"
#include "sysfs_gen.h"
#include "unit_check.h"

#define PF0 "0000:3b:00.0"
#define PF1 "0000:5e:00.1"
#define DEVS "devices/pci0000:00/"

static char root[64];
static struct dp_config cfg;	/* large: keep it off the stack */

/* ---- the config ------------------------------------------------------------ */

static void
cfg_reset(void)
{
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.path, sizeof(cfg.path), "test.conf");
	snprintf(cfg.vf.sysfs_root, sizeof(cfg.vf.sysfs_root), "%s", root);
}

static void
add_pf(const char *name, const char *pci, const char *netdev, unsigned int vfs)
{
	struct dp_pf_conf *pf = &cfg.pfs[cfg.n_pfs++];

	snprintf(pf->name, sizeof(pf->name), "%s", name);
	snprintf(pf->pci, sizeof(pf->pci), "%s", pci != NULL ? pci : "");
	snprintf(pf->netdev, sizeof(pf->netdev), "%s", netdev != NULL ? netdev : "");
	pf->vfs = vfs;
}

/* One PF (p0, pci=PF0): 8 VFs possible, 4 made, on iavf; vfio-pci loaded. */
static void
std_tree(void)
{
	if (sg_init(root) < 0 || sg_driver(root, "vfio-pci") < 0 ||
	    sg_pf(root, PF0, 8, 4, "ice", "iavf", "enp59s0f0") < 0)
		exit(1);
	cfg_reset();
	add_pf("p0", PF0, NULL, 0);
}

static const char *
vf_of(const char *pf, unsigned int n)
{
	static char out[4][16];
	static unsigned int k;

	k = (k + 1) % 4;
	sg_vf_dbdf(pf, n, out[k]);
	return out[k];
}

/* ---- the kernel, as far as the writes go --------------------------------- */

static struct {
	char log[32][96];
	unsigned int n;
	char violation[256];
	bool refuse_vfio;		/* drivers_probe leaves vfio-pci unbound */
} k;

static void
k_reset(void)
{
	memset(&k, 0, sizeof(k));
}

static void
violate(const char *fmt, const char *a, const char *b)
{
	if (k.violation[0] == '\0')
		snprintf(k.violation, sizeof(k.violation), fmt, a, b);
}

/* The driver dbdf is bound to, "" if none. */
static void
bound_to(const char *dbdf, char out[64])
{
	char p[PATH_MAX], t[PATH_MAX];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/" DEVS "%s/driver", root, dbdf);
	n = readlink(p, t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = '\0';
	snprintf(out, 64, "%s", strrchr(t, '/') != NULL ? strrchr(t, '/') + 1 : "");
}

static unsigned int
vfs_made(const char *pf)
{
	char p[PATH_MAX];
	struct stat st;
	unsigned int n = 0;

	for (;; n++) {
		snprintf(p, sizeof(p), "%s/" DEVS "%s/virtfn%u", root, pf, n);
		if (lstat(p, &st) != 0)
			return n;
	}
}

/* The kernel takes a new count only from 0 (else EBUSY). */
static void
k_numvfs(const char *pf, const char *val)
{
	unsigned int now = vfs_made(pf), want = (unsigned int)atoi(val);
	char was[16];

	snprintf(was, sizeof(was), "%u", now);
	if (now != 0 && want != 0 && now != want)
		violate("sriov_numvfs %s -> %s without 0 first", was, val);
	sg_set_vfs(root, pf, want, "iavf");
}

static void
k_probe(const char *dbdf)
{
	char ovr[64], rel[128], drv[64];

	bound_to(dbdf, drv);
	if (drv[0] != '\0')
		return;
	snprintf(rel, sizeof(rel), DEVS "%s/driver_override", dbdf);
	sg_read(root, rel, ovr, sizeof(ovr));
	ovr[strcspn(ovr, "\n")] = '\0';
	if (strcmp(ovr, "(null)") == 0 || ovr[0] == '\0')
		sg_bind(root, dbdf, "iavf");	/* the native driver's ID table */
	else if (!(k.refuse_vfio && strcmp(ovr, "vfio-pci") == 0))
		sg_bind(root, dbdf, ovr);
}

static void
k_driver(const char *drv, const char *attr, const char *dbdf)
{
	char now[64];

	bound_to(dbdf, now);
	if (strcmp(attr, "unbind") == 0) {
		if (strcmp(now, drv) != 0)
			violate("unbind from %s, bound to %s", drv, now);
		sg_bind(root, dbdf, NULL);
	} else if (strcmp(attr, "bind") == 0) {
		if (now[0] != '\0')
			violate("bind to %s, bound to %s", drv, now);
		sg_bind(root, dbdf, drv);
	}
}

/* An empty write clears the override; the kernel shows "(null)". */
static void
clear_override(const char *dbdf)
{
	char rel[128];

	snprintf(rel, sizeof(rel), DEVS "%s/driver_override", dbdf);
	sg_write(root, rel, "(null)\n");
}

static void
kernel(void *arg, const char *path, const char *val)
{
	const char *rel = path + strlen(root) + 1;
	char dev[16], drv[64], attr[32];

	(void)arg;
	if (strncmp(path, root, strlen(root)) != 0) {
		violate("write outside the tree: %s%s", path, "");
		return;
	}
	if (k.n < 32)
		snprintf(k.log[k.n++], sizeof(k.log[0]), "%s=%s", rel,
			 strcmp(val, "\n") == 0 ? "\\n" : val);
	if (sscanf(rel, "bus/pci/devices/%15[^/]/%31s", dev, attr) == 2) {
		if (strcmp(attr, "sriov_numvfs") == 0)
			k_numvfs(dev, val);
		else if (strcmp(attr, "driver_override") == 0 && strcmp(val, "\n") == 0)
			clear_override(dev);
	} else if (strcmp(rel, "bus/pci/drivers_probe") == 0) {
		k_probe(val);
	} else if (sscanf(rel, "bus/pci/drivers/%63[^/]/%31s", drv, attr) == 2) {
		k_driver(drv, attr, val);
	}
}

/* The writes since k_reset() were exactly want (NULL-terminated). */
static void
check_writes(const char *what, const char *const want[])
{
	unsigned int n = 0;

	for (; want[n] != NULL; n++)
		CHECK(what, n < k.n && strcmp(k.log[n], want[n]) == 0,
		      "write %u: '%s', want '%s'", n + 1, n < k.n ? k.log[n] : "(none)",
		      want[n]);
	CHECK(what, k.n == n, "%u writes, want %u (extra: '%s')", k.n, n,
	      k.n > n ? k.log[n] : "");
	CHECK(what, k.violation[0] == '\0', "kernel: %s", k.violation);
}

/* ---- loading ----------------------------------------------------------------- */

static struct vf_inv *
load_ok(const char *what)
{
	struct vf_inv *inv = NULL;
	char err[512] = "";
	int rc = vf_inv_load(&cfg, &inv, err, sizeof(err));

	CHECK(what, rc == 0 && inv != NULL, "load: rc %d: %s", rc, err);
	if (inv != NULL)
		vf_inv_set_write_hook(inv, kernel, NULL);
	return inv;
}

/* A refused tree: the errno, one line starting with the path, no inventory. */
static void
load_bad(const char *what, int want_rc, const char *want1, const char *want2)
{
	struct vf_inv *inv = NULL;
	char err[512] = "";
	int rc = vf_inv_load(&cfg, &inv, err, sizeof(err));

	CHECK(what, rc == want_rc, "rc %d, want %d (%s)", rc, want_rc, err);
	CHECK(what, inv == NULL, "an inventory was made");
	CHECK(what, err[0] != '\0' && strchr(err, '\n') == NULL, "error not one line: "
	      "'%s'", err);
	CHECK(what, strncmp(err, root, strlen(root)) == 0 ||
	      strncmp(err, cfg.path, strlen(cfg.path)) == 0,
	      "error does not start with the path: '%s'", err);
	CHECK(what, strstr(err, want1) != NULL, "error '%s' lacks '%s'", err, want1);
	CHECK(what, want2 == NULL || strstr(err, want2) != NULL, "error '%s' lacks "
	      "'%s'", err, want2);
	vf_inv_destroy(inv);
}

static void
check_vf(const char *what, const struct vf_slot *s, const char *name,
	 const char *pci, const char *driver, unsigned int pf, unsigned int n)
{
	CHECK(what, s != NULL, "slot %s missing", name);
	if (s == NULL)
		return;
	CHECK(what, strcmp(s->name, name) == 0 && strcmp(s->pci, pci) == 0 &&
	      strcmp(s->devargs, pci) == 0 && strcmp(s->driver, driver) == 0 &&
	      s->pf == pf && s->vf_index == n,
	      "%s: name '%s' pci '%s' devargs '%s' driver '%s' pf %u vf %u", name,
	      s->name, s->pci, s->devargs, s->driver, s->pf, s->vf_index);
}

static void
test_good_pci(void)
{
	const char *what = "good: pci= PF with 4 VFs";
	const struct vf_inv_pf *pf;
	const struct vf_slot *s;
	struct vf_inv *inv;
	char name[16];

	std_tree();
	inv = load_ok(what);
	if (inv == NULL)
		return;
	CHECK(what, vf_inv_count(inv) == 4 && vf_inv_pf_count(inv) == 1 &&
	      !vf_inv_stale(inv), "%u VFs, %u PFs", vf_inv_count(inv),
	      vf_inv_pf_count(inv));
	pf = vf_inv_pf(inv, 0);
	CHECK(what, pf != NULL && strcmp(pf->pci, PF0) == 0 &&
	      strcmp(pf->netdev, "enp59s0f0") == 0 && strcmp(pf->driver, "ice") == 0 &&
	      pf->total_vfs == 8 && pf->num_vfs == 4, "PF: pci '%s' netdev '%s' "
	      "driver '%s' %u/%u", pf ? pf->pci : "", pf ? pf->netdev : "",
	      pf ? pf->driver : "", pf ? pf->num_vfs : 0, pf ? pf->total_vfs : 0);
	for (unsigned int n = 0; n < 4; n++) {
		snprintf(name, sizeof(name), "p0/%u", n);
		s = vf_inv_slot(inv, n);
		check_vf(what, s, name, vf_of(PF0, n), "iavf", 0, n);
		CHECK(what, s != NULL && s->iommu_group == (int)(1000 + 0x3c * 256 + n),
		      "%s: iommu_group %d", name, s ? s->iommu_group : -2);
		CHECK(what, s != NULL && s->mac[0] == 0x02 && s->mac[2] == 0x3c &&
		      s->mac[5] == n, "%s: mac %02x:..:%02x", name, s ? s->mac[0] : 0,
		      s ? s->mac[5] : 0);
		CHECK(what, vf_inv_find(inv, name) == s, "find %s", name);
	}
	CHECK(what, vf_inv_slot(inv, 4) == NULL && vf_inv_find(inv, "p0/4") == NULL &&
	      vf_inv_pf(inv, 1) == NULL, "out of range answered");
	vf_inv_destroy(inv);
}

static void
test_good_netdev_several(void)
{
	const char *what = "good: netdev= PF and pci= PF, unbound VF, no IOMMU";
	const struct vf_slot *s;
	struct vf_inv *inv;

	std_tree();
	if (sg_pf(root, PF1, 16, 2, "mlx5_core", NULL, "ens1f1") < 0)
		exit(1);
	cfg_reset();
	add_pf("a", NULL, "ens1f1", 0);
	add_pf("b", PF0, NULL, 0);
	/* VF 1 of a: no IOMMU group */
	sg_rm(root, DEVS "0000:60:00.1/iommu_group");
	inv = load_ok(what);
	if (inv == NULL)
		return;
	CHECK(what, vf_inv_count(inv) == 6 && vf_inv_pf_count(inv) == 2,
	      "%u VFs %u PFs", vf_inv_count(inv), vf_inv_pf_count(inv));
	CHECK(what, vf_inv_pf(inv, 0) != NULL && strcmp(vf_inv_pf(inv, 0)->pci, PF1) == 0 &&
	      strcmp(vf_inv_pf(inv, 0)->netdev, "ens1f1") == 0, "netdev PF wrong");
	check_vf(what, vf_inv_slot(inv, 0), "a/0", vf_of(PF1, 0), "", 0, 0);
	s = vf_inv_slot(inv, 1);
	check_vf(what, s, "a/1", "0000:60:00.1", "", 0, 1);
	CHECK(what, s != NULL && s->iommu_group == -1 &&
	      memcmp(s->mac, "\0\0\0\0\0\0", 6) == 0, "a/1: group %d, mac set",
	      s ? s->iommu_group : 0);
	check_vf(what, vf_inv_slot(inv, 2), "b/0", vf_of(PF0, 0), "iavf", 1, 0);
	check_vf(what, vf_inv_slot(inv, 5), "b/3", vf_of(PF0, 3), "iavf", 1, 3);
	vf_inv_destroy(inv);

	what = "good: a PF with no VFs made";
	std_tree();
	sg_set_vfs(root, PF0, 0, NULL);
	inv = load_ok(what);
	CHECK(what, inv != NULL && vf_inv_count(inv) == 0, "VFs listed");
	vf_inv_destroy(inv);
}

static void
test_pool(void)
{
	const char *what = "pool stand-ins";
	const struct vf_slot *s;
	struct vf_inv *inv;
	char err[256];

	cfg_reset();
	snprintf(cfg.vf.sysfs_root, sizeof(cfg.vf.sysfs_root), "/nonexistent-sysfs");
	cfg.vf.n_pool = 3;
	snprintf(cfg.vf.pool[0], sizeof(cfg.vf.pool[0]), "net_ring0");
	snprintf(cfg.vf.pool[1], sizeof(cfg.vf.pool[1]), "net_null1,no-rx=1");
	snprintf(cfg.vf.pool[2], sizeof(cfg.vf.pool[2]), "net_tap2,iface=hlvf2");
	inv = load_ok(what);
	if (inv == NULL)
		return;
	CHECK(what, vf_inv_count(inv) == 3 && vf_inv_pf_count(inv) == 0,
	      "%u slots %u PFs", vf_inv_count(inv), vf_inv_pf_count(inv));
	s = vf_inv_find(inv, "pool/1");
	CHECK(what, s != NULL && strcmp(s->devargs, "net_null1,no-rx=1") == 0 &&
	      s->pci[0] == '\0' && s->driver[0] == '\0' && s->iommu_group == -1 &&
	      s->vf_index == 1, "pool/1: devargs '%s' pci '%s'", s ? s->devargs : "",
	      s ? s->pci : "");
	k_reset();
	CHECK(what, vf_inv_bind(inv, "pool/1", err, sizeof(err)) == 0 &&
	      vf_inv_release(inv, "pool/1", err, sizeof(err)) == 0 &&
	      vf_inv_provision(inv, err, sizeof(err)) == 0 && k.n == 0,
	      "a stand-in was bound or provisioned (%u writes)", k.n);
	CHECK(what, vf_inv_rescan(inv, err, sizeof(err)) == 0, "rescan: %s", err);
	vf_inv_destroy(inv);

	what = "pool and [pf] both";
	std_tree();
	cfg.vf.n_pool = 1;
	snprintf(cfg.vf.pool[0], sizeof(cfg.vf.pool[0]), "net_ring0");
	load_bad(what, -EINVAL, "both [pf] sections and vf_pool", NULL);
}

/* ---- malformed trees ----------------------------------------------------- */

struct bad_tree {
	const char *what;
	void (*spoil)(void);
	int rc;
	const char *want1, *want2;
};

static void
no_pf_device(void)
{
	sg_rm(root, "bus/pci/devices/" PF0);
}

static void
no_totalvfs(void)
{
	sg_rm(root, DEVS PF0 "/sriov_totalvfs");
}

static void
garbage_numvfs(void)
{
	sg_write(root, DEVS PF0 "/sriov_numvfs", "4x\n");
}

static void
empty_numvfs(void)
{
	sg_write(root, DEVS PF0 "/sriov_numvfs", "");
}

static void
negative_numvfs(void)
{
	sg_write(root, DEVS PF0 "/sriov_numvfs", "-1\n");
}

static void
huge_numvfs(void)
{
	sg_write(root, DEVS PF0 "/sriov_numvfs", "184467440737095516160\n");
}

static void
control_numvfs(void)
{
	sg_write(root, DEVS PF0 "/sriov_numvfs", "4\x1b[2J\n");
}

static void
long_numvfs(void)
{
	sg_write(root, DEVS PF0 "/sriov_numvfs",
		 "0000000000000000000000000000000000000000004\n");
}

static void
numvfs_over_total(void)
{
	sg_write(root, DEVS PF0 "/sriov_totalvfs", "3\n");
}

static void
numvfs_fifo(void)
{
	char p[PATH_MAX];

	sg_rm(root, DEVS PF0 "/sriov_numvfs");
	snprintf(p, sizeof(p), "%s/" DEVS PF0 "/sriov_numvfs", root);
	if (mkfifo(p, 0600) != 0)
		perror(p);
}

static void
numvfs_symlink(void)
{
	sg_link(root, DEVS PF0 "/sriov_numvfs", "sriov_totalvfs");
}

static void
virtfn_missing(void)
{
	sg_rm(root, DEVS PF0 "/virtfn2");
}

static void
virtfn_to_etc(void)
{
	sg_link(root, DEVS PF0 "/virtfn1", "../../../../../../../etc");
}

static void
virtfn_outside(void)
{
	/* a directory named like a VF, outside bus/pci/devices */
	sg_mkdir(root, "elsewhere/0000:3c:00.1");
	sg_link(root, DEVS PF0 "/virtfn1", "../../../elsewhere/0000:3c:00.1");
}

static void
virtfn_not_link(void)
{
	sg_rm(root, DEVS PF0 "/virtfn0");
	sg_write(root, DEVS PF0 "/virtfn0", "0000:3c:00.0\n");
}

static void
vf_vanished(void)
{
	sg_rm(root, DEVS "0000:3c:00.3");
}

static void
physfn_elsewhere(void)
{
	if (sg_pf(root, PF1, 4, 1, "ice", "iavf", NULL) < 0)
		exit(1);
	sg_link(root, DEVS "0000:3c:00.2/physfn", "../" PF1);
}

static void
two_links_one_vf(void)
{
	sg_link(root, DEVS PF0 "/virtfn3", "../0000:3c:00.1");
}

static void
bad_iommu_group(void)
{
	sg_link(root, DEVS "0000:3c:00.1/iommu_group", "../../../kernel/iommu_groups/x1");
}

static void
bad_driver_name(void)
{
	sg_link(root, DEVS "0000:3c:00.0/driver", "../../../bus/pci/drivers/a b");
}

static void
bad_vf_mac(void)
{
	sg_write(root, DEVS "0000:3c:00.2/net/hv3c002/address", "02:00:zz:00:00:02\n");
}

static void
netdev_missing(void)
{
	cfg_reset();
	add_pf("p0", NULL, "eth9", 0);
}

static void
netdev_not_pci(void)
{
	cfg_reset();
	add_pf("p0", NULL, "enp59s0f0", 0);
	sg_link(root, DEVS PF0 "/net/enp59s0f0/device", "../../../../virtual/net");
}

static void
netdev_elsewhere(void)
{
	cfg_reset();
	add_pf("p0", NULL, "enp59s0f0", 0);
	sg_mkdir(root, "virtual/" PF0);
	sg_link(root, DEVS PF0 "/net/enp59s0f0/device", "../../../../../virtual/" PF0);
}

static void
same_pf_twice(void)
{
	add_pf("again", NULL, "enp59s0f0", 0);
}

static const struct bad_tree bad_trees[] = {
	{ "PF device missing", no_pf_device, -ENOENT, "/bus/pci/devices/" PF0,
	  "no such PCI device ([pf p0])" },
	{ "sriov_totalvfs missing", no_totalvfs, -ENOENT, PF0 "/sriov_totalvfs",
	  "not an SR-IOV PF" },
	{ "sriov_numvfs garbage", garbage_numvfs, -EINVAL, PF0 "/sriov_numvfs",
	  "'4x' is not a number" },
	{ "sriov_numvfs empty", empty_numvfs, -EINVAL, PF0 "/sriov_numvfs",
	  "'' is not a number" },
	{ "sriov_numvfs negative", negative_numvfs, -EINVAL, PF0 "/sriov_numvfs",
	  "not a number" },
	{ "sriov_numvfs over 64 bits", huge_numvfs, -EINVAL, PF0 "/sriov_numvfs",
	  "not a number" },
	{ "sriov_numvfs with an escape", control_numvfs, -EINVAL, PF0 "/sriov_numvfs",
	  "control byte 0x1b" },
	{ "sriov_numvfs too long", long_numvfs, -EFBIG, PF0 "/sriov_numvfs",
	  "longer than" },
	{ "sriov_numvfs above sriov_totalvfs", numvfs_over_total, -EINVAL,
	  PF0 "/sriov_numvfs", "4 VFs, more than sriov_totalvfs 3" },
	{ "sriov_numvfs a FIFO (no hang)", numvfs_fifo, -EINVAL, PF0 "/sriov_numvfs",
	  "not a regular file" },
	{ "sriov_numvfs a symlink", numvfs_symlink, -ELOOP, PF0 "/sriov_numvfs",
	  "a symlink" },
	{ "virtfn2 missing", virtfn_missing, -ENOENT, PF0 "/virtfn2", "missing" },
	{ "virtfn1 to /etc", virtfn_to_etc, -EINVAL, PF0 "/virtfn1",
	  "not a PCI address" },
	{ "virtfn1 outside bus/pci/devices", virtfn_outside, -EINVAL, PF0 "/virtfn1",
	  "does not lead to" },
	{ "virtfn0 not a link", virtfn_not_link, -EINVAL, PF0 "/virtfn0",
	  "not a symlink" },
	{ "VF vanished (dangling virtfn3)", vf_vanished, -ENOENT, PF0 "/virtfn3",
	  "vanished" },
	{ "physfn to another PF", physfn_elsewhere, -EINVAL, "0000:3c:00.2/physfn",
	  "does not lead back" },
	{ "two virtfn links, one VF", two_links_one_vf, -EINVAL, "0000:3c:00.1",
	  "VF of both p0/1 and p0/3" },
	{ "iommu_group not a number", bad_iommu_group, -EINVAL,
	  "0000:3c:00.1/iommu_group", "not a group number" },
	{ "driver link with a blank", bad_driver_name, -EINVAL, "0000:3c:00.0/driver",
	  "does not end in a name" },
	{ "VF MAC garbage", bad_vf_mac, -EINVAL, "0000:3c:00.2/net/hv3c002/address",
	  "not a MAC address" },
	{ "netdev= interface missing", netdev_missing, -ENOENT,
	  "/class/net/eth9/device", "no interface eth9" },
	{ "netdev= not a PCI device", netdev_not_pci, -EINVAL,
	  "/class/net/enp59s0f0/device", "not a PCI address" },
	{ "netdev= device outside bus/pci/devices", netdev_elsewhere, -EINVAL,
	  "/class/net/enp59s0f0/device", "does not lead to" },
	{ "one PF by pci and by netdev", same_pf_twice, -EINVAL, PF0,
	  "[pf again] is the same device as [pf p0]" },
};

static void
test_bad_trees(void)
{
	for (size_t i = 0; i < sizeof(bad_trees) / sizeof(bad_trees[0]); i++) {
		const struct bad_tree *b = &bad_trees[i];

		std_tree();
		b->spoil();
		load_bad(b->what, b->rc, b->want1, b->want2);
	}
}

/* ---- rescans -------------------------------------------------------------- */

static void
test_rescan(void)
{
	const char *what = "rescan";
	struct vf_slot held2, held3;
	struct vf_inv *inv;
	char err[512];
	int rc;

	std_tree();
	inv = load_ok(what);
	if (inv == NULL)
		return;
	held2 = *vf_inv_find(inv, "p0/2");
	held3 = *vf_inv_find(inv, "p0/3");
	rc = vf_inv_rescan(inv, err, sizeof(err));
	CHECK("rescan: nothing changed", rc == 0, "rc %d: %s", rc, err);
	CHECK("rescan: nothing changed", vf_inv_check(inv, &held2, err, sizeof(err)) == 0,
	      "check: %s", err);

	/* sriov-dp #238: someone else rebinds a VF; sriov-dp #276: VFs go. */
	sg_set_vfs(root, PF0, 3, "iavf");
	sg_bind(root, "0000:3c:00.2", "mlx5_core");
	rc = vf_inv_rescan(inv, err, sizeof(err));
	CHECK("rescan: VF rebound, VF gone", rc == 2, "rc %d, want 2: %s", rc, err);
	CHECK("rescan: VF rebound, VF gone", vf_inv_count(inv) == 3, "%u VFs",
	      vf_inv_count(inv));
	rc = vf_inv_check(inv, &held2, err, sizeof(err));
	CHECK("check: rebound", rc == -ESTALE && strstr(err, "0000:3c:00.2/driver") &&
	      strstr(err, "'mlx5_core', was 'iavf'"), "rc %d: %s", rc, err);
	rc = vf_inv_check(inv, &held3, err, sizeof(err));
	CHECK("check: vanished", rc == -ENODEV && strstr(err, "p0/3") != NULL,
	      "rc %d: %s", rc, err);

	/* A failed rescan keeps the old list, marked stale; bind refuses it. */
	sg_write(root, DEVS PF0 "/sriov_numvfs", "three\n");
	rc = vf_inv_rescan(inv, err, sizeof(err));
	CHECK("rescan fails: stale", rc == -EINVAL && vf_inv_stale(inv) &&
	      vf_inv_count(inv) == 3 && strstr(err, "sriov_numvfs") != NULL,
	      "rc %d stale %d count %u: %s", rc, vf_inv_stale(inv), vf_inv_count(inv),
	      err);
	k_reset();
	rc = vf_inv_bind(inv, "p0/0", err, sizeof(err));
	CHECK("rescan fails: bind refused", rc == -ESTALE && k.n == 0 &&
	      strstr(err, "stale") != NULL, "rc %d, %u writes: %s", rc, k.n, err);
	rc = vf_inv_provision(inv, err, sizeof(err));
	CHECK("rescan fails: provision refused", rc == -ESTALE && k.n == 0,
	      "rc %d, %u writes", rc, k.n);
	sg_write(root, DEVS PF0 "/sriov_numvfs", "3\n");
	rc = vf_inv_rescan(inv, err, sizeof(err));
	CHECK("rescan after repair", rc == 0 && !vf_inv_stale(inv), "rc %d: %s", rc, err);
	vf_inv_destroy(inv);
}

/* ---- provisioning ----------------------------------------------------------- */

static void
test_provision(void)
{
	static const char *const zero_to_four[] = {
		"bus/pci/devices/" PF0 "/sriov_numvfs=4", NULL };
	static const char *const two_to_six[] = {
		"bus/pci/devices/" PF0 "/sriov_numvfs=0",
		"bus/pci/devices/" PF0 "/sriov_numvfs=6", NULL };
	static const char *const none[] = { NULL };
	struct vf_inv *inv;
	char err[512];
	int rc;

	std_tree();
	sg_set_vfs(root, PF0, 0, NULL);
	cfg.pfs[0].vfs = 4;
	inv = load_ok("provision 0→4");
	k_reset();
	rc = inv ? vf_inv_provision(inv, err, sizeof(err)) : -1;
	CHECK("provision 0→4", rc == 0 && vf_inv_count(inv) == 4, "rc %d, %u VFs: %s",
	      rc, inv ? vf_inv_count(inv) : 0, err);
	check_writes("provision 0→4", zero_to_four);
	k_reset();
	rc = inv ? vf_inv_provision(inv, err, sizeof(err)) : -1;
	CHECK("provision 4→4: nothing", rc == 0, "rc %d: %s", rc, err);
	check_writes("provision 4→4: nothing", none);
	vf_inv_destroy(inv);

	std_tree();
	sg_set_vfs(root, PF0, 2, "iavf");
	cfg.pfs[0].vfs = 6;
	inv = load_ok("provision 2→6 via 0");
	k_reset();
	rc = inv ? vf_inv_provision(inv, err, sizeof(err)) : -1;
	CHECK("provision 2→6 via 0", rc == 0 && vf_inv_count(inv) == 6,
	      "rc %d, %u VFs: %s", rc, inv ? vf_inv_count(inv) : 0, err);
	check_writes("provision 2→6 via 0", two_to_six);
	vf_inv_destroy(inv);

	std_tree();
	cfg.pfs[0].vfs = 9;
	inv = load_ok("provision above sriov_totalvfs");
	k_reset();
	rc = inv ? vf_inv_provision(inv, err, sizeof(err)) : -1;
	CHECK("provision above sriov_totalvfs", rc == -ERANGE &&
	      strstr(err, PF0 "/sriov_totalvfs: [pf p0] vfs = 9 is more than the "
		     "device's 8") != NULL, "rc %d: %s", rc, err);
	check_writes("provision above sriov_totalvfs", none);
	vf_inv_destroy(inv);

	/* The second PF is refused: the first is not changed either. */
	std_tree();
	if (sg_pf(root, PF1, 4, 0, "ice", NULL, NULL) < 0)
		exit(1);
	cfg.pfs[0].vfs = 2;
	add_pf("p1", PF1, NULL, 5);
	inv = load_ok("provision two PFs, the second above its total");
	k_reset();
	rc = inv ? vf_inv_provision(inv, err, sizeof(err)) : -1;
	CHECK("provision two PFs, the second above its total", rc == -ERANGE &&
	      vf_inv_count(inv) == 4 && strstr(err, "[pf p1] vfs = 5") != NULL,
	      "rc %d: %s", rc, err);
	check_writes("provision two PFs, the second above its total: no writes", none);
	vf_inv_destroy(inv);

	std_tree();
	sg_bind(root, "0000:3c:00.1", "vfio-pci");
	cfg.pfs[0].vfs = 2;
	inv = load_ok("provision with a VF on vfio-pci");
	k_reset();
	rc = inv ? vf_inv_provision(inv, err, sizeof(err)) : -1;
	CHECK("provision with a VF on vfio-pci", rc == -EBUSY &&
	      strstr(err, "p0/1 is bound to vfio-pci") != NULL, "rc %d: %s", rc, err);
	check_writes("provision with a VF on vfio-pci", none);
	vf_inv_destroy(inv);
}

/* ---- binding ------------------------------------------------------------------ */

#define VF1 "0000:3c:00.1"

static void
expect_driver(const char *what, struct vf_inv *inv, const char *name,
	      const char *dbdf, const char *want)
{
	const struct vf_slot *s = vf_inv_find(inv, name);
	char now[64];

	bound_to(dbdf, now);
	CHECK(what, strcmp(now, want) == 0, "bound to '%s', want '%s'", now, want);
	CHECK(what, s != NULL && strcmp(s->driver, want) == 0, "slot says '%s'",
	      s ? s->driver : "(none)");
}

static void
test_bind_release(void)
{
	static const char *const bind_w[] = {
		"bus/pci/devices/" VF1 "/driver_override=vfio-pci",
		"bus/pci/drivers/iavf/unbind=" VF1,
		"bus/pci/drivers_probe=" VF1, NULL };
	static const char *const release_w[] = {
		"bus/pci/devices/" VF1 "/driver_override=\\n",
		"bus/pci/drivers/vfio-pci/unbind=" VF1,
		"bus/pci/drivers/iavf/bind=" VF1, NULL };
	static const char *const none[] = { NULL };
	struct vf_inv *inv;
	char err[512];
	int rc;

	std_tree();
	inv = load_ok("bind");
	if (inv == NULL)
		return;
	k_reset();
	rc = vf_inv_bind(inv, "p0/1", err, sizeof(err));
	CHECK("bind", rc == 0, "rc %d: %s", rc, err);
	check_writes("bind: override, unbind, probe", bind_w);
	expect_driver("bind", inv, "p0/1", VF1, "vfio-pci");
	k_reset();
	rc = vf_inv_bind(inv, "p0/1", err, sizeof(err));
	CHECK("bind twice", rc == 0, "rc %d: %s", rc, err);
	check_writes("bind twice: no writes", none);

	/* The original driver is remembered across a rescan. */
	rc = vf_inv_rescan(inv, err, sizeof(err));
	CHECK("rescan of a bound VF", rc == 0, "rc %d: %s", rc, err);
	k_reset();
	rc = vf_inv_release(inv, "p0/1", err, sizeof(err));
	CHECK("release", rc == 0, "rc %d: %s", rc, err);
	check_writes("release: clear override, unbind, bind the old driver", release_w);
	expect_driver("release", inv, "p0/1", VF1, "iavf");
	k_reset();
	rc = vf_inv_release(inv, "p0/1", err, sizeof(err));
	CHECK("release twice", rc == 0, "rc %d: %s", rc, err);
	check_writes("release twice: no writes", none);

	k_reset();
	rc = vf_inv_bind(inv, "p0/9", err, sizeof(err));
	CHECK("bind unknown VF", rc == -ENOENT && strstr(err, "p0/9") != NULL &&
	      k.n == 0, "rc %d: %s", rc, err);
	rc = vf_inv_release(inv, "nope", err, sizeof(err));
	CHECK("release unknown VF", rc == -ENOENT, "rc %d", rc);

	/* Someone rebinds p0/2 after the scan: refused, nothing written. */
	sg_bind(root, "0000:3c:00.2", "mlx5_core");
	k_reset();
	rc = vf_inv_bind(inv, "p0/2", err, sizeof(err));
	CHECK("bind a VF rebound under us", rc == -ESTALE &&
	      strstr(err, "0000:3c:00.2/driver") != NULL &&
	      strstr(err, "'mlx5_core'") != NULL, "rc %d: %s", rc, err);
	check_writes("bind a VF rebound under us: no writes", none);
	vf_inv_destroy(inv);
}

static void
test_bind_failures(void)
{
	static const char *const undo_w[] = {
		"bus/pci/devices/" VF1 "/driver_override=vfio-pci",
		"bus/pci/drivers/iavf/unbind=" VF1,
		"bus/pci/drivers_probe=" VF1,
		"bus/pci/devices/" VF1 "/driver_override=\\n",
		"bus/pci/drivers/iavf/bind=" VF1, NULL };
	static const char *const foreign_w[] = {
		"bus/pci/devices/" VF1 "/driver_override=\\n",
		"bus/pci/drivers/vfio-pci/unbind=" VF1,
		"bus/pci/drivers_probe=" VF1, NULL };
	static const char *const unbound_w[] = {
		"bus/pci/devices/0000:3c:00.0/driver_override=vfio-pci",
		"bus/pci/drivers_probe=0000:3c:00.0", NULL };
	static const char *const unbound_rel_w[] = {
		"bus/pci/devices/0000:3c:00.0/driver_override=\\n",
		"bus/pci/drivers/vfio-pci/unbind=0000:3c:00.0", NULL };
	static const char *const none[] = { NULL };
	struct vf_inv *inv;
	char err[512];
	int rc;

	/* The kernel does not bind it (no IOMMU, say): undone, -EIO. */
	std_tree();
	inv = load_ok("bind refused by the kernel");
	if (inv == NULL)
		return;
	k_reset();
	k.refuse_vfio = true;
	rc = vf_inv_bind(inv, "p0/1", err, sizeof(err));
	CHECK("bind refused by the kernel", rc == -EIO &&
	      strstr(err, VF1 "/driver: '' after drivers_probe") != NULL,
	      "rc %d: %s", rc, err);
	check_writes("bind refused by the kernel: undone", undo_w);
	expect_driver("bind refused by the kernel", inv, "p0/1", VF1, "iavf");
	vf_inv_destroy(inv);

	/* No vfio-pci driver loaded. */
	std_tree();
	sg_rm(root, "bus/pci/drivers/vfio-pci");
	inv = load_ok("bind without vfio-pci");
	k_reset();
	rc = inv ? vf_inv_bind(inv, "p0/1", err, sizeof(err)) : -1;
	CHECK("bind without vfio-pci", rc == -ENOENT &&
	      strstr(err, "bus/pci/drivers/vfio-pci: missing") != NULL, "rc %d: %s",
	      rc, err);
	check_writes("bind without vfio-pci: no writes", none);
	vf_inv_destroy(inv);

	/* On vfio-pci before hostlane: release lets the kernel choose. */
	std_tree();
	sg_bind(root, VF1, "vfio-pci");
	inv = load_ok("release a VF hostlane did not bind");
	k_reset();
	rc = inv ? vf_inv_release(inv, "p0/1", err, sizeof(err)) : -1;
	CHECK("release a VF hostlane did not bind", rc == 0, "rc %d: %s", rc, err);
	check_writes("release a VF hostlane did not bind", foreign_w);
	if (inv != NULL)
		expect_driver("release a VF hostlane did not bind", inv, "p0/1", VF1,
			      "iavf");

	/* Bound by us, then taken by someone else: release refuses. */
	rc = inv ? vf_inv_bind(inv, "p0/1", err, sizeof(err)) : -1;
	sg_bind(root, VF1, "mlx5_core");
	k_reset();
	rc = inv ? vf_inv_release(inv, "p0/1", err, sizeof(err)) : -1;
	CHECK("release a VF taken by someone else", rc == -ESTALE &&
	      strstr(err, "'mlx5_core' by someone else") != NULL, "rc %d: %s", rc, err);
	check_writes("release a VF taken by someone else: no writes", none);
	vf_inv_destroy(inv);

	/* An unbound VF: no unbind on the way in, no bind on the way out. */
	std_tree();
	sg_bind(root, "0000:3c:00.0", NULL);
	inv = load_ok("bind an unbound VF");
	k_reset();
	rc = inv ? vf_inv_bind(inv, "p0/0", err, sizeof(err)) : -1;
	CHECK("bind an unbound VF", rc == 0, "rc %d: %s", rc, err);
	check_writes("bind an unbound VF", unbound_w);
	k_reset();
	rc = inv ? vf_inv_release(inv, "p0/0", err, sizeof(err)) : -1;
	CHECK("release an unbound VF", rc == 0, "rc %d: %s", rc, err);
	check_writes("release an unbound VF: left unbound", unbound_rel_w);
	if (inv != NULL)
		expect_driver("release an unbound VF", inv, "p0/0", "0000:3c:00.0", "");
	vf_inv_destroy(inv);
}

/* The real /sys, read only: its layout is the one generated above. */
static void
test_real_sysfs(void)
{
	struct vf_inv *inv = NULL;
	char err[512] = "", p[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir("/sys/bus/pci/devices");
	int rc;

	cfg_reset();
	cfg.vf.sysfs_root[0] = '\0';	/* the default: /sys */
	add_pf("p0", "ffff:ff:1f.7", NULL, 0);
	rc = vf_inv_load(&cfg, &inv, err, sizeof(err));
	CHECK("real /sys: no such device", rc == -ENOENT && strstr(err,
	      "/sys/bus/pci/devices/ffff:ff:1f.7: no such PCI device") == err,
	      "rc %d: %s", rc, err);
	vf_inv_destroy(inv);
	cfg.pfs[0].pci[0] = '\0';
	while (d != NULL && (e = readdir(d)) != NULL) {
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/sriov_totalvfs", e->d_name);
		if (e->d_name[0] != '.' && strlen(e->d_name) < sizeof(cfg.pfs[0].pci) &&
		    access(p, F_OK) != 0) {
			memcpy(cfg.pfs[0].pci, e->d_name, strlen(e->d_name) + 1);
			break;
		}
	}
	if (d != NULL)
		closedir(d);
	if (cfg.pfs[0].pci[0] == '\0') {
		printf("note: no PCI device without SR-IOV in /sys: that case not run\n");
		return;
	}
	inv = NULL;
	rc = vf_inv_load(&cfg, &inv, err, sizeof(err));
	CHECK("real /sys: a device without SR-IOV", rc == -ENOENT &&
	      strncmp(err, "/sys/bus/pci/devices/", 21) == 0 &&
	      strstr(err, "/sriov_totalvfs: missing ([pf p0] is not an SR-IOV PF)"),
	      "rc %d: %s", rc, err);
	vf_inv_destroy(inv);
}

int
main(void)
{
	snprintf(root, sizeof(root), "/tmp/hl-unit-sysfs-XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_good_pci();
	test_good_netdev_several();
	test_pool();
	test_bad_trees();
	test_rescan();
	test_provision();
	test_bind_release();
	test_bind_failures();
	test_real_sysfs();
	sg_remove(root);
	printf("vf_inventory: %zu malformed trees, good trees, pool, rescans, "
	       "provisioning, binding, real /sys: %d failure(s)\n",
	       sizeof(bad_trees) / sizeof(bad_trees[0]), failures);
	return failures == 0 ? 0 : 1;
}
