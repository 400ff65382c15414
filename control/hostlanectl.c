/* SPDX-License-Identifier: BSD-3-Clause */
/* hostlanectl: the command-line client of hostlane's control socket. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl_proto.h"

#define EXIT_CMD 1	/* the command failed */
#define EXIT_USAGE 2	/* bad usage, or no answer from hostlane */
#define REPLY_MAX (64u << 20)

struct opts {
	const char *socket;
	bool json;
	int timeout_ms;
};

static void
usage(FILE *f)
{
	char u[256];

	fprintf(f,
"Usage: hostlanectl [--socket PATH] [--json] [--timeout MS] COMMAND [ARGS...]\n"
"\n"
"Drives a running hostlane through its control socket.\n"
"  -s, --socket PATH   control socket (default $HOSTLANE_CONTROL, else\n"
"                      " CTL_DEFAULT_SOCKET ")\n"
"  -j, --json          print the raw JSON reply\n"
"  -t, --timeout MS    wait at most this long for the reply (default 10000)\n"
"  -h, --help          this text; COMMAND --help describes a command\n"
"Exit status: 0 ok, 1 the command failed, 2 usage or connection error.\n"
"\nCommands:\n");
	for (unsigned int i = 0; i < CTL_CMD_COUNT; i++) {
		ctl_cmd_usage(&ctl_cmds[i], u, sizeof(u));
		fprintf(f, "  %-40s %s\n", u, ctl_cmds[i].help);
	}
}

static void
usage_cmd(const struct ctl_cmd *cmd)
{
	char u[256];

	ctl_cmd_usage(cmd, u, sizeof(u));
	printf("Usage: hostlanectl %s\n\n%s\n", u, cmd->help);
	if (cmd->n_args > 0)
		printf("\nArguments:\n");
	for (unsigned int i = 0; i < cmd->n_args; i++) {
		const struct ctl_arg *a = &cmd->args[i];

		printf("  %-16s %-8s %s%s\n", a->name, ctl_arg_type_name(a->type),
		       a->help, a->flags & CTL_ARG_REQ ? " (required)" : "");
	}
}

/* A word that is all digits: sent as a JSON number for integer keys. */
static bool
all_digits(const char *s)
{
	return s[0] != '\0' && strspn(s, "0123456789") == strlen(s) &&
	       strlen(s) < 19;
}

static json_t *
typed_value(const struct ctl_arg *a, const char *v)
{
	if (a != NULL && a->type != CTL_T_STR && all_digits(v))
		return json_integer(strtoll(v, NULL, 10));
	return json_string(v);
}

/* Positional words onto the command's positional arguments, in order. */
static int
set_positionals(const struct ctl_cmd *cmd, char **pos, int n, json_t *args)
{
	int need = 0, used = 0;

	for (unsigned int i = 0; i < cmd->n_args; i++)
		if ((cmd->args[i].flags & (CTL_ARG_POS | CTL_ARG_REQ)) ==
		    (CTL_ARG_POS | CTL_ARG_REQ))
			need++;
	for (unsigned int i = 0; i < cmd->n_args; i++) {
		const struct ctl_arg *a = &cmd->args[i];
		bool req = (a->flags & CTL_ARG_REQ) != 0;

		if (!(a->flags & CTL_ARG_POS))
			continue;
		if (used == n || (!req && n - used <= need)) {
			if (req) {
				fprintf(stderr, "hostlanectl: %s: missing %s\n",
					cmd->name, a->name);
				return -1;
			}
			continue;
		}
		if (a->flags & CTL_ARG_REST) {
			char joined[CTL_LINE_MAX] = "";

			for (; used < n; used++)
				snprintf(joined + strlen(joined),
					 sizeof(joined) - strlen(joined), "%s%s",
					 joined[0] != '\0' ? " " : "", pos[used]);
			json_object_set_new(args, a->name, json_string(joined));
			continue;
		}
		json_object_set_new(args, a->name, typed_value(a, pos[used++]));
		need -= req;
	}
	if (used < n) {
		fprintf(stderr, "hostlanectl: %s: unexpected argument '%s'\n",
			cmd->name, pos[used]);
		return -1;
	}
	return 0;
}

/* COMMAND WORDS... [key=value...] → the request; NULL on a usage error. */
static json_t *
build_request(int argc, char **argv, bool *help_only)
{
	int used = 0, n_pos = 0;
	const struct ctl_cmd *cmd = ctl_cmd_match(argv, argc, &used);
	char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	json_t *args = json_object();

	if (cmd == NULL) {
		fprintf(stderr, "hostlanectl: unknown command '%s' (see hostlanectl "
			"--help)\n", argv[0]);
		goto err;
	}
	for (int i = used; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage_cmd(cmd);
			*help_only = true;
			goto err;
		}
		if (eq == NULL || eq == argv[i]) {
			pos[n_pos++] = argv[i];
			continue;
		}
		*eq = '\0';
		json_object_set_new(args, argv[i],
				    typed_value(ctl_cmd_arg(cmd, argv[i]), eq + 1));
	}
	if (set_positionals(cmd, pos, n_pos, args) < 0)
		goto err;
	free(pos);
	return json_pack("{s:s, s:o}", "cmd", cmd->name, "args", args);
err:
	free(pos);
	json_decref(args);
	return NULL;
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "hostlanectl: socket path too long: %s\n", path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "hostlanectl: cannot connect to %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static long
ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 +
	       (end->tv_nsec - now.tv_nsec) / 1000000;
}

/* Send one line, read one line back. @return the reply text, or NULL. */
static char *
exchange(int fd, const char *line, int timeout_ms)
{
	struct timespec end;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (buf == NULL || send(fd, line, strlen(line), MSG_NOSIGNAL) !=
	    (ssize_t)strlen(line)) {
		fprintf(stderr, "hostlanectl: cannot send: %s\n", strerror(errno));
		free(buf);
		return NULL;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = ms_left(&end);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			fprintf(stderr, "hostlanectl: no reply within %d ms\n", timeout_ms);
			break;
		}
		if (len + 1 >= cap) {
			char *nb = cap < REPLY_MAX ? realloc(buf, cap * 2) : NULL;

			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n <= 0) {
			fprintf(stderr, "hostlanectl: hostlane closed the connection\n");
			break;
		}
		len += (size_t)n;
		if (memchr(buf, '\n', len) != NULL) {
			buf[len] = '\0';
			return buf;
		}
	}
	free(buf);
	return NULL;
}

static void render(const json_t *v, int indent);

static bool
is_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

/* A value on one line: scalars as such, arrays joined, objects compact. */
static void
print_inline(FILE *f, const json_t *v)
{
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		fputs(json_string_value(v), f);
	} else if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			fputs("-", f);
		json_array_foreach(v, i, e) {
			if (i > 0)
				fputs(",", f);
			if (json_is_object(e)) {
				const char *k;
				json_t *x;
				bool first = true;

				json_object_foreach((json_t *)e, k, x) {
					if (!first)
						fputs(":", f);
					print_inline(f, x);
					first = false;
				}
			} else {
				print_inline(f, e);
			}
		}
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		fputs(s != NULL ? s : "?", f);
		free(s);
	}
}

static char *
inline_str(const json_t *v)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (f == NULL)
		return NULL;
	print_inline(f, v);
	fclose(f);
	return s;
}

static bool
has_nested_object(const json_t *arr)
{
	size_t i;
	json_t *e, *x;
	const char *k;

	json_array_foreach(arr, i, e) {
		if (!json_is_object(e))
			return true;
		json_object_foreach(e, k, x)
			if (json_is_object(x))
				return true;
	}
	return false;
}

/* An array of flat objects as a table; columns from the first row. */
static void
render_table(const json_t *arr, int indent)
{
	const json_t *first = json_array_get(arr, 0);
	size_t ncol = json_object_size(first), i, c;
	size_t *w = calloc(ncol + 1, sizeof(*w));
	const char **keys = calloc(ncol + 1, sizeof(*keys));
	const char *k;
	json_t *x, *row;

	if (w == NULL || keys == NULL)
		goto out;
	c = 0;
	json_object_foreach((json_t *)first, k, x) {
		keys[c] = k;
		w[c++] = strlen(k);
	}
	json_array_foreach(arr, i, row)
		for (c = 0; c < ncol; c++) {
			char *s = inline_str(json_object_get(row, keys[c]));

			if (s != NULL && strlen(s) > w[c])
				w[c] = strlen(s);
			free(s);
		}
	printf("%*s", indent, "");
	for (c = 0; c < ncol; c++) {
		for (const char *p = keys[c]; *p != '\0'; p++)
			putchar(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		printf("%*s", c + 1 < ncol ? (int)(w[c] - strlen(keys[c]) + 2) : 0, "");
	}
	putchar('\n');
	json_array_foreach(arr, i, row) {
		printf("%*s", indent, "");
		for (c = 0; c < ncol; c++) {
			char *s = inline_str(json_object_get(row, keys[c]));

			printf(c + 1 < ncol ? "%-*s  " : "%-*s\n",
			       c + 1 < ncol ? (int)w[c] : 0, s != NULL ? s : "");
			free(s);
		}
	}
out:
	free(w);
	free(keys);
}

static void
render_object(const json_t *o, int indent)
{
	size_t w = 0;
	const char *k;
	json_t *x;

	json_object_foreach((json_t *)o, k, x)
		if (strlen(k) > w)
			w = strlen(k);
	json_object_foreach((json_t *)o, k, x) {
		if (is_scalar(x) || (json_is_array(x) && (json_array_size(x) == 0 ||
		    !json_is_object(json_array_get(x, 0))))) {
			printf("%*s%-*s  ", indent, "", (int)w + 1, k);
			print_inline(stdout, x);
			putchar('\n');
		} else {
			printf("%*s%s:\n", indent, "", k);
			render(x, indent + 2);
		}
	}
}

static void
render(const json_t *v, int indent)
{
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = strlen(s);

		fputs(s, stdout);
		if (n == 0 || s[n - 1] != '\n')
			putchar('\n');
	} else if (json_is_object(v)) {
		render_object(v, indent);
	} else if (json_is_array(v) && json_array_size(v) == 0) {
		printf("%*s(none)\n", indent, "");
	} else if (json_is_array(v) && !has_nested_object(v)) {
		render_table(v, indent);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (i > 0)
				putchar('\n');
			render(e, indent);
		}
	} else if (!json_is_null(v)) {
		print_inline(stdout, v);
		putchar('\n');
	}
}

/* Print the reply; @return the exit status it calls for. */
static int
show_reply(const char *text, bool raw)
{
	json_error_t jerr;
	json_t *r = json_loads(text, JSON_DISABLE_EOF_CHECK, &jerr);
	json_t *err;
	int rc;

	if (!json_is_object(r) || !json_is_boolean(json_object_get(r, "ok"))) {
		fprintf(stderr, "hostlanectl: malformed reply: %s\n", text);
		json_decref(r);
		return EXIT_USAGE;
	}
	rc = json_is_true(json_object_get(r, "ok")) ? 0 : EXIT_CMD;
	err = json_object_get(r, "error");
	if (raw)
		fputs(text, stdout);
	else if (rc == 0)
		render(json_object_get(r, "result"), 0);
	else
		fprintf(stderr, "hostlanectl: %s: %s\n",
			json_string_value(json_object_get(err, "code")),
			json_string_value(json_object_get(err, "message")));
	json_decref(r);
	return rc;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* "+": options stop at the command, so COMMAND --help is the command's. */
	while ((c = getopt_long(argc, argv, "+s:jt:h", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->socket = optarg; break;
		case 'j': o->json = true; break;
		case 't':
			o->timeout_ms = atoi(optarg);
			if (o->timeout_ms <= 0)
				return -1;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return optind < argc ? 0 : -1;
}

/* The request as one line with its '\n', or NULL (reported). */
static char *
request_line(json_t *req)
{
	char *s = json_dumps(req, JSON_COMPACT);
	size_t n = s != NULL ? strlen(s) : 0;
	char *line = s != NULL && n + 1 < CTL_LINE_MAX ? realloc(s, n + 2) : NULL;

	if (line == NULL) {
		fprintf(stderr, "hostlanectl: request too long (at most %d bytes)\n",
			CTL_LINE_MAX);
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

int
main(int argc, char **argv)
{
	struct opts o = { .socket = getenv("HOSTLANE_CONTROL"), .timeout_ms = 10000 };
	bool help_only = false;
	char *line, *reply;
	json_t *req;
	int fd, rc;

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (o.socket == NULL || o.socket[0] == '\0')
		o.socket = CTL_DEFAULT_SOCKET;
	req = build_request(argc - optind, argv + optind, &help_only);
	if (req == NULL)
		return help_only ? 0 : EXIT_USAGE;
	line = request_line(req);
	json_decref(req);
	fd = line != NULL ? connect_to(o.socket) : -1;
	if (fd < 0) {
		free(line);
		return EXIT_USAGE;
	}
	reply = exchange(fd, line, o.timeout_ms);
	close(fd);
	free(line);
	rc = reply != NULL ? show_reply(reply, o.json) : EXIT_USAGE;
	free(reply);
	return rc;
}
