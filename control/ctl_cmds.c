/* SPDX-License-Identifier: BSD-3-Clause */
/* Request parsing and validation, dispatch, and the small commands. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>
#include <rte_version.h>

#include <hostlane/proto.h>

#include "ctl_cmds.h"

static const ctl_handler handlers[CTL_CMD_COUNT] = {
#define CTL_HANDLER_ENTRY_(sym, words, help) [CTL_CMD_##sym] = ctl_cmd_##sym,
	CTL_CMD_LIST(CTL_HANDLER_ENTRY_)
#undef CTL_HANDLER_ENTRY_
};

enum ctl_err
ctl_fail(struct ctl_reply *r, enum ctl_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	/* Messages quote client bytes, possibly a cut UTF-8 sequence: keep
	 * them printable ASCII so the JSON reply can always be built. */
	for (char *p = r->msg; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	return err;
}

enum ctl_err
ctl_ok(struct ctl_reply *r, json_t *v)
{
	if (v == NULL)
		return ctl_fail(r, CTL_E_INTERNAL, "out of memory");
	r->result = v;
	return CTL_OK;
}

const char *
ctl_arg_str(json_t *args, const char *key)
{
	return json_string_value(json_object_get(args, key));
}

static bool
type_ok(enum ctl_arg_type type, const json_t *v)
{
	switch (type) {
	case CTL_T_INT:
		return json_is_integer(v) && json_integer_value(v) >= 0;
	case CTL_T_SIZE:
		return json_is_string(v) ||
		       (json_is_integer(v) && json_integer_value(v) >= 0);
	default:
		return json_is_string(v);
	}
}

/* The args of a request, checked against the command's table entry. */
static enum ctl_err
validate_args(const struct ctl_cmd *cmd, json_t *args, struct ctl_reply *r)
{
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v) {
		const struct ctl_arg *a = ctl_cmd_arg(cmd, key);

		if (a == NULL)
			return ctl_fail(r, CTL_E_BAD_ARGS, "%s: unknown argument '%.64s'",
					cmd->name, key);
		if (!type_ok(a->type, v))
			return ctl_fail(r, CTL_E_BAD_ARGS, "%s: %s must be a %s",
					cmd->name, key,
					a->type == CTL_T_INT ? "non-negative integer" :
					ctl_arg_type_name(a->type));
	}
	for (unsigned int i = 0; i < cmd->n_args; i++)
		if ((cmd->args[i].flags & CTL_ARG_REQ) &&
		    json_object_get(args, cmd->args[i].name) == NULL)
			return ctl_fail(r, CTL_E_BAD_ARGS, "%s: missing argument %s",
					cmd->name, cmd->args[i].name);
	return CTL_OK;
}

/* The command and args of a request; on error, which and why. */
static enum ctl_err
parse_request(const char *line, size_t len, const struct ctl_cmd **cmd,
	      json_t **req, json_t **args, struct ctl_reply *r)
{
	json_error_t jerr;
	const char *name;

	*req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (*req == NULL)
		return ctl_fail(r, CTL_E_BAD_JSON, "column %d: %s", jerr.column,
				jerr.text);
	if (!json_is_object(*req))
		return ctl_fail(r, CTL_E_BAD_JSON, "the request must be a JSON object");
	name = json_string_value(json_object_get(*req, "cmd"));
	if (name == NULL)
		return ctl_fail(r, CTL_E_BAD_JSON, "\"cmd\" must be a string");
	*cmd = ctl_cmd_find(name);
	if (*cmd == NULL)
		return ctl_fail(r, CTL_E_UNKNOWN_COMMAND, "unknown command '%.64s' "
				"(try help)", name);
	*args = json_object_get(*req, "args");
	if (*args != NULL && !json_is_object(*args))
		return ctl_fail(r, CTL_E_BAD_ARGS, "\"args\" must be an object");
	if (json_object_size(*req) > (*args != NULL ? 2u : 1u))
		return ctl_fail(r, CTL_E_BAD_JSON, "a request has \"cmd\" and "
				"\"args\" only");
	return CTL_OK;
}

static char *
dump_line(json_t *reply)
{
	char *s = reply != NULL ? json_dumps(reply, JSON_COMPACT | JSON_ENSURE_ASCII) :
		  NULL;
	size_t n;
	char *line;

	json_decref(reply);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (line == NULL) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *
ctl_error_line(enum ctl_err err, const char *msg)
{
	char *line = dump_line(json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error",
					 "code", ctl_err_code(err), "message", msg));

	/* Every request gets a reply, even one whose message would not pack. */
	if (line == NULL)
		line = dump_line(json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error",
					   "code", ctl_err_code(err), "message",
					   "(unprintable message)"));
	return line;
}

char *
ctl_result_line(json_t *result)
{
	return dump_line(json_pack("{s:b, s:o}", "ok", 1, "result",
				   result != NULL ? result : json_null()));
}

char *
ctl_dispatch(struct ctl_ctx *c, const char *line, size_t len)
{
	struct ctl_reply r = { .result = NULL };
	const struct ctl_cmd *cmd = NULL;
	json_t *req = NULL, *args = NULL, *empty = NULL;
	enum ctl_err err;

	err = parse_request(line, len, &cmd, &req, &args, &r);
	if (err == CTL_OK && args == NULL)
		args = empty = json_object();
	if (err == CTL_OK)
		err = args == NULL ? ctl_fail(&r, CTL_E_INTERNAL, "out of memory") :
		      validate_args(cmd, args, &r);
	if (err == CTL_OK)
		err = handlers[cmd->id](c, args, &r);
	json_decref(empty);
	json_decref(req);
	if (err != CTL_OK) {
		json_decref(r.result);
		return ctl_error_line(err, r.msg);
	}
	if (c->deferred) {
		json_decref(r.result);
		return NULL;
	}
	return ctl_result_line(r.result);
}

enum ctl_err
ctl_cmd_version(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	(void)c;
	(void)args;
	return ctl_ok(r, json_pack("{s:s, s:s, s:s, s:i}", "hostlane",
				   HOSTLANE_VERSION, "dpdk", rte_version(),
				   "jansson", JANSSON_VERSION, "protocol",
				   (int)HL_PROTO_VERSION));
}

static json_t *
help_one(const struct ctl_cmd *cmd)
{
	char usage[256];
	json_t *args = json_array();

	ctl_cmd_usage(cmd, usage, sizeof(usage));
	for (unsigned int i = 0; args != NULL && i < cmd->n_args; i++) {
		const struct ctl_arg *a = &cmd->args[i];

		json_array_append_new(args, json_pack("{s:s, s:s, s:b, s:b, s:s}",
			"name", a->name, "type", ctl_arg_type_name(a->type),
			"required", (a->flags & CTL_ARG_REQ) != 0,
			"positional", (a->flags & CTL_ARG_POS) != 0, "help", a->help));
	}
	return json_pack("{s:s, s:s, s:s, s:o*}", "command", cmd->name, "usage",
			 usage, "help", cmd->help, "args", args);
}

/* Is name group's first words ("fpga" of "fpga load")? NULL: every name. */
static bool
in_group(const char *name, const char *group)
{
	size_t n = group != NULL ? strlen(group) : 0;

	return group == NULL ||
	       (strncmp(name, group, n) == 0 && name[n] == ' ');
}

/* The commands of a group ("help fpga"), or all of them. */
static json_t *
help_list(const char *group)
{
	json_t *list = json_array();

	for (unsigned int i = 0; list != NULL && i < CTL_CMD_COUNT; i++) {
		char usage[256];

		if (!in_group(ctl_cmds[i].name, group))
			continue;
		ctl_cmd_usage(&ctl_cmds[i], usage, sizeof(usage));
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "command",
			ctl_cmds[i].name, "usage", usage, "help", ctl_cmds[i].help));
	}
	return list;
}

enum ctl_err
ctl_cmd_help(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *name = ctl_arg_str(args, "command");
	const struct ctl_cmd *cmd = name != NULL ? ctl_cmd_find(name) : NULL;
	json_t *list;

	(void)c;
	if (cmd != NULL)
		return ctl_ok(r, help_one(cmd));
	list = help_list(name);
	if (name != NULL && list != NULL && json_array_size(list) == 0) {
		json_decref(list);
		return ctl_fail(r, CTL_E_UNKNOWN_COMMAND, "unknown command '%.64s'",
				name);
	}
	return ctl_ok(r, list);
}

/* Log levels by name, as rte_log numbers them (1 = emerg ... 8 = debug). */
static const char *const level_names[] = {
	NULL, "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static int
parse_level(const char *s)
{
	for (int i = 1; i < (int)RTE_DIM(level_names); i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	if (s[0] >= '1' && s[0] <= '8' && s[1] == '\0')
		return s[0] - '0';
	return -1;
}

/* Registered log types matching a glob, from rte_log_dump()'s listing. */
static json_t *
log_types_matching(const char *pattern)
{
	json_t *out = json_array();
	char *text = NULL, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL || out == NULL) {
		if (f != NULL)
			fclose(f);
		json_decref(out);
		return NULL;
	}
	rte_log_dump(f);
	fclose(f);
	/* Lines read "id N: NAME, level is LEVEL". */
	for (char *l = strtok_r(text, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		char *name = strstr(l, ": "), *end;

		if (strncmp(l, "id ", 3) != 0 || name == NULL)
			continue;
		name += 2;
		end = strchr(name, ',');
		if (end == NULL)
			continue;
		*end = '\0';
		if (fnmatch(pattern, name, 0) == 0)
			json_array_append_new(out, json_string(name));
	}
	free(text);
	return out;
}

enum ctl_err
ctl_cmd_log_level(struct ctl_ctx *c, json_t *args, struct ctl_reply *r)
{
	const char *type = ctl_arg_str(args, "type");
	const char *level = ctl_arg_str(args, "level");
	int lv = parse_level(level);
	json_t *types;

	(void)c;
	if (lv < 0)
		return ctl_fail(r, CTL_E_BAD_ARGS, "log level: '%.32s' is not a level "
				"(emerg alert crit err warning notice info debug, "
				"or 1..8)", level);
	if (type == NULL) {
		rte_log_set_global_level((uint32_t)lv);
		return ctl_ok(r, json_pack("{s:s, s:s}", "scope", "global",
					   "level", level_names[lv]));
	}
	types = log_types_matching(type);
	if (types == NULL)
		return ctl_fail(r, CTL_E_INTERNAL, "out of memory");
	if (json_array_size(types) == 0) {
		json_decref(types);
		return ctl_fail(r, CTL_E_NOT_FOUND, "no log type matches '%.64s'", type);
	}
	if (rte_log_set_level_pattern(type, (uint32_t)lv) < 0) {
		json_decref(types);
		return ctl_fail(r, CTL_E_INTERNAL, "rte_log_set_level_pattern failed");
	}
	return ctl_ok(r, json_pack("{s:s, s:s, s:o}", "scope", type, "level",
				   level_names[lv], "types", types));
}
