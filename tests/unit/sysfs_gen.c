/* SPDX-License-Identifier: BSD-3-Clause */
/* Generated sysfs trees in the kernel's layout (see sysfs_gen.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs_gen.h"

#define DEVS "devices/pci0000:00"

static int __attribute__((format(printf, 1, 2)))
oops(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sysfs_gen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int __attribute__((format(printf, 3, 4)))
path(char out[PATH_MAX], const char *root, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(rel) ||
	    snprintf(out, PATH_MAX, "%s/%s", root, rel) >= PATH_MAX)
		return oops("path too long: %s", rel);
	return 0;
}

static int
mkdirs(const char *p)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", p);
	for (char *s = buf + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return oops("mkdir %s: %s", buf, strerror(errno));
		*s = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return oops("mkdir %s: %s", buf, strerror(errno));
	return 0;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p) == 0 || errno == ENOENT ? 0 : oops("rm %s: %s", p,
							    strerror(errno));
}

static int
rm_tree(const char *p)
{
	struct stat st;

	if (lstat(p, &st) != 0)
		return errno == ENOENT ? 0 : oops("lstat %s: %s", p, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return unlink(p) == 0 ? 0 : oops("unlink %s: %s", p, strerror(errno));
	return nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
sg_mkdir(const char *root, const char *rel)
{
	char p[PATH_MAX];

	return path(p, root, "%s", rel) < 0 ? -1 : mkdirs(p);
}

int
sg_rm(const char *root, const char *rel)
{
	char p[PATH_MAX];

	return path(p, root, "%s", rel) < 0 ? -1 : rm_tree(p);
}

int
sg_write(const char *root, const char *rel, const char *content)
{
	char p[PATH_MAX];
	FILE *f;

	if (path(p, root, "%s", rel) < 0)
		return -1;
	f = fopen(p, "w");
	if (f == NULL || fputs(content, f) < 0 || fclose(f) != 0)
		return oops("write %s: %s", p, strerror(errno));
	return 0;
}

int
sg_link(const char *root, const char *rel, const char *target)
{
	char p[PATH_MAX];

	if (path(p, root, "%s", rel) < 0 || rm_tree(p) < 0)
		return -1;
	return symlink(target, p) == 0 ? 0 : oops("symlink %s: %s", p, strerror(errno));
}

int
sg_read(const char *root, const char *rel, char *buf, unsigned int cap)
{
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if (path(p, root, "%s", rel) < 0)
		return -1;
	fd = open(p, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n < 0 ? -1 : 0;
}

int
sg_remove(const char *root)
{
	return rm_tree(root);
}

int
sg_init(const char *root)
{
	static const char *const dirs[] = { "bus/pci/devices", "bus/pci/drivers", DEVS,
					    "class/net", "kernel/iommu_groups" };
	char p[PATH_MAX];

	if (rm_tree(root) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (path(p, root, "%s", dirs[i]) < 0 || mkdirs(p) < 0)
			return -1;
	return sg_write(root, "bus/pci/drivers_probe", "");
}

int
sg_driver(const char *root, const char *name)
{
	static const char *const files[] = { "bind", "unbind", "new_id" };
	char p[PATH_MAX], rel[PATH_MAX];

	if (path(p, root, "bus/pci/drivers/%s", name) < 0 || mkdirs(p) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/%s", name, files[i]);
		if (sg_write(root, rel, "") < 0)
			return -1;
	}
	return 0;
}

int
sg_bind(const char *root, const char *dbdf, const char *driver)
{
	char rel[PATH_MAX], target[PATH_MAX];

	snprintf(rel, sizeof(rel), DEVS "/%s/driver", dbdf);
	if (driver == NULL)
		return sg_rm(root, rel);
	if (sg_driver(root, driver) < 0)
		return -1;
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
	return sg_link(root, rel, target);
}

static int
iommu_group(const char *root, const char *dbdf, int group)
{
	char rel[PATH_MAX], target[PATH_MAX], p[PATH_MAX];

	if (group < 0)
		return 0;
	if (path(p, root, "kernel/iommu_groups/%d/devices", group) < 0 || mkdirs(p) < 0)
		return -1;
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices/%s", group, dbdf);
	snprintf(target, sizeof(target), "../../../../" DEVS "/%s", dbdf);
	if (sg_link(root, rel, target) < 0)
		return -1;
	snprintf(rel, sizeof(rel), DEVS "/%s/iommu_group", dbdf);
	snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", group);
	return sg_link(root, rel, target);
}

int
sg_device(const char *root, const char *dbdf, const char *driver, int group)
{
	char p[PATH_MAX], rel[PATH_MAX], target[PATH_MAX];

	if (path(p, root, DEVS "/%s", dbdf) < 0 || mkdirs(p) < 0)
		return -1;
	snprintf(rel, sizeof(rel), DEVS "/%s/driver_override", dbdf);
	if (sg_write(root, rel, "(null)\n") < 0)
		return -1;
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", dbdf);
	snprintf(target, sizeof(target), "../../../" DEVS "/%s", dbdf);
	if (sg_link(root, rel, target) < 0 || iommu_group(root, dbdf, group) < 0)
		return -1;
	return driver == NULL ? 0 : sg_bind(root, dbdf, driver);
}

int
sg_netdev(const char *root, const char *dbdf, const char *ifname, const char *mac)
{
	char p[PATH_MAX], rel[PATH_MAX], target[PATH_MAX], text[32];

	if (path(p, root, DEVS "/%s/net/%s", dbdf, ifname) < 0 || mkdirs(p) < 0)
		return -1;
	snprintf(rel, sizeof(rel), DEVS "/%s/net/%s/address", dbdf, ifname);
	snprintf(text, sizeof(text), "%s\n", mac);
	if (sg_write(root, rel, text) < 0)
		return -1;
	snprintf(rel, sizeof(rel), DEVS "/%s/net/%s/device", dbdf, ifname);
	snprintf(target, sizeof(target), "../../../%s", dbdf);
	if (sg_link(root, rel, target) < 0)
		return -1;
	snprintf(rel, sizeof(rel), "class/net/%s", ifname);
	snprintf(target, sizeof(target), "../../" DEVS "/%s/net/%s", dbdf, ifname);
	return sg_link(root, rel, target);
}

void
sg_vf_dbdf(const char *pf, unsigned int n, char out[16])
{
	unsigned int dom = 0, bus = 0, dev = 0, fn = 0;

	sscanf(pf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn);
	snprintf(out, 16, "%04x:%02x:%02x.%x", dom, (bus + 1 + fn) & 0xff,
		 (n / 8) & 0x1f, n % 8);
}

/* A VF's IOMMU group: one of its own, from its address. */
static int
vf_group(const char *vf)
{
	unsigned int dom = 0, bus = 0, dev = 0, fn = 0;

	sscanf(vf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn);
	return (int)(1000 + bus * 256 + dev * 8 + fn);
}

/* A VF's interface: "hv" + bus, device and function of its address. */
static void
vf_ifname(const char *vf, char out[16])
{
	snprintf(out, 16, "hv%.2s%.2s%.1s", vf + 5, vf + 8, vf + 11);
}

static bool
exists(const char *root, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	return path(p, root, "%s", rel) == 0 && lstat(p, &st) == 0;
}

static int
remove_vf(const char *root, const char *pf, unsigned int n)
{
	char rel[PATH_MAX], dev[PATH_MAX], vf[16], ifname[16];

	sg_vf_dbdf(pf, n, vf);
	vf_ifname(vf, ifname);
	snprintf(rel, sizeof(rel), DEVS "/%s/virtfn%u", pf, n);
	snprintf(dev, sizeof(dev), DEVS "/%s", vf);
	if (!exists(root, rel) && !exists(root, dev))
		return 0;
	if (sg_rm(root, rel) < 0)
		return -1;
	snprintf(rel, sizeof(rel), "class/net/%s", ifname);
	if (sg_rm(root, rel) < 0)
		return -1;
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d", vf_group(vf));
	if (sg_rm(root, rel) < 0)
		return -1;
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", vf);
	if (sg_rm(root, rel) < 0)
		return -1;
	snprintf(rel, sizeof(rel), DEVS "/%s", vf);
	return sg_rm(root, rel);
}

static int
add_vf(const char *root, const char *pf, unsigned int n, const char *driver)
{
	char rel[PATH_MAX], target[PATH_MAX], vf[16], ifname[16], mac[18];
	bool has_netdev = driver != NULL && strcmp(driver, "vfio-pci") != 0;

	sg_vf_dbdf(pf, n, vf);
	if (sg_device(root, vf, driver, vf_group(vf)) < 0)
		return -1;
	snprintf(rel, sizeof(rel), DEVS "/%s/virtfn%u", pf, n);
	snprintf(target, sizeof(target), "../%s", vf);
	if (sg_link(root, rel, target) < 0)
		return -1;
	snprintf(rel, sizeof(rel), DEVS "/%s/physfn", vf);
	snprintf(target, sizeof(target), "../%s", pf);
	if (sg_link(root, rel, target) < 0)
		return -1;
	vf_ifname(vf, ifname);
	snprintf(mac, sizeof(mac), "02:00:%.2s:%.2s:%.2s:%02x", vf + 5, vf + 8, "00",
		 n & 0xff);
	return has_netdev ? sg_netdev(root, vf, ifname, mac) : 0;
}

int
sg_set_vfs(const char *root, const char *pf, unsigned int num, const char *vf_driver)
{
	char rel[PATH_MAX], text[16];

	for (unsigned int n = 0; n < 256; n++)
		if (remove_vf(root, pf, n) < 0)
			return -1;
	for (unsigned int n = 0; n < num; n++)
		if (add_vf(root, pf, n, vf_driver) < 0)
			return -1;
	snprintf(rel, sizeof(rel), DEVS "/%s/sriov_numvfs", pf);
	snprintf(text, sizeof(text), "%u\n", num);
	return sg_write(root, rel, text);
}

int
sg_pf(const char *root, const char *pf, unsigned int total, unsigned int num,
      const char *pf_driver, const char *vf_driver, const char *ifname)
{
	char rel[PATH_MAX], text[16], mac[18];

	if (sg_device(root, pf, pf_driver, 10) < 0)
		return -1;
	snprintf(rel, sizeof(rel), DEVS "/%s/sriov_totalvfs", pf);
	snprintf(text, sizeof(text), "%u\n", total);
	if (sg_write(root, rel, text) < 0)
		return -1;
	snprintf(mac, sizeof(mac), "02:aa:%.2s:%.2s:%.2s:0%.1s", pf + 2, pf + 5, pf + 8,
		 pf + 11);
	if (ifname != NULL && sg_netdev(root, pf, ifname, mac) < 0)
		return -1;
	return sg_set_vfs(root, pf, num, vf_driver);
}
