/* SPDX-License-Identifier: BSD-3-Clause */
/* The control protocol's tables: error codes and commands with arguments. */
#include <stdio.h>
#include <string.h>

#include "ctl_proto.h"

#define END { NULL, CTL_T_STR, 0, NULL }
#define POS (CTL_ARG_POS)
#define POS_REQ (CTL_ARG_POS | CTL_ARG_REQ)

static const struct ctl_arg ctl_args_version[] = { END };
static const struct ctl_arg ctl_args_help[] = {
	{ "command", CTL_T_STR, POS | CTL_ARG_REST, "a command, e.g. \"guest add\"" },
	END,
};
static const struct ctl_arg ctl_args_guest_list[] = { END };
static const struct ctl_arg ctl_args_guest_show[] = {
	{ "name", CTL_T_STR, POS_REQ, "a guest" },
	END,
};
static const struct ctl_arg ctl_args_guest_add[] = {
	{ "name", CTL_T_STR, POS_REQ, "the new guest: 1-31 of [A-Za-z0-9_-]" },
#define CTL_GUEST_ARG_(key, type, help) { #key, type, 0, help },
	CTL_GUEST_KEYS(CTL_GUEST_ARG_)
#undef CTL_GUEST_ARG_
	END,
};
static const struct ctl_arg ctl_args_guest_set[] = {
	{ "name", CTL_T_STR, POS_REQ, "a guest" },
#define CTL_GUEST_ARG_(key, type, help) { #key, type, 0, help },
	CTL_GUEST_FAIR_KEYS(CTL_GUEST_ARG_)
#undef CTL_GUEST_ARG_
	END,
};
static const struct ctl_arg ctl_args_guest_remove[] = {
	{ "name", CTL_T_STR, POS_REQ, "a guest" },
	END,
};
static const struct ctl_arg ctl_args_guest_move[] = {
	{ "name", CTL_T_STR, POS_REQ, "a connected guest" },
	{ "lcore", CTL_T_INT, POS_REQ, "the I/O lcore it goes to (lcore list)" },
	END,
};
static const struct ctl_arg ctl_args_fn_list[] = { END };
static const struct ctl_arg ctl_args_session_list[] = {
	{ "guest", CTL_T_STR, POS, "only this guest's sessions" },
	END,
};
static const struct ctl_arg ctl_args_stats[] = {
	{ "guest", CTL_T_STR, POS, "only this guest's counters" },
	END,
};
static const struct ctl_arg ctl_args_socket_list[] = {
	{ "guest", CTL_T_STR, POS, "only this guest's sockets" },
	END,
};
static const struct ctl_arg ctl_args_port_list[] = { END };
static const struct ctl_arg ctl_args_lcore_list[] = { END };
static const struct ctl_arg ctl_args_lcore_rebalance[] = { END };
static const struct ctl_arg ctl_args_mempool_list[] = { END };
static const struct ctl_arg ctl_args_config_show[] = { END };
static const struct ctl_arg ctl_args_log_level[] = {
	{ "type", CTL_T_STR, POS, "log types to change, a glob (e.g. 'pmd.net.*'); all if left out" },
	{ "level", CTL_T_STR, POS_REQ, "emerg alert crit err warning notice info debug, or 1..8" },
	END,
};
static const struct ctl_arg ctl_args_metrics[] = { END };
static const struct ctl_arg ctl_args_fpga_list[] = { END };
static const struct ctl_arg ctl_args_fpga_load[] = {
	{ "slot", CTL_T_INT, POS_REQ, "the slot: 0 is the configured fpga unit" },
	{ "image", CTL_T_STR, POS_REQ, "sim: full, crc or math; vfio: absolute path of a .gbs file" },
	{ "timeout_ms", CTL_T_INT, 0, "give up if jobs are still on the slot after this (1..8000, default 2000)" },
	END,
};

static const struct ctl_arg ctl_args_capture_start[] = {
	{ "target", CTL_T_STR, POS_REQ, "a guest or a port: NAME, guest:NAME or port:NAME" },
	{ "file", CTL_T_STR, POS_REQ, "absolute path of a new file (never overwritten)" },
	{ "count", CTL_T_INT, 0, "stop after this many frames written (default: no limit)" },
	{ "snaplen", CTL_T_INT, 0, "bytes kept of each frame (14..65535, default 65535)" },
	{ "filter", CTL_T_STR, 0, "a libpcap filter, e.g. 'udp port 53'" },
	END,
};
static const struct ctl_arg ctl_args_capture_stop[] = {
	{ "target", CTL_T_STR, POS, "the guest or port whose capture stops; all if left out" },
	END,
};
static const struct ctl_arg ctl_args_capture_list[] = { END };
static const struct ctl_arg ctl_args_vf_list[] = { END };
static const struct ctl_arg ctl_args_vf_show[] = {
	{ "guest", CTL_T_STR, POS_REQ, "a guest" },
	END,
};
static const struct ctl_arg ctl_args_vf_assign[] = {
	{ "guest", CTL_T_STR, POS_REQ, "a guest that may take a VF" },
	END,
};
static const struct ctl_arg ctl_args_vf_release[] = {
	{ "guest", CTL_T_STR, POS_REQ, "a guest holding a VF" },
	END,
};
static const struct ctl_arg ctl_args_vf_pin[] = {
	{ "guest", CTL_T_STR, POS_REQ, "a guest that may take a VF" },
	END,
};
static const struct ctl_arg ctl_args_vf_unpin[] = {
	{ "guest", CTL_T_STR, POS_REQ, "a pinned or excluded guest" },
	END,
};
static const struct ctl_arg ctl_args_vf_exclude[] = {
	{ "guest", CTL_T_STR, POS_REQ, "a guest that may take a VF" },
	END,
};
static const struct ctl_arg ctl_args_vf_policy[] = {
	{ "name", CTL_T_STR, POS_REQ, "fair, activity or manual" },
	{ "interval_ms", CTL_T_INT, 0, "one round every this long (10..86400000)" },
	{ "min_hold_ms", CTL_T_INT, 0, "a VF stays at least this long (0..86400000)" },
	{ "hysteresis_pct", CTL_T_INT, 0, "activity: a challenger's margin (0..1000)" },
	{ "max_moves", CTL_T_INT, 0, "VFs moved per round at most, 0: no cap (0..4096)" },
	{ "rate_window_ms", CTL_T_INT, 0, "the rates' EWMA window (10..3600000)" },
	END,
};
static const struct ctl_arg ctl_args_vf_log[] = {
	{ "count", CTL_T_INT, 0, "entries, newest last (default 50, at most 256)" },
	END,
};

const struct ctl_cmd ctl_cmds[CTL_CMD_COUNT] = {
#define CTL_CMD_ENTRY_(sym, words, text)                                    \
	[CTL_CMD_##sym] = { CTL_CMD_##sym, words, text, ctl_args_##sym,       \
			    sizeof(ctl_args_##sym) / sizeof(ctl_args_##sym[0]) - 1 },
	CTL_CMD_LIST(CTL_CMD_ENTRY_)
#undef CTL_CMD_ENTRY_
};

static const char *const err_codes[CTL_E_COUNT] = {
	[CTL_OK] = "ok",
#define CTL_ERR_CODE_(sym, code, desc) [CTL_E_##sym] = code,
	CTL_ERR_LIST(CTL_ERR_CODE_)
#undef CTL_ERR_CODE_
};

const char *
ctl_err_code(enum ctl_err err)
{
	return (unsigned int)err < CTL_E_COUNT ? err_codes[err] : "internal";
}

const struct ctl_cmd *
ctl_cmd_find(const char *name)
{
	for (unsigned int i = 0; i < CTL_CMD_COUNT; i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

/* Does name equal words[0..k) joined by single spaces? */
static bool
name_is_words(const char *name, char *const *words, int k)
{
	for (int i = 0; i < k; i++) {
		size_t n = strlen(words[i]);

		if (strncmp(name, words[i], n) != 0)
			return false;
		name += n;
		if (i + 1 < k && *name++ != ' ')
			return false;
	}
	return *name == '\0';
}

const struct ctl_cmd *
ctl_cmd_match(char *const *words, int n, int *used)
{
	for (int k = n; k > 0; k--)
		for (unsigned int i = 0; i < CTL_CMD_COUNT; i++)
			if (name_is_words(ctl_cmds[i].name, words, k)) {
				*used = k;
				return &ctl_cmds[i];
			}
	return NULL;
}

const struct ctl_arg *
ctl_cmd_arg(const struct ctl_cmd *cmd, const char *name)
{
	for (unsigned int i = 0; i < cmd->n_args; i++)
		if (strcmp(cmd->args[i].name, name) == 0)
			return &cmd->args[i];
	return NULL;
}

const char *
ctl_arg_type_name(enum ctl_arg_type type)
{
	switch (type) {
	case CTL_T_INT: return "integer";
	case CTL_T_SIZE: return "size";
	default: return "string";
	}
}

int
ctl_cmd_usage(const struct ctl_cmd *cmd, char *buf, size_t len)
{
	size_t off = 0;
	bool keys = false;
	int n = snprintf(buf, len, "%s", cmd->name);

	for (unsigned int i = 0; n >= 0 && i < cmd->n_args; i++) {
		const struct ctl_arg *a = &cmd->args[i];
		char up[64];
		size_t k;

		off = (size_t)n < len ? (size_t)n : len;
		if (!(a->flags & CTL_ARG_POS)) {
			keys = true;
			continue;
		}
		for (k = 0; a->name[k] != '\0' && k + 1 < sizeof(up); k++)
			up[k] = (char)(a->name[k] >= 'a' && a->name[k] <= 'z' ?
				       a->name[k] - 'a' + 'A' : a->name[k]);
		up[k] = '\0';
		n += snprintf(buf + off, len - off, a->flags & CTL_ARG_REQ ?
			      " %s" : " [%s]", up);
	}
	off = (size_t)n < len ? (size_t)n : len;
	if (keys)
		n += snprintf(buf + off, len - off, " [key=value...]");
	return n;
}
