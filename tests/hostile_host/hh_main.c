/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_host: run every attack of a hostile memif server on libhostlane,
 * one child process per case (hh.h).
 *
 *   hostile_host              every case
 *   hostile_host NAME...      only these
 *
 * A case passes if the client process exits 0 (its checks held, and its
 * open fds and region mappings are back to what they were), by exit() and
 * not a signal (no crash, no sanitizer report), within HH_CHILD_MS (no
 * hang), and the server's own checks held.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hh.h"

#define HH_BACKLOG 8

static char sock_dir[64];

/* The child starts with stdin, stdout and stderr only: what the library
 * opens is then all that is open. */
static void
close_inherited(void)
{
	int fds[64], n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && n < 64) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	while (n > 0)
		close(fds[--n]);
}

static void __attribute__((noreturn))
client_main(const struct hh_case *k, const char *path)
{
	int fds, maps;

	close_inherited();
	fds = hh_fd_count();
	k->client(path);
	CLI_CHECK(hh_fd_count() == fds, "%d fds open after the case, %d before",
		  hh_fd_count(), fds);
	maps = hh_region_maps();
	CLI_CHECK(maps == 0, "%d mappings of the memif region left", maps);
	fflush(NULL);
	exit(hh_client_failures ? 1 : 0);	/* exit(): LeakSanitizer runs */
}

static int
listen_on(struct hh_srv *s, const struct hh_case *k)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(s->path, sizeof(s->path), "%s/%s.sock", sock_dir, k->name);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->path);
	unlink(s->path);
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->lfd, k->full_backlog ? 0 : HH_BACKLOG) < 0)
		return -1;
	return 0;
}

/* Backlog 0 holds one pending connection; this is it. */
static int
fill_backlog(const struct hh_srv *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "  server: cannot fill the backlog: %s\n",
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void
srv_init(struct hh_srv *s)
{
	memset(s, 0, sizeof(*s));
	s->lfd = s->fd = s->memfd = s->efd[0] = s->efd[1] = -1;
	snprintf((char *)s->memif_hello.name, sizeof(s->memif_hello.name),
		 "hostile");
	s->memif_hello.min_version = MEMIF_VERSION;
	s->memif_hello.max_version = MEMIF_VERSION;
	s->memif_hello.max_log2_ring_size = 10;
	s->hello.len = sizeof(struct hl_hello);
	s->hello.vmin = s->hello.vmax = HL_PROTO_VERSION;
}

/* Wait for the client; kill it if it hangs. 1 if it passed. */
static int
reap(struct hh_srv *s, const struct hh_case *k)
{
	for (int i = 0; hh_child_alive(s); i++) {
		if (i * 10 >= HH_CHILD_MS) {
			kill(s->child, SIGKILL);
			(void)waitpid(s->child, &s->child_status, 0);
			fprintf(stderr, "  %s: the client hung (killed after %d ms)\n",
				k->name, HH_CHILD_MS);
			return 0;
		}
		usleep(10000);
	}
	if (WIFSIGNALED(s->child_status)) {
		fprintf(stderr, "  %s: the client died of signal %d (%s)\n", k->name,
			WTERMSIG(s->child_status), strsignal(WTERMSIG(s->child_status)));
		return 0;
	}
	return WIFEXITED(s->child_status) && WEXITSTATUS(s->child_status) == 0;
}

static int
run_case(const struct hh_case *k)
{
	struct hh_srv s;
	int filler = -1, ok;

	srv_init(&s);
	if (listen_on(&s, k) != 0 ||
	    (k->full_backlog && (filler = fill_backlog(&s)) < 0)) {
		fprintf(stderr, "  %s: server setup: %s\n", k->name, strerror(errno));
		return 0;
	}
	fflush(NULL);
	s.child = fork();
	if (s.child == 0)
		client_main(k, s.path);
	if (s.child < 0)
		return 0;
	k->server(&s);
	ok = reap(&s, k) && s.failures == 0;
	hh_conn_close(&s);
	close(s.lfd);
	if (filler >= 0)
		close(filler);
	unlink(s.path);
	return ok;
}

static const struct hh_case *const groups[] = { hh_ctl_cases, hh_conn_cases };

static int
wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	int run = 0, failed = 0;

	snprintf(sock_dir, sizeof(sock_dir), "/tmp/hostile-host.XXXXXX");
	if (mkdtemp(sock_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (const struct hh_case *k = groups[g]; k->name != NULL; k++) {
			if (!wanted(k->name, argc, argv))
				continue;
			int ok = run_case(k);
			printf("%-4s %-28s %s\n", ok ? "ok" : "FAIL", k->name, k->what);
			fflush(stdout);
			run++;
			failed += !ok;
		}
	}
	rmdir(sock_dir);
	printf("%d cases, %d failed\n", run, failed);
	return run == 0 || failed ? 1 : 0;
}
