/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the control command parser — ctl_dispatch() of
 * control/ctl_cmds.c on the input as one request line (JSON parse, command
 * lookup, argument validation against the table, the reply line) — and the
 * CLI's side, ctl_cmd_match() and ctl_cmd_usage() on the input as words.
 *
 * The handlers that need a running hostlane (the guest table, snapshots,
 * the manager) are replaced here by stubs that return their arguments;
 * `guest add` runs its real argument path, the checks of the config file
 * (dp_config_guest_begin/set/end), against the embedded config. version,
 * help and log level are the real ones.
 *
 * Checked beyond the sanitizers: every request gets exactly one reply line,
 * a JSON object ending in one '\n' with "ok" true and a result, or false and
 * an error whose code is one of CTL_ERR_LIST's; a handler runs only with
 * arguments the table allows (each known, each of its type, required ones
 * present).
 */
#include <errno.h>

#include <jansson.h>
#include <rte_log.h>

#include "config.h"
#include "ctl_cmds.h"
#include "fuzz_common.h"

static struct dp_config cfg;
static uint32_t log_level;

/* Arguments a handler is called with must satisfy the table. */
static void
check_args(enum ctl_cmd_id id, json_t *args)
{
	const struct ctl_cmd *cmd = &ctl_cmds[id];
	const char *key;
	json_t *v;

	FUZZ_CHECK(json_is_object(args), "%s: args not an object", cmd->name);
	json_object_foreach(args, key, v) {
		const struct ctl_arg *a = ctl_cmd_arg(cmd, key);

		FUZZ_CHECK(a != NULL, "%s: unknown argument %s reached the handler",
			   cmd->name, key);
		FUZZ_CHECK(a->type == CTL_T_STR ? json_is_string(v) :
			   a->type == CTL_T_INT ? json_is_integer(v) &&
						  json_integer_value(v) >= 0 :
			   json_is_string(v) || (json_is_integer(v) &&
						 json_integer_value(v) >= 0),
			   "%s: %s of the wrong type reached the handler",
			   cmd->name, key);
	}
	for (unsigned int i = 0; i < cmd->n_args; i++)
		FUZZ_CHECK(!(cmd->args[i].flags & CTL_ARG_REQ) ||
			   json_object_get(args, cmd->args[i].name) != NULL,
			   "%s: required %s missing", cmd->name, cmd->args[i].name);
}

static enum ctl_err
stub(enum ctl_cmd_id id, json_t *args, struct ctl_reply *r)
{
	check_args(id, args);
	return ctl_ok(r, json_deep_copy(args));
}

#define STUB_(sym)                                                          \
	enum ctl_err ctl_cmd_##sym(struct ctl_ctx *c, json_t *args,         \
				   struct ctl_reply *r)                     \
	{                                                                   \
		(void)c;                                                    \
		return stub(CTL_CMD_##sym, args, r);                        \
	}
STUB_(guest_list)
STUB_(guest_show)
STUB_(guest_remove)
STUB_(guest_set)
STUB_(guest_move)
STUB_(lcore_rebalance)
STUB_(config_show)
STUB_(metrics)
STUB_(fn_list)
STUB_(session_list)
STUB_(stats)
STUB_(socket_list)
STUB_(port_list)
STUB_(lcore_list)
STUB_(mempool_list)
STUB_(fpga_list)
STUB_(fpga_load)
STUB_(capture_start)
STUB_(capture_stop)
STUB_(capture_list)
STUB_(vf_list)
STUB_(vf_show)
STUB_(vf_assign)
STUB_(vf_release)
STUB_(vf_pin)
STUB_(vf_unpin)
STUB_(vf_exclude)
STUB_(vf_policy)
STUB_(vf_log)
#undef STUB_

/* As control/ctl_guest.c turns a JSON value into a config value. */
static void
value_str(json_t *v, char *buf, size_t cap)
{
	if (json_is_string(v))
		snprintf(buf, cap, "%s", json_string_value(v));
	else
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
}

enum ctl_err
ctl_cmd_guest_add(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "name");
	struct dp_guest_conf g;
	const char *key;
	char val[512];
	json_t *v;

	(void)c;
	check_args(CTL_CMD_guest_add, args);
	FUZZ_CHECK(name != NULL, "guest add without a name");
	if (dp_config_guest_begin(&cfg, &g, name, r->msg, sizeof(r->msg)) < 0)
		return CTL_E_BAD_ARGS;
	json_object_foreach(args, key, v) {
		if (strcmp(key, "name") == 0)
			continue;
		value_str(v, val, sizeof(val));
		if (dp_config_guest_set(&g, key, val, r->msg, sizeof(r->msg)) < 0)
			return CTL_E_BAD_ARGS;
	}
	if (dp_config_guest_end(&cfg, &g, r->msg, sizeof(r->msg)) < 0)
		return CTL_E_BAD_ARGS;
	return ctl_ok(r, json_pack("{s:s, s:s}", "name", g.name, "socket", g.socket));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[DP_ERR_MAX];

	(void)argc;
	(void)argv;
	if (dp_config_load(NULL, "/tmp/hostlane-fuzz", &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "embedded config refused: %s\n", err);
		abort();
	}
	log_level = rte_log_get_global_level();
	return 0;
}

static void
check_reply(const char *line)
{
	size_t n = strlen(line);
	json_error_t jerr;
	json_t *rep, *ok;

	FUZZ_CHECK(n >= 2 && line[n - 1] == '\n' && memchr(line, '\n', n - 1) == NULL,
		   "reply is not one line: %s", line);
	rep = json_loadb(line, n - 1, 0, &jerr);
	FUZZ_CHECK(json_is_object(rep), "reply is not a JSON object: %s", line);
	ok = json_object_get(rep, "ok");
	FUZZ_CHECK(json_is_boolean(ok), "reply without ok: %s", line);
	if (json_is_true(ok)) {
		FUZZ_CHECK(json_object_get(rep, "result") != NULL,
			   "ok reply without result: %s", line);
	} else {
		const char *code = json_string_value(json_object_get(
			json_object_get(rep, "error"), "code"));
		int known = 0;

		for (int e = CTL_OK + 1; code != NULL && e < CTL_E_COUNT; e++)
			known |= strcmp(code, ctl_err_code((enum ctl_err)e)) == 0;
		FUZZ_CHECK(known, "error reply with an unknown code: %s", line);
		FUZZ_CHECK(json_is_string(json_object_get(json_object_get(rep, "error"),
							  "message")),
			   "error reply without message: %s", line);
	}
	json_decref(rep);
}

/* The CLI's side: the input's words as `hostlanectl WORDS...`. */
static void
cli_words(const uint8_t *data, size_t size)
{
	char buf[512], *words[32], *save = NULL, usage[256];
	size_t n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
	const struct ctl_cmd *cmd;
	int nw = 0, used = -1;

	memcpy(buf, data, n);
	buf[n] = '\0';
	for (char *w = strtok_r(buf, " \n", &save); w != NULL && nw < 32;
	     w = strtok_r(NULL, " \n", &save))
		words[nw++] = w;
	cmd = ctl_cmd_match(words, nw, &used);
	if (cmd == NULL)
		return;
	FUZZ_CHECK(used >= 1 && used <= nw, "matched %d of %d words", used, nw);
	FUZZ_CHECK(ctl_cmd_find(cmd->name) == cmd, "table name lookup");
	FUZZ_CHECK(ctl_cmd_usage(cmd, usage, sizeof(usage)) > 0 &&
		   memchr(usage, '\0', sizeof(usage)) != NULL, "usage");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_ctx ctx = { 0 };
	char *line;

	if (size >= CTL_LINE_MAX)
		return 0;	/* the server answers too_long before parsing */
	line = ctl_dispatch(&ctx, (const char *)data, size);
	FUZZ_CHECK(line != NULL, "no reply");
	check_reply(line);
	free(line);
	rte_log_set_global_level(log_level);
	cli_words(data, size);
	return 0;
}
