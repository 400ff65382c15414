/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The passthrough actuator (control/vf/act_passthrough.c) against scripted
 * QEMUs (fake_qmp.h), on a fake clock: what device_add carries, the unplug
 * handshake, a guest that never acknowledges, QEMU gone mid-operation, a
 * VF never in two guests, and input checks.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act_passthrough.h"
#include "fake_qmp.h"
#include "../unit/unit_check.h"

#define UNPLUG_MS 3000

static char dir[] = "/tmp/hl-actpt-XXXXXX";
static uint64_t now = 5000;
static struct fake_qmp q0, q1;		/* g0's and g1's QEMU */
static bool g0_removed;

static uint64_t
fake_now(void)
{
	return now;
}

static int
lookup(void *arg, const char *guest, struct vf_pt_guest_conf *out)
{
	(void)arg;
	if (g0_removed && strcmp(guest, "g0") == 0)
		return -ENOENT;
	if (strcmp(guest, "g0") == 0 || strcmp(guest, "g1") == 0) {
		snprintf(out->qmp, sizeof(out->qmp), "%s",
			 guest[1] == '0' ? q0.path : q1.path);
		snprintf(out->standby, sizeof(out->standby), "net0");
		return 0;
	}
	if (strcmp(guest, "nosock") == 0)
		return 0;
	if (strcmp(guest, "badstandby") == 0) {
		snprintf(out->qmp, sizeof(out->qmp), "%s", q0.path);
		snprintf(out->standby, sizeof(out->standby), "1,x=y");
		return 0;
	}
	return -ENOENT;
}

static const struct vf_slot vf0 = { .name = "pf0/0", .pci = "0000:3b:00.1" };

/* The owner's hooks: binding to vfio-pci, the PF's per-VF counters. */
static int prepared, prepare_rc;

static int
prepare(void *arg, const char *guest, const struct vf_slot *vf, char *err,
	size_t errlen)
{
	(void)arg;
	(void)guest;
	prepared++;
	if (prepare_rc != 0)
		snprintf(err, errlen, "VF %s: vfio-pci did not take it", vf->name);
	return prepare_rc;
}

static int
counters(void *arg, const struct vf_slot *vf, struct vf_counters *out)
{
	(void)arg;
	(void)vf;
	*out = (struct vf_counters){ .pkts = 42, .bytes = 4200,
				     .source = VF_RATE_HOST_PF };
	return 0;
}

/* The fake QEMU f takes the actuator's new connection through the
 * opening; the actuator is poked with poll(guest) to write. */
static void
qemu_open(struct fake_qmp *f, struct vf_actuator *a, const char *guest,
	  const char *what)
{
	char err[256];
	long long caps;

	CHECK(what, fake_accept(f) == 0, "no connection");
	fake_greet(f);
	CHECK(what, a->poll(a->ctx, guest, now, err, sizeof(err)) == 1,
	      "done before QEMU answered");
	caps = fake_expect(f, "qmp_capabilities", NULL);
	CHECK(what, caps > 0, "no capabilities");
	fake_reply(f, caps, "{}");
}

static const char *
arg_str(json_t *args, const char *key)
{
	const char *s = json_string_value(json_object_get(args, key));

	return s != NULL ? s : "(absent)";
}

static enum vf_pt_state
state_of(struct vf_pt *pt, const char *guest)
{
	struct vf_pt_info info;

	return vf_pt_info(pt, guest, &info) == 0 ? info.state : (enum vf_pt_state)-1;
}

/* assign g0: the device_add it sends, then QEMU's {} */
static void
test_assign(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "assign";
	char err[256];
	json_t *args = NULL;
	long long id;
	struct vf_pt_info info;

	CHECK(what, a->assign(a->ctx, "g0", &vf0, err, sizeof(err)) == 1,
	      "assign: %s", err);
	qemu_open(&q0, a, "g0", what);
	id = fake_expect(&q0, "device_add", &args);
	CHECK(what, id > 0, "no device_add");
	CHECK(what, strcmp(arg_str(args, "driver"), "vfio-pci") == 0 &&
	      strcmp(arg_str(args, "id"), "hl-vf-g0") == 0 &&
	      strcmp(arg_str(args, "host"), "0000:3b:00.1") == 0 &&
	      strcmp(arg_str(args, "bus"), "rp1") == 0 &&
	      strcmp(arg_str(args, "failover_pair_id"), "net0") == 0,
	      "device_add driver=%s id=%s host=%s bus=%s failover_pair_id=%s",
	      arg_str(args, "driver"), arg_str(args, "id"), arg_str(args, "host"),
	      arg_str(args, "bus"), arg_str(args, "failover_pair_id"));
	json_decref(args);
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == 1,
	      "done before the reply");
	now += 40;
	fake_reply(&q0, id, "{}");
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == 0,
	      "not done after the reply: %s", err);
	vf_pt_info(pt, "g0", &info);
	CHECK(what, info.state == VF_PT_HELD && info.add_ms == 40 &&
	      strcmp(info.pci, "0000:3b:00.1") == 0,
	      "state %s add_ms %llu pci %s", vf_pt_state_name(info.state),
	      (unsigned long long)info.add_ms, info.pci);
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == -ENOENT,
	      "poll with nothing in flight");
	CHECK(what, prepared == 1, "the VF was not prepared (bound) first");
	{
		struct vf_counters cnt;
		const struct vf_slot other = { .name = "pf0/7",
					       .pci = "0000:3b:00.7" };

		CHECK(what, a->vf_counters(a->ctx, "g0", &vf0, &cnt) == 0 &&
		      cnt.pkts == 42 && cnt.source == VF_RATE_HOST_PF,
		      "the held VF's counters");
		CHECK(what, a->vf_counters(a->ctx, "g0", &other, &cnt) ==
		      -ENOENT, "counters of a VF the guest does not hold");
		CHECK(what, a->vf_counters(a->ctx, "g1", &vf0, &cnt) ==
		      -ENOENT, "counters for a guest that holds nothing");
	}
	CHECK(what, a->assign(a->ctx, "g0", &vf0, err, sizeof(err)) == -EBUSY,
	      "a second VF for a guest that holds one");
	CHECK(what, a->assign(a->ctx, "g1", &vf0, err, sizeof(err)) == -EBUSY &&
	      strstr(err, "g0") != NULL, "the VF given twice (%s)", err);
}

/* revoke g0: device_del, DEVICE_DELETED before the reply (an unplug at once) */
static void
test_revoke(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "revoke";
	char err[256];
	json_t *args = NULL;
	long long id;
	struct vf_pt_info info;

	CHECK(what, a->revoke(a->ctx, "g0", &vf0, err, sizeof(err)) == 1,
	      "revoke: %s", err);
	id = fake_expect(&q0, "device_del", &args);
	CHECK(what, id > 0 && strcmp(arg_str(args, "id"), "hl-vf-g0") == 0,
	      "device_del of %s", arg_str(args, "id"));
	json_decref(args);
	now += 7;
	/* Only the event for its own id ends the unplug. */
	fake_send(&q0, "{\"event\": \"DEVICE_DELETED\", \"data\": {\"path\": "
		  "\"/machine/peripheral/hl-vf-g0/virtio-backend\"}}\n");
	fake_send(&q0, "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": "
		  "\"hl-vf-g00\", \"path\": \"/machine/peripheral/hl-vf-g00\"}}\n");
	fake_reply(&q0, id, "{}");
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == 1,
	      "freed by another device's DEVICE_DELETED");
	fake_send(&q0, "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": "
		  "\"hl-vf-g0\", \"path\": \"/machine/peripheral/hl-vf-g0\"}}\n");
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == 0,
	      "not freed: %s", err);
	vf_pt_info(pt, "g0", &info);
	CHECK(what, info.state == VF_PT_IDLE && info.unplug_ms == 7,
	      "state %s unplug_ms %llu", vf_pt_state_name(info.state),
	      (unsigned long long)info.unplug_ms);
}

/* g1 gets the VF; its guest never acknowledges the unplug */
static void
test_never_acks(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "never-acks";
	char err[256];
	long long id;

	CHECK(what, a->assign(a->ctx, "g1", &vf0, err, sizeof(err)) == 1,
	      "assign: %s", err);
	qemu_open(&q1, a, "g1", what);
	id = fake_expect(&q1, "device_add", NULL);
	fake_reply(&q1, id, "{}");
	CHECK(what, a->poll(a->ctx, "g1", now, err, sizeof(err)) == 0,
	      "assign g1: %s", err);
	CHECK(what, a->revoke(a->ctx, "g1", &vf0, err, sizeof(err)) == 1,
	      "revoke: %s", err);
	id = fake_expect(&q1, "device_del", NULL);
	fake_reply(&q1, id, "{}");
	CHECK(what, a->poll(a->ctx, "g1", now + UNPLUG_MS - 1, err,
			    sizeof(err)) == 1, "ended before the timeout");
	CHECK(what, state_of(pt, "g1") == VF_PT_UNPLUGGING, "state %s",
	      vf_pt_state_name(state_of(pt, "g1")));
	CHECK(what, a->poll(a->ctx, "g1", now + UNPLUG_MS, err,
			    sizeof(err)) == -ETIMEDOUT, "no timeout");
	CHECK(what, strstr(err, "no DEVICE_DELETED for hl-vf-g1 in 3000 ms") !=
	      NULL, "reason '%s'", err);
	CHECK(what, state_of(pt, "g1") == VF_PT_HELD, "g1 must keep it: %s",
	      vf_pt_state_name(state_of(pt, "g1")));
	CHECK(what, a->assign(a->ctx, "g0", &vf0, err, sizeof(err)) == -EBUSY,
	      "a VF not given back went to another guest");
	/* Acknowledged later: QEMU no longer has the id, which frees it. */
	CHECK(what, a->revoke(a->ctx, "g1", &vf0, err, sizeof(err)) == 1,
	      "revoke again: %s", err);
	id = fake_expect(&q1, "device_del", NULL);
	{
		char buf[256];

		snprintf(buf, sizeof(buf), "{\"error\": {\"class\": "
			 "\"DeviceNotFound\", \"desc\": \"Device 'hl-vf-g1' "
			 "not found\"}, \"id\": %lld}\n", id);
		fake_send(&q1, buf);
	}
	CHECK(what, a->poll(a->ctx, "g1", now, err, sizeof(err)) == 0,
	      "DeviceNotFound did not free it: %s", err);
	CHECK(what, state_of(pt, "g1") == VF_PT_IDLE, "state %s",
	      vf_pt_state_name(state_of(pt, "g1")));
}

/* QEMU dies with g0's device_add in flight: maybe plugged, so booked */
static void
test_qemu_gone(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "qemu-gone";
	char err[256];
	long long id;

	CHECK(what, a->assign(a->ctx, "g0", &vf0, err, sizeof(err)) == 1,
	      "assign: %s", err);
	id = fake_expect(&q0, "device_add", NULL);
	CHECK(what, id > 0, "no device_add");
	fake_drop(&q0);
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == -EPIPE,
	      "QEMU gone, the assign did not fail: %s", err);
	CHECK(what, strstr(err, "unanswered") != NULL, "reason '%s'", err);
	/* Booked as unknown, its clean-up (device_del on a new connection)
	 * started at once. */
	CHECK(what, state_of(pt, "g0") == VF_PT_DELETING, "state %s",
	      vf_pt_state_name(state_of(pt, "g0")));
	/* g1 asks for it: refused while g0's clean-up goes on. */
	CHECK(what, a->assign(a->ctx, "g1", &vf0, err, sizeof(err)) == -EBUSY &&
	      strstr(err, "g0") != NULL, "an unknown VF given away (%s)", err);
	CHECK(what, a->revoke(a->ctx, "g0", &vf0, err, sizeof(err)) == 1,
	      "revoke joins the clean-up: %s", err);
	qemu_open(&q0, a, "g0", what);
	id = fake_expect(&q0, "device_del", NULL);
	{
		char buf[256];

		snprintf(buf, sizeof(buf), "{\"error\": {\"class\": "
			 "\"DeviceNotFound\", \"desc\": \"no\"}, \"id\": %lld}\n",
			 id);
		fake_send(&q0, buf);
	}
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == 0,
	      "clean-up: %s", err);
	CHECK(what, state_of(pt, "g0") == VF_PT_IDLE, "state %s",
	      vf_pt_state_name(state_of(pt, "g0")));
}

/* QEMU says no: nothing plugged, the VF free */
static void
test_refused(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "qemu-refuses";
	char err[256], buf[256];
	long long id;

	CHECK(what, a->assign(a->ctx, "g0", &vf0, err, sizeof(err)) == 1,
	      "assign: %s", err);
	id = fake_expect(&q0, "device_add", NULL);
	snprintf(buf, sizeof(buf), "{\"error\": {\"class\": \"GenericError\", "
		 "\"desc\": \"vfio 0000:3b:00.1: group 42 is not viable\"}, "
		 "\"id\": %lld}\n", id);
	fake_send(&q0, buf);
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == -EREMOTEIO &&
	      strstr(err, "not viable") != NULL, "QEMU's reason lost: %s", err);
	CHECK(what, state_of(pt, "g0") == VF_PT_IDLE, "state %s",
	      vf_pt_state_name(state_of(pt, "g0")));
}

static void
test_checks(struct vf_actuator *a)
{
	const char *what = "checks";
	struct vf_slot bad = { .name = "pf0/1", .pci = "0000:3b:00" };
	struct vf_slot vf1 = { .name = "pf0/1", .pci = "0000:3b:00.2" };
	struct vf_counters cnt;
	struct vf_pt_conf bus = { .bus = "rp1,addr=3", .lookup = lookup };
	char err[256];

	CHECK(what, a->assign(a->ctx, "g0", &bad, err, sizeof(err)) == -EINVAL,
	      "a bad PCI address for vfio-pci");
	CHECK(what, a->assign(a->ctx, "bad name", &vf1, err, sizeof(err)) ==
	      -EINVAL, "a guest name QEMU cannot take as an id");
	CHECK(what, a->assign(a->ctx, "nosock", &vf1, err, sizeof(err)) ==
	      -EINVAL && strstr(err, "qmp") != NULL, "no socket: %s", err);
	CHECK(what, a->assign(a->ctx, "badstandby", &vf1, err, sizeof(err)) ==
	      -EINVAL, "a standby id with options in it");
	CHECK(what, a->assign(a->ctx, "stranger", &vf1, err, sizeof(err)) ==
	      -EINVAL, "an unknown guest");
	prepare_rc = -EIO;
	CHECK(what, a->assign(a->ctx, "g1", &vf1, err, sizeof(err)) == -EIO &&
	      strstr(err, "vfio-pci did not take it") != NULL,
	      "a VF that could not be prepared: %s", err);
	CHECK(what, a->vf_counters(a->ctx, "g1", &vf1, &cnt) == -ENOENT,
	      "counters of a VF never plugged");
	prepare_rc = 0;
	CHECK(what, vf_pt_create(&bus) == NULL && errno == EINVAL,
	      "a bus with options in it");
}

/* A guest removed while it holds a VF (lookup fails): the revoke still
 * reaches its QEMU, through the socket the VF was plugged through. */
static void
test_removed(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "removed-guest";
	char err[256];
	long long id;

	CHECK(what, a->assign(a->ctx, "g0", &vf0, err, sizeof(err)) == 1,
	      "assign: %s", err);
	id = fake_expect(&q0, "device_add", NULL);
	fake_reply(&q0, id, "{}");
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == 0,
	      "assign: %s", err);
	g0_removed = true;
	CHECK(what, a->revoke(a->ctx, "g0", &vf0, err, sizeof(err)) == 1,
	      "revoke of a removed guest: %s", err);
	id = fake_expect(&q0, "device_del", NULL);
	CHECK(what, id > 0, "no device_del on its QEMU");
	fake_send(&q0, "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": "
		  "\"hl-vf-g0\"}}\n");
	fake_reply(&q0, id, "{}");
	CHECK(what, a->poll(a->ctx, "g0", now, err, sizeof(err)) == 0,
	      "revoke: %s", err);
	CHECK(what, state_of(pt, "g0") == VF_PT_IDLE, "state %s",
	      vf_pt_state_name(state_of(pt, "g0")));
	g0_removed = false;
}

int
main(void)
{
	struct vf_pt_conf conf = {
		.driver = "vfio-pci", .bus = "rp1",
		.unplug_timeout_ms = UNPLUG_MS, .cmd_timeout_ms = 1000,
		.lookup = lookup, .prepare = prepare, .counters = counters,
		.now_ms = fake_now,
	};
	struct vf_actuator a;
	struct vf_pt *pt;

	if (mkdtemp(dir) == NULL || fake_listen(&q0, dir, "q0.sock") != 0 ||
	    fake_listen(&q1, dir, "q1.sock") != 0) {
		perror("setup");
		return 1;
	}
	pt = vf_pt_create(&conf);
	if (pt == NULL) {
		perror("vf_pt_create");
		return 1;
	}
	vf_pt_actuator(pt, &a);
	CHECK("name", strcmp(a.name, "passthrough") == 0, "%s", a.name);
	test_assign(pt, &a);
	test_revoke(pt, &a);
	test_never_acks(pt, &a);
	test_qemu_gone(pt, &a);
	test_refused(pt, &a);
	test_removed(pt, &a);
	test_checks(&a);
	vf_pt_destroy(pt);
	fake_close(&q0);
	fake_close(&q1);
	rmdir(dir);
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("act_passthrough: all cases passed\n");
	return 0;
}
