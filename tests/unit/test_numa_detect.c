/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of NUMA node detection (dp_numa_node_of) on this machine's
 * kernel, with a memfd mapped twice like a memif region: once by "the
 * guest", once by "hostlane". A page hostlane has touched has a node
 * (node 0 on a one-node machine); one it has not touched has none, even
 * when the guest wrote it - which is why hostlane touches a guest's rings
 * before it asks (memif_srv.c, publish()).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine.h"
#include "numa_place.h"
#include "unit_check.h"

#define PAGES 3

static size_t page;
static int nodes;

/* A node this machine has: exactly 0 when it has one. */
static bool
is_node(int n)
{
	return nodes == 1 ? n == 0 : n >= 0 && n < nodes;
}

/* Unknown: not mapped in this process (-ENOENT; -EFAULT on kernels that
 * say so for an untouched page). */
static bool
is_unknown(int n)
{
	return n == -ENOENT || n == -EFAULT;
}

static int
node1(void *p)
{
	return dp_numa_node_of(&p, 1);
}

static void
test_shared_region(void)
{
	int fd = memfd_create("numa_region", MFD_CLOEXEC);
	volatile uint8_t *guest, *host;
	uint8_t sink;

	if (fd < 0 || ftruncate(fd, (off_t)(PAGES * page)) < 0) {
		fail("memfd", "%s", strerror(errno));
		return;
	}
	guest = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	host = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (guest == MAP_FAILED || host == MAP_FAILED) {
		fail("mmap", "%s", strerror(errno));
		return;
	}
	CHECK("untouched: unknown", is_unknown(node1((void *)host)), "got %d",
	      node1((void *)host));
	guest[0] = 1;
	CHECK("written by the guest only: still unknown to hostlane",
	      is_unknown(node1((void *)host)), "got %d", node1((void *)host));
	CHECK("the guest's own mapping of it: a node", is_node(node1((void *)guest)),
	      "got %d", node1((void *)guest));
	sink = host[0];		/* hostlane reads it: now mapped in */
	(void)sink;
	CHECK("touched by hostlane: its node", is_node(node1((void *)host)),
	      "got %d", node1((void *)host));
	/* An address inside the page, not its start. */
	CHECK("unaligned address", is_node(node1((void *)(host + 100))), "got %d",
	      node1((void *)(host + 100)));
	/* The first page that has a node answers. */
	void *order[] = { (void *)(host + page), NULL, (void *)host,
			  (void *)(host + 2 * page) };
	CHECK("first known wins", is_node(dp_numa_node_of(order, 4)), "got %d",
	      dp_numa_node_of(order, 4));
	void *none[] = { (void *)(host + page), (void *)(host + 2 * page) };
	CHECK("none known", is_unknown(dp_numa_node_of(none, 2)), "got %d",
	      dp_numa_node_of(none, 2));
	munmap((void *)guest, PAGES * page);
	munmap((void *)host, PAGES * page);
}

static void
test_edges(void)
{
	void *nulls[] = { NULL, NULL };
	void *many[DP_NUMA_MAX_ADDRS + 1] = { 0 };
	uint8_t *gone = mmap(NULL, page, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK("only NULLs", dp_numa_node_of(nulls, 2) == -ENOENT, "got %d",
	      dp_numa_node_of(nulls, 2));
	CHECK("nothing", dp_numa_node_of(nulls, 0) == -ENOENT, "got %d",
	      dp_numa_node_of(nulls, 0));
	CHECK("too many", dp_numa_node_of(many, DP_NUMA_MAX_ADDRS + 1) == -EINVAL,
	      "got %d", dp_numa_node_of(many, DP_NUMA_MAX_ADDRS + 1));
	if (gone == MAP_FAILED) {
		fail("mmap", "%s", strerror(errno));
		return;
	}
	gone[0] = 1;
	CHECK("private anonymous page, written: its node", is_node(node1(gone)),
	      "got %d", node1(gone));
	munmap(gone, page);
	/* Not memory at all any more: an error, never a node. */
	CHECK("unmapped address", node1(gone) < 0, "got %d", node1(gone));
}

int
main(void)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	nodes = dp_numa_nodes();
	if (nodes == -ENOSYS) {
		printf("SKIP: the kernel has no NUMA support (no get_mempolicy)\n");
		return TM_SKIP;
	}
	CHECK("nodes", nodes >= 1, "dp_numa_nodes() = %d", nodes);
	printf("this machine: %d NUMA node(s)\n", nodes);
	test_shared_region();
	test_edges();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("numa detection: all checks passed\n");
	return 0;
}
