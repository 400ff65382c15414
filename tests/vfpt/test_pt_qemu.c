/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The passthrough actuator against real QEMU processes (q35, native PCIe
 * hotplug on pcie-root-ports, no guest code: -S). An e1000e stands in for
 * the VF (failover_pair_id wants a PCIe Ethernet device in its own slot);
 * the path is otherwise the one vfio-pci takes.
 *
 * Why unplugs complete here without a guest OS: a device hot-plugged into
 * an empty root port sits in a slot whose power the guest never turned on,
 * and QEMU removes a device from a powered-off slot without asking the
 * guest (DEVICE_DELETED follows in tens of ms). A guest that never
 * acknowledges is a slot that is powered: system_reset powers every
 * populated slot, after which device_del only presses the attention button
 * and waits for a guest that does not exist. And a guest that does
 * acknowledge: QEMU c runs pciehp_guest.c (qboot, a multiboot image),
 * which powers the slot on when the VF arrives and off at the attention
 * button, as Linux pciehp does without its 5 s wait.
 *
 * Cases: capabilities; device_add and the device's presence (qom-list);
 * device_del and DEVICE_DELETED, and its absence, with no guest and with
 * the acknowledging guest; QEMU refusing a device
 * (not Ethernet, no hotplug bus); the never-acknowledging guest (timeout,
 * the guest keeps the VF, the VF is not given twice); QEMU killed while
 * waiting for DEVICE_DELETED; QEMU stopped (SIGSTOP) then killed with a
 * device_add in flight; each time a new QEMU on the same socket, which the
 * actuator reconnects to. KVM when it works here, TCG otherwise: QEMU's
 * own fallback (-accel kvm -accel tcg), and query-kvm says which;
 * HOSTLANE_VM_ACCEL=tcg gives TCG alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "act_passthrough.h"
#include "clock.h"
#include "../unit/unit_check.h"

/* Both fire on purpose in some cases (a guest that never acknowledges, a
 * stopped QEMU) and must not in the others, on a machine that may be
 * loaded: far above the tens of ms things take here. */
#define UNPLUG_MS 5000
#define CMD_MS 10000
/* QEMU's start-up and the test's own commands, under load. */
#define CTL_MS 30000
#define CYCLES 10

static char dir[] = "/tmp/hl-vfpt-XXXXXX";
static char qemu[256];

struct vm {
	pid_t pid;
	char name[8];			/**< "a", "b", "c": socket names */
	const char *guest;		/**< a guest image to run, or NULL: -S */
	char qmp[100];			/**< the actuator's QMP socket */
	char ctl[100];			/**< the test's own */
	char err[128];			/**< QEMU's stderr */
	char serial[128];		/**< the guest's serial port */
	struct qmp_conn *c;		/**< on ctl */
};

static struct vm vm_a = { .name = "a" }, vm_b = { .name = "b" };
static struct vm vm_c = { .name = "c" };	/* runs pciehp_guest.c */
#define QBOOT "/usr/share/qemu/qboot.rom"

static void
msleep(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static bool
find_qemu(void)
{
	const char *env = getenv("QEMU");
	const char *path = getenv("PATH");
	char buf[4096];

	if (env != NULL && access(env, X_OK) == 0) {
		snprintf(qemu, sizeof(qemu), "%s", env);
		return true;
	}
	snprintf(buf, sizeof(buf), "%s", path != NULL ? path : "/usr/bin:/bin");
	for (char *save, *d = strtok_r(buf, ":", &save); d != NULL;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(qemu, sizeof(qemu), "%s/qemu-system-x86_64", d);
		if (access(qemu, X_OK) == 0)
			return true;
	}
	return false;
}

static void
vm_print_err(const struct vm *v)
{
	char buf[2048];
	int fd = open(v->err, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (n > 0) {
		buf[n] = '\0';
		fprintf(stderr, "--- qemu %s stderr:\n%s\n", v->name, buf);
	}
	if (fd >= 0)
		close(fd);
}

/* One command on the test's own QMP connection; its return or NULL. */
static json_t *
ctl(struct vm *v, const char *cmd, json_t *args)
{
	char err[QMP_ERR_MAX];
	json_t *ret = NULL;
	int64_t id = qmp_send(v->c, cmd, args, CTL_MS, dp_now_ms());
	int rc = 1;

	json_decref(args);
	if (id < 0) {
		fprintf(stderr, "ctl %s: %s (%s)\n", cmd, strerror((int)-id),
			qmp_error(v->c));
		return NULL;
	}
	while (rc == 1) {
		qmp_poll(v->c, dp_now_ms());
		rc = qmp_result(v->c, id, &ret, err, sizeof(err));
		if (rc == 1)
			msleep(1);
	}
	if (rc != 0)
		fprintf(stderr, "ctl %s: %s\n", cmd, err);
	return rc == 0 ? ret : NULL;
}

/* QEMU's arguments for v; argv has room for 40. */
static void
vm_argv(const struct vm *v, const char **argv, char *qmp_arg, char *ctl_arg,
	char *serial_arg)
{
	/* HOSTLANE_VM_ACCEL=tcg (as in tests/vm): TCG only. */
	const char *env = getenv("HOSTLANE_VM_ACCEL");
	unsigned int n = 0;

	argv[n++] = qemu;
	argv[n++] = "-nodefaults";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-machine";
	argv[n++] = "q35";
	argv[n++] = "-accel";
	argv[n++] = env != NULL && strcmp(env, "tcg") == 0 ? "tcg" : "kvm";
	argv[n++] = "-accel";
	argv[n++] = "tcg";
	argv[n++] = "-m";
	argv[n++] = "64";
	/* native PCIe hotplug on the root ports, not ACPI's */
	argv[n++] = "-global";
	argv[n++] = "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off";
	argv[n++] = "-device";
	argv[n++] = "pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x2";
	argv[n++] = "-device";
	argv[n++] = "pcie-root-port,id=rp2,chassis=2,bus=pcie.0,addr=0x3";
	argv[n++] = "-qmp";
	argv[n++] = qmp_arg;
	argv[n++] = "-qmp";
	argv[n++] = ctl_arg;
	if (v->guest == NULL) {
		argv[n++] = "-S";	/* no guest code at all */
	} else {
		argv[n++] = "-bios";
		argv[n++] = QBOOT;
		argv[n++] = "-kernel";
		argv[n++] = v->guest;
		argv[n++] = "-serial";
		argv[n++] = serial_arg;
	}
	argv[n] = NULL;
}

static bool
vm_start(struct vm *v)
{
	char qmp_arg[160], ctl_arg[160], serial_arg[160];
	const char *argv[40];
	uint64_t end;

	snprintf(v->qmp, sizeof(v->qmp), "%s/qmp-%s.sock", dir, v->name);
	snprintf(v->ctl, sizeof(v->ctl), "%s/ctl-%s.sock", dir, v->name);
	snprintf(v->err, sizeof(v->err), "%s/qemu-%s.err", dir, v->name);
	snprintf(v->serial, sizeof(v->serial), "%s/serial-%s", dir, v->name);
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s,server=on,wait=off", v->qmp);
	snprintf(ctl_arg, sizeof(ctl_arg), "unix:%s,server=on,wait=off", v->ctl);
	snprintf(serial_arg, sizeof(serial_arg), "file:%s", v->serial);
	unlink(v->qmp);
	unlink(v->ctl);
	vm_argv(v, argv, qmp_arg, ctl_arg, serial_arg);
	v->pid = fork();
	if (v->pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int err = open(v->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(null, 0);
		dup2(null, 1);
		dup2(err, 2);
		execv(qemu, (char *const *)argv);
		_exit(127);
	}
	if (v->pid < 0)
		return false;
	end = dp_now_ms() + CTL_MS;
	for (;;) {
		struct stat st;
		int status;

		if (stat(v->qmp, &st) == 0 && stat(v->ctl, &st) == 0)
			break;
		if (waitpid(v->pid, &status, WNOHANG) == v->pid) {
			v->pid = 0;
			vm_print_err(v);
			return false;
		}
		if (dp_now_ms() > end)
			return false;
		msleep(10);
	}
	/* QEMU binds its socket before it listens: refused until then. */
	for (;;) {
		v->c = qmp_open(v->ctl, &(struct qmp_limits){ .open_ms = CTL_MS },
				dp_now_ms());
		while (v->c != NULL && qmp_poll(v->c, dp_now_ms()) != QMP_READY &&
		       qmp_state(v->c) != QMP_FAILED)
			msleep(1);
		if (v->c == NULL || qmp_state(v->c) == QMP_READY ||
		    strstr(qmp_error(v->c), "refused") == NULL ||
		    dp_now_ms() > end)
			break;
		qmp_close(v->c);
		msleep(10);
	}
	if (v->c == NULL || qmp_state(v->c) != QMP_READY) {
		fprintf(stderr, "qemu %s: %s\n", v->name,
			v->c != NULL ? qmp_error(v->c) : "no QMP");
		return false;
	}
	return true;
}

static void
vm_signal(struct vm *v, int sig)
{
	int status;

	if (v->pid <= 0)
		return;
	kill(v->pid, sig);
	if (sig == SIGKILL) {
		waitpid(v->pid, &status, 0);
		v->pid = 0;
		qmp_close(v->c);
		v->c = NULL;
	}
}

/* The type of /machine/peripheral/ID ("child<e1000e>"), or "" if absent. */
static void
peripheral(struct vm *v, const char *id, char *type, size_t len)
{
	json_t *ret = ctl(v, "qom-list", json_pack("{s:s}", "path",
						   "/machine/peripheral"));
	size_t i;
	json_t *e;

	snprintf(type, len, "%s", ret == NULL ? "(qom-list failed)" : "");
	json_array_foreach(ret, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));

		const char *t = json_string_value(json_object_get(e, "type"));

		if (name != NULL && strcmp(name, id) == 0)
			snprintf(type, len, "%s", t != NULL ? t : "(no type)");
	}
	json_decref(ret);
}

static int
lookup(void *arg, const char *guest, struct vf_pt_guest_conf *out)
{
	(void)arg;
	if (strcmp(guest, "g0") != 0 && strcmp(guest, "g1") != 0 &&
	    strcmp(guest, "g2") != 0 && strcmp(guest, "g3") != 0)
		return -ENOENT;
	snprintf(out->qmp, sizeof(out->qmp), "%s", guest[1] == '3' ? vm_c.qmp :
		 guest[1] == '2' ? vm_b.qmp : vm_a.qmp);
	snprintf(out->standby, sizeof(out->standby), "net0");
	return 0;
}

/* Drive an operation to its end (bounded: every wait inside is). */
static int
run(struct vf_actuator *a, const char *guest, int rc, char *err, size_t len)
{
	uint64_t end = dp_now_ms() + 2 * CTL_MS;

	while (rc == 1 && dp_now_ms() < end) {
		msleep(1);
		rc = a->poll(a->ctx, guest, dp_now_ms(), err, len);
	}
	return rc;
}

static enum vf_pt_state
state_of(struct vf_pt *pt, const char *guest)
{
	struct vf_pt_info info;

	return vf_pt_info(pt, guest, &info) == 0 ? info.state : VF_PT_IDLE;
}

static const struct vf_slot vf0 = { .name = "pool/0" };
static const struct vf_slot vf1 = { .name = "pool/1" };
static const struct vf_slot vf2 = { .name = "pool/2" };

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
print_times(const char *what, uint64_t *t, unsigned int n)
{
	qsort(t, n, sizeof(*t), cmp_u64);
	printf("%s over %u cycles: min %llu ms, median %llu ms, max %llu ms\n",
	       what, n, (unsigned long long)t[0],
	       (unsigned long long)t[n / 2], (unsigned long long)t[n - 1]);
}

/* Plug and unplug CYCLES times into the powered-off slot; times printed. */
static void
test_plug_cycles(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "plug-unplug";
	uint64_t add[CYCLES], del[CYCLES];
	struct vf_pt_info info;
	char err[256], type[64];

	for (unsigned int i = 0; i < CYCLES; i++) {
		int rc = run(a, "g0", a->assign(a->ctx, "g0", &vf0, err,
						sizeof(err)), err, sizeof(err));

		CHECK(what, rc == 0, "cycle %u: assign: %s", i, err);
		peripheral(&vm_a, "hl-vf-g0", type, sizeof(type));
		CHECK(what, strcmp(type, "child<e1000e>") == 0,
		      "cycle %u: after device_add, hl-vf-g0 is '%s'", i, type);
		vf_pt_info(pt, "g0", &info);
		add[i] = info.add_ms;
		rc = run(a, "g0", a->revoke(a->ctx, "g0", &vf0, err, sizeof(err)),
			 err, sizeof(err));
		CHECK(what, rc == 0, "cycle %u: revoke: %s", i, err);
		peripheral(&vm_a, "hl-vf-g0", type, sizeof(type));
		CHECK(what, type[0] == '\0',
		      "cycle %u: after DEVICE_DELETED, hl-vf-g0 is still '%s'",
		      i, type);
		vf_pt_info(pt, "g0", &info);
		CHECK(what, info.state == VF_PT_IDLE, "cycle %u: state %s", i,
		      vf_pt_state_name(info.state));
		del[i] = info.unplug_ms;
		if (failures)
			return;
	}
	print_times("device_add -> reply", add, CYCLES);
	print_times("device_del -> DEVICE_DELETED (powered-off slot)", del,
		    CYCLES);
}

/* QEMU's own refusals come back as the assign's error; nothing is held.
 * On QEMU b, which has no other QMP client yet: QEMU serves one client
 * per QMP socket, and the main actuator holds a's. */
static void
test_qemu_refuses(struct vf_pt_conf base)
{
	const char *what = "qemu-refuses";
	struct vf_actuator a;
	struct vf_pt *pt;
	char err[256];
	int rc;

	snprintf(base.driver, sizeof(base.driver), "pci-testdev");
	pt = vf_pt_create(&base);
	vf_pt_actuator(pt, &a);
	rc = run(&a, "g2", a.assign(a.ctx, "g2", &vf0, err, sizeof(err)), err,
		 sizeof(err));
	CHECK(what, rc == -EREMOTEIO, "a non-Ethernet failover primary: %d %s",
	      rc, err);
	printf("QEMU refuses pci-testdev as a failover primary: %s\n", err);
	CHECK(what, state_of(pt, "g2") == VF_PT_IDLE, "held after a refusal");
	vf_pt_destroy(pt);

	snprintf(base.driver, sizeof(base.driver), "e1000e");
	base.bus[0] = '\0';
	pt = vf_pt_create(&base);
	vf_pt_actuator(pt, &a);
	rc = run(&a, "g2", a.assign(a.ctx, "g2", &vf0, err, sizeof(err)), err,
		 sizeof(err));
	CHECK(what, rc == -EREMOTEIO, "no root port: %d %s", rc, err);
	printf("QEMU refuses a device with no root port: %s\n", err);
	vf_pt_destroy(pt);
}

/* The slot powered (system_reset): device_del waits for a guest that is
 * not there. */
static void
test_never_acks(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "never-acks";
	char err[256], type[64];
	int rc;

	rc = run(a, "g0", a->assign(a->ctx, "g0", &vf0, err, sizeof(err)), err,
		 sizeof(err));
	CHECK(what, rc == 0, "assign: %s", err);
	json_decref(ctl(&vm_a, "system_reset", NULL));
	rc = run(a, "g0", a->revoke(a->ctx, "g0", &vf0, err, sizeof(err)), err,
		 sizeof(err));
	CHECK(what, rc == -ETIMEDOUT, "revoke: %d %s", rc, err);
	printf("a guest that never acknowledges: %s\n", err);
	CHECK(what, state_of(pt, "g0") == VF_PT_HELD, "g0 must keep its VF: %s",
	      vf_pt_state_name(state_of(pt, "g0")));
	peripheral(&vm_a, "hl-vf-g0", type, sizeof(type));
	CHECK(what, strcmp(type, "child<e1000e>") == 0,
	      "the device left anyway: '%s'", type);
	CHECK(what, a->assign(a->ctx, "g1", &vf0, err, sizeof(err)) == -EBUSY,
	      "the VF given to g1 while g0 has it: %s", err);
}

/* QEMU killed while the actuator waits for DEVICE_DELETED; then a new
 * QEMU on the same socket. */
static void
test_killed_unplugging(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "killed-unplugging";
	char err[256];
	uint64_t end;
	int rc;

	rc = run(a, "g2", a->assign(a->ctx, "g2", &vf1, err, sizeof(err)), err,
		 sizeof(err));
	CHECK(what, rc == 0, "assign: %s", err);
	json_decref(ctl(&vm_b, "system_reset", NULL));
	rc = a->revoke(a->ctx, "g2", &vf1, err, sizeof(err));
	end = dp_now_ms() + CTL_MS;
	while (rc == 1 && state_of(pt, "g2") != VF_PT_UNPLUGGING &&
	       dp_now_ms() < end) {
		msleep(1);
		rc = a->poll(a->ctx, "g2", dp_now_ms(), err, sizeof(err));
	}
	CHECK(what, rc == 1 && state_of(pt, "g2") == VF_PT_UNPLUGGING,
	      "not waiting for DEVICE_DELETED: rc %d %s", rc, err);
	vm_signal(&vm_b, SIGKILL);
	rc = run(a, "g2", rc, err, sizeof(err));
	CHECK(what, rc == -EPIPE &&
	      strstr(err, "lost waiting for DEVICE_DELETED") != NULL &&
	      strstr(err, "QEMU closed the socket") != NULL,
	      "QEMU killed: %d %s", rc, err);
	printf("QEMU killed mid-unplug: %s\n", err);
	CHECK(what, state_of(pt, "g2") == VF_PT_HELD, "state %s",
	      vf_pt_state_name(state_of(pt, "g2")));
	rc = a->revoke(a->ctx, "g2", &vf1, err, sizeof(err));
	CHECK(what, rc < 0, "a revoke with no QEMU succeeded");
	CHECK(what, vm_start(&vm_b), "QEMU b did not start again");
	rc = run(a, "g2", a->revoke(a->ctx, "g2", &vf1, err, sizeof(err)), err,
		 sizeof(err));
	CHECK(what, rc == 0 && state_of(pt, "g2") == VF_PT_IDLE,
	      "the new QEMU has no such device, yet: %d %s", rc, err);
}

/* QEMU stopped with device_add in flight, then killed: the VF is booked
 * until a QEMU on that socket says the device is not there. */
static void
test_hung_add(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "hung-add";
	char err[256];
	int rc;

	vm_signal(&vm_b, SIGSTOP);
	rc = run(a, "g2", a->assign(a->ctx, "g2", &vf1, err, sizeof(err)), err,
		 sizeof(err));
	CHECK(what, rc == -ETIMEDOUT, "a stopped QEMU: %d %s", rc, err);
	printf("QEMU stopped during device_add: %s\n", err);
	/* Booked: unknown, or its clean-up already under way. */
	CHECK(what, state_of(pt, "g2") == VF_PT_UNKNOWN ||
	      state_of(pt, "g2") == VF_PT_DELETING, "state %s",
	      vf_pt_state_name(state_of(pt, "g2")));
	vm_signal(&vm_b, SIGKILL);
	CHECK(what, a->assign(a->ctx, "g1", &vf1, err, sizeof(err)) == -EBUSY &&
	      strstr(err, "g2") != NULL,
	      "a VF that may be in g2 given to g1: %s", err);
	CHECK(what, vm_start(&vm_b), "QEMU b did not start again");
	rc = run(a, "g2", a->revoke(a->ctx, "g2", &vf1, err, sizeof(err)), err,
		 sizeof(err));
	CHECK(what, rc == 0 && state_of(pt, "g2") == VF_PT_IDLE,
	      "clean-up on the new QEMU: %d %s", rc, err);
}

/* How many times the guest's serial output says what. */
static unsigned int
serial_count(const struct vm *v, const char *what)
{
	static char buf[65536];
	int fd = open(v->serial, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	unsigned int count = 0;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (char *p = strstr(buf, what); p != NULL; p = strstr(p + 1, what))
		count++;
	return count;
}

/* Wait (bounded) until the guest has said what n times. */
static bool
serial_wait(const struct vm *v, const char *what, unsigned int n)
{
	uint64_t end = dp_now_ms() + CTL_MS;

	while (serial_count(v, what) < n && dp_now_ms() < end)
		msleep(5);
	return serial_count(v, what) >= n;
}

/* A guest that acknowledges: it powers the slot on when the VF arrives
 * and off at the attention button, as pciehp does (minus its 5 s). */
static void
test_guest_acks(struct vf_pt *pt, struct vf_actuator *a)
{
	const char *what = "guest-acks";
	uint64_t del[CYCLES / 2];
	struct vf_pt_info info;
	char err[256], type[64];

	CHECK(what, serial_wait(&vm_c, "ready", 1), "the guest did not start");
	for (unsigned int i = 0; i < CYCLES / 2 && !failures; i++) {
		int rc = run(a, "g3", a->assign(a->ctx, "g3", &vf2, err,
						sizeof(err)), err, sizeof(err));

		CHECK(what, rc == 0, "cycle %u: assign: %s", i, err);
		CHECK(what, serial_wait(&vm_c, "power on", i + 1),
		      "cycle %u: the guest did not power the slot on", i);
		rc = run(a, "g3", a->revoke(a->ctx, "g3", &vf2, err, sizeof(err)),
			 err, sizeof(err));
		CHECK(what, rc == 0, "cycle %u: revoke: %s", i, err);
		CHECK(what, serial_count(&vm_c, "attention button: power off") ==
		      i + 1, "cycle %u: unplugged without the guest's consent",
		      i);
		peripheral(&vm_c, "hl-vf-g3", type, sizeof(type));
		CHECK(what, type[0] == '\0', "cycle %u: still there: '%s'", i,
		      type);
		vf_pt_info(pt, "g3", &info);
		del[i] = info.unplug_ms;
	}
	if (!failures)
		print_times("device_del -> guest powers the slot off -> "
			    "DEVICE_DELETED", del, CYCLES / 2);
}

static void
report_accel(void)
{
	json_t *kvm = ctl(&vm_a, "query-kvm", NULL);
	json_t *ver = ctl(&vm_a, "query-version", NULL);
	json_t *q = json_object_get(ver, "qemu");

	printf("QEMU %lld.%lld.%lld, accelerator: %s (/dev/kvm %s)\n",
	       json_integer_value(json_object_get(q, "major")),
	       json_integer_value(json_object_get(q, "minor")),
	       json_integer_value(json_object_get(q, "micro")),
	       json_is_true(json_object_get(kvm, "enabled")) ? "kvm" : "tcg",
	       access("/dev/kvm", R_OK | W_OK) == 0 ? "usable by us" :
	       "absent or not ours");
	json_decref(kvm);
	json_decref(ver);
}

int
main(void)
{
	struct vf_pt_conf conf = {
		.driver = "e1000e", .bus = "rp1",
		.unplug_timeout_ms = UNPLUG_MS, .cmd_timeout_ms = CMD_MS,
		.lookup = lookup,
	};
	struct vf_actuator a;
	struct vf_pt *pt;

	if (!find_qemu()) {
		printf("SKIP: qemu-system-x86_64 not installed "
		       "(apt-get install qemu-system-x86)\n");
		return 77;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	vm_c.guest = getenv("HOSTLANE_VFPT_GUEST");
	if (vm_c.guest != NULL && access(QBOOT, R_OK) != 0) {
		printf("not run: the acknowledging guest (%s missing, package "
		       "qemu-system-data)\n", QBOOT);
		vm_c.guest = NULL;
	} else if (vm_c.guest == NULL) {
		printf("not run: the acknowledging guest (not built: needs gcc "
		       "-m32 -ffreestanding)\n");
	}
	if (!vm_start(&vm_a) || !vm_start(&vm_b) ||
	    (vm_c.guest != NULL && !vm_start(&vm_c))) {
		fprintf(stderr, "FAIL: QEMU did not start\n");
		vm_signal(&vm_a, SIGKILL);
		vm_signal(&vm_b, SIGKILL);
		vm_signal(&vm_c, SIGKILL);
		return 1;
	}
	report_accel();
	pt = vf_pt_create(&conf);
	vf_pt_actuator(pt, &a);
	test_plug_cycles(pt, &a);
	test_qemu_refuses(conf);
	test_never_acks(pt, &a);
	test_killed_unplugging(pt, &a);
	test_hung_add(pt, &a);
	if (vm_c.guest != NULL)
		test_guest_acks(pt, &a);
	vf_pt_destroy(pt);
	vm_signal(&vm_c, SIGKILL);
	vm_signal(&vm_a, SIGKILL);
	vm_signal(&vm_b, SIGCONT);
	vm_signal(&vm_b, SIGKILL);
	if (failures) {
		vm_print_err(&vm_a);
		fprintf(stderr, "%d check(s) failed (files in %s)\n", failures,
			dir);
		return 1;
	}
	for (unsigned int i = 0; i < 3; i++) {
		const struct vm *v = i == 0 ? &vm_a : i == 1 ? &vm_b : &vm_c;

		unlink(v->qmp);
		unlink(v->ctl);
		unlink(v->err);
		unlink(v->serial);
	}
	rmdir(dir);
	printf("vf passthrough against QEMU: all cases passed\n");
	return 0;
}
