/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The QMP client (control/vf/qmp.c) against a scripted server: the opening,
 * ids, events, QEMU's errors, and everything a broken or hostile QEMU can
 * do on the socket — garbage, over-long lines, half an object then EOF or
 * silence, a reply with the wrong id, deep nesting, a flood of events.
 * Deadlines run on a fake clock: no case waits for real time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmp.h"
#include "fake_qmp.h"
#include "../unit/unit_check.h"

static char dir[] = "/tmp/hl-qmp-XXXXXX";
static uint64_t now = 1000;

/* A client that went through the opening against f. */
static struct qmp_conn *
open_ready(struct fake_qmp *f, const char *what, const struct qmp_limits *l)
{
	struct qmp_conn *c = qmp_open(f->path, l, now);
	long long caps;

	CHECK(what, c != NULL, "qmp_open: %s", strerror(errno));
	if (c == NULL)
		return NULL;
	CHECK(what, fake_accept(f) == 0, "accept");
	qmp_poll(c, now);
	CHECK(what, qmp_state(c) == QMP_GREETING, "state %s before the greeting",
	      qmp_state_name(qmp_state(c)));
	fake_greet(f);
	qmp_poll(c, now);
	CHECK(what, qmp_state(c) == QMP_NEGOTIATING, "state %s after it",
	      qmp_state_name(qmp_state(c)));
	caps = fake_expect(f, "qmp_capabilities", NULL);
	CHECK(what, caps > 0, "no qmp_capabilities with an id");
	fake_reply(f, caps, "{}");
	qmp_poll(c, now);
	CHECK(what, qmp_state(c) == QMP_READY, "state %s after capabilities",
	      qmp_state_name(qmp_state(c)));
	return c;
}

/* Poll until failed (bounded), then check the reason names want. */
static void
expect_failed(struct qmp_conn *c, const char *what, const char *want)
{
	for (int i = 0; i < 100 && qmp_poll(c, now) != QMP_FAILED; i++)
		;
	CHECK(what, qmp_state(c) == QMP_FAILED, "still %s",
	      qmp_state_name(qmp_state(c)));
	CHECK(what, strstr(qmp_error(c), want) != NULL,
	      "reason '%s' does not say '%s'", qmp_error(c), want);
}

static void
test_command_and_events(void)
{
	const char *what = "command+events";
	struct fake_qmp f;
	struct qmp_conn *c;
	struct qmp_event ev;
	struct qmp_stats st;
	json_t *args = NULL, *ret = NULL;
	char err[QMP_ERR_MAX];
	int64_t id;
	long long sid;

	fake_listen(&f, dir, "ok.sock");
	c = open_ready(&f, what, NULL);
	if (c == NULL)
		return;
	CHECK(what, qmp_watch_event(c, "DEVICE_DELETED") == 0, "watch");
	args = json_pack("{s:s}", "id", "hl-vf-g0");
	id = qmp_send(c, "device_del", args, 500, now);
	json_decref(args);
	CHECK(what, id > 0, "qmp_send: %lld", (long long)id);
	sid = fake_expect(&f, "device_del", &args);
	CHECK(what, sid == id, "the server saw id %lld, not %lld", sid,
	      (long long)id);
	CHECK(what, json_is_string(json_object_get(args, "id")) &&
	      strcmp(json_string_value(json_object_get(args, "id")),
		     "hl-vf-g0") == 0, "arguments not passed");
	json_decref(args);
	CHECK(what, qmp_result(c, id, NULL, err, sizeof(err)) == 1,
	      "a result before the reply");
	/* QEMU sends the event before the reply when the unplug is at once;
	 * an unwatched event and another device's are no match. */
	fake_send(&f, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
		  "\"event\": \"RESUME\"}\r\n");
	fake_send(&f, "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": "
		  "\"other\", \"path\": \"/machine/peripheral/other\"}}\r\n");
	fake_send(&f, "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": "
		  "\"hl-vf-g0\", \"path\": \"/machine/peripheral/hl-vf-g0\"}}\r\n");
	fake_reply(&f, sid, "{\"x\": 1}");
	qmp_poll(c, now);
	CHECK(what, qmp_result(c, id, &ret, err, sizeof(err)) == 0,
	      "no result: %s", err);
	CHECK(what, json_integer_value(json_object_get(ret, "x")) == 1,
	      "the return value is not passed");
	json_decref(ret);
	CHECK(what, qmp_result(c, id, NULL, err, sizeof(err)) == -ENOENT,
	      "a result taken twice");
	CHECK(what, qmp_take_event(c, "DEVICE_DELETED", "hl-vf-g0", &ev) &&
	      strcmp(ev.device, "hl-vf-g0") == 0, "DEVICE_DELETED not queued");
	CHECK(what, !qmp_take_event(c, "DEVICE_DELETED", "hl-vf-g0", NULL),
	      "an event taken twice");
	CHECK(what, qmp_take_event(c, "DEVICE_DELETED", NULL, &ev) &&
	      strcmp(ev.device, "other") == 0, "the other device's event lost");
	CHECK(what, !qmp_take_event(c, "RESUME", NULL, NULL),
	      "an unwatched event kept");
	qmp_stats(c, &st);
	CHECK(what, st.events == 3, "%llu events counted",
	      (unsigned long long)st.events);
	CHECK(what, qmp_state(c) == QMP_READY, "not ready after all that");
	qmp_close(c);
	fake_close(&f);
}

static void
test_error_reply(void)
{
	const char *what = "error-reply";
	struct fake_qmp f;
	struct qmp_conn *c;
	char err[QMP_ERR_MAX];
	int64_t id;
	long long sid;

	fake_listen(&f, dir, "err.sock");
	c = open_ready(&f, what, NULL);
	if (c == NULL)
		return;
	id = qmp_send(c, "device_del", NULL, 500, now);
	sid = fake_expect(&f, "device_del", NULL);
	fake_send(&f, "{\"id\": ");
	qmp_poll(c, now);	/* half a line: nothing yet */
	CHECK(what, qmp_result(c, id, NULL, err, sizeof(err)) == 1,
	      "a result from half a line");
	{
		char buf[256];

		snprintf(buf, sizeof(buf), "%lld, \"error\": {\"class\": "
			 "\"DeviceNotFound\", \"desc\": \"Device 'x' not "
			 "found\"}}\n", sid);
		fake_send(&f, buf);
	}
	qmp_poll(c, now);
	CHECK(what, qmp_result(c, id, NULL, err, sizeof(err)) == -EREMOTEIO,
	      "QEMU's error not returned");
	CHECK(what, strstr(err, "DeviceNotFound") != NULL &&
	      strstr(err, "not found") != NULL, "err '%s'", err);
	CHECK(what, strcmp(qmp_last_error_class(c), "DeviceNotFound") == 0,
	      "class '%s'", qmp_last_error_class(c));
	CHECK(what, qmp_state(c) == QMP_READY,
	      "an error reply must not end the connection");
	qmp_close(c);
	fake_close(&f);
}

/* One hostile byte stream after the opening, and the reason it must give. */
static void
hostile_case(const char *what, const char *bytes, size_t repeat,
	     bool then_close, const char *want, const struct qmp_limits *l)
{
	struct fake_qmp f;
	struct qmp_conn *c;
	char err[QMP_ERR_MAX];
	int64_t id;

	fake_listen(&f, dir, "h.sock");
	c = open_ready(&f, what, l);
	if (c == NULL)
		return;
	id = qmp_send(c, "query-status", NULL, 500, now);
	fake_expect(&f, "query-status", NULL);
	for (size_t i = 0; i < repeat; i++) {
		fake_send(&f, bytes);
		qmp_poll(c, now);
	}
	if (then_close)
		fake_drop(&f);
	expect_failed(c, what, want);
	CHECK(what, qmp_result(c, id, NULL, err, sizeof(err)) < 0,
	      "the command in flight did not fail");
	CHECK(what, strstr(err, want) != NULL, "its reason '%s'", err);
	CHECK(what, qmp_send(c, "query-status", NULL, 500, now) == -EPIPE,
	      "a failed connection took a command");
	qmp_close(c);
	fake_close(&f);
}

static void
test_hostile_streams(void)
{
	struct qmp_limits small = { .line_max = 1024 };
	char deep[8192];

	hostile_case("garbage", "hello, world\n", 1, false, "not JSON", NULL);
	hostile_case("not-an-object", "[1, 2, 3]\n", 1, false,
		     "not an object", NULL);
	hostile_case("neither", "{\"foo\": 1}\n", 1, false,
		     "neither a reply nor an event", NULL);
	hostile_case("wrong-id", "{\"return\": {}, \"id\": 4242}\n", 1, false,
		     "not in flight", NULL);
	hostile_case("no-id", "{\"return\": {}}\n", 1, false,
		     "without our id", NULL);
	hostile_case("both", "{\"return\": {}, \"error\": {}, \"id\": 2}\n", 1,
		     false, "malformed reply", NULL);
	hostile_case("second-greeting", "{\"QMP\": {}}\n", 1, false,
		     "unexpected greeting", NULL);
	hostile_case("event-name", "{\"event\": 7}\n", 1, false,
		     "not a string", NULL);
	hostile_case("duplicate-keys", "{\"return\": {}, \"return\": 1, "
		     "\"id\": 2}\n", 1, false, "not JSON", NULL);
	/* 100 chunks of 64 bytes, no newline: past the 1024-byte cap. */
	hostile_case("long-line", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		     "xxxxxxxxxxxxxxx", 100, false, "longer than 1024", &small);
	hostile_case("half-then-eof", "{\"return\": {\"a\": ", 1, true,
		     "in the middle of a message", NULL);
	hostile_case("eof", "", 1, true, "QEMU closed the socket", NULL);
	memset(deep, '[', sizeof(deep) - 2);
	deep[sizeof(deep) - 2] = '\n';
	deep[sizeof(deep) - 1] = '\0';
	hostile_case("deep-nesting", deep, 1, false, "not JSON", NULL);
}

/* Half an object and then nothing: the command's deadline ends it. */
static void
test_silence(void)
{
	const char *what = "silence";
	struct fake_qmp f;
	struct qmp_conn *c;
	char err[QMP_ERR_MAX];
	int64_t id;

	fake_listen(&f, dir, "s.sock");
	c = open_ready(&f, what, NULL);
	if (c == NULL)
		return;
	id = qmp_send(c, "device_del", NULL, 500, now);
	fake_expect(&f, "device_del", NULL);
	fake_send(&f, "{\"return\": ");
	qmp_poll(c, now + 499);
	CHECK(what, qmp_result(c, id, NULL, err, sizeof(err)) == 1,
	      "failed before the deadline");
	qmp_poll(c, now + 500);
	CHECK(what, qmp_result(c, id, NULL, err, sizeof(err)) == -ETIMEDOUT,
	      "no -ETIMEDOUT at the deadline");
	CHECK(what, strstr(err, "no reply to device_del") != NULL, "err '%s'",
	      err);
	CHECK(what, qmp_state(c) == QMP_FAILED, "a late reply would be out of "
	      "step: the connection must go");
	qmp_close(c);
	fake_close(&f);
}

/* A QMP socket that accepts and never greets (another client holds it). */
static void
test_no_greeting(void)
{
	const char *what = "no-greeting";
	struct qmp_limits l = { .open_ms = 300 };
	struct fake_qmp f;
	struct qmp_conn *c;
	char err[QMP_ERR_MAX];
	int64_t id;

	fake_listen(&f, dir, "ng.sock");
	c = qmp_open(f.path, &l, now);
	if (c == NULL) {
		CHECK(what, false, "qmp_open");
		return;
	}
	id = qmp_send(c, "device_add", NULL, 5000, now);
	CHECK(what, id > 0, "a command queued before ready: %lld",
	      (long long)id);
	qmp_poll(c, now + 299);
	CHECK(what, qmp_state(c) == QMP_GREETING, "state %s",
	      qmp_state_name(qmp_state(c)));
	qmp_poll(c, now + 300);
	CHECK(what, qmp_state(c) == QMP_FAILED &&
	      strstr(qmp_error(c), "no greeting") != NULL, "reason '%s'",
	      qmp_error(c));
	CHECK(what, qmp_result(c, id, NULL, err, sizeof(err)) == -EPIPE,
	      "the queued command did not fail");
	qmp_close(c);
	fake_close(&f);
}

static void
test_refused(void)
{
	const char *what = "refused";
	char path[200];
	struct qmp_conn *c;

	snprintf(path, sizeof(path), "%s/none.sock", dir);
	c = qmp_open(path, NULL, now);
	CHECK(what, c != NULL && qmp_state(c) == QMP_FAILED &&
	      strstr(qmp_error(c), "No such file") != NULL,
	      "a missing socket: %s", c != NULL ? qmp_error(c) : "NULL");
	qmp_close(c);
	CHECK(what, qmp_open("", NULL, now) == NULL && errno == EINVAL,
	      "an empty path accepted");
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	CHECK(what, qmp_open(path, NULL, now) == NULL && errno == EINVAL,
	      "a path past sun_path accepted");
}

/* Events nobody takes are bounded; a flood is handled a slice per poll. */
static void
test_flood(void)
{
	const char *what = "flood";
	static char flood[500 * 64];
	struct fake_qmp f;
	struct qmp_conn *c;
	struct qmp_stats st;
	int n = 0;

	fake_listen(&f, dir, "fl.sock");
	c = open_ready(&f, what, NULL);
	if (c == NULL)
		return;
	qmp_watch_event(c, "DEVICE_DELETED");
	/* One send: 500 small ones would fill the socket's skb budget. */
	for (int i = 0; i < 500; i++)
		strcat(flood, "{\"event\": \"DEVICE_DELETED\", \"data\": "
		       "{\"device\": \"d\"}}\n");
	fake_send(&f, flood);
	while (qmp_poll(c, now) == QMP_READY && n++ < 1000) {
		qmp_stats(c, &st);
		if (st.events == 500)
			break;
	}
	qmp_stats(c, &st);
	CHECK(what, st.events == 500 && n > 1, "%llu events in %d polls: a "
	      "poll must do a bounded amount", (unsigned long long)st.events, n);
	CHECK(what, st.events_dropped == 500 - QMP_MAX_EVENTS,
	      "%llu dropped", (unsigned long long)st.events_dropped);
	qmp_close(c);
	fake_close(&f);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_command_and_events();
	test_error_reply();
	test_hostile_streams();
	test_silence();
	test_no_greeting();
	test_refused();
	test_flood();
	rmdir(dir);
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("qmp: all cases passed\n");
	return 0;
}
