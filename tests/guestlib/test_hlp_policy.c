/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The preload shim's policy (guestlib/preload/hlp_policy.c): each
 * HOSTLANE_SOCK_* variable parsed, its malformed values refused (the shim
 * then stays off, said on stderr), and the decisions a loaded policy makes
 * for binds and destinations.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "gl_check.h"
#include "hlp.h"

static const char *vars[] = { "HOSTLANE_SOCK_URI", "HOSTLANE_SOCK_FAMILIES",
			      "HOSTLANE_SOCK_PORTS", "HOSTLANE_SOCK_ADDRS",
			      "HOSTLANE_SOCK_FALLBACK", "HOSTLANE_SOCK_TX_WINDOW" };

/* Load with URI set and one variable (name NULL: none) set to val. */
static int
load(const char *name, const char *val)
{
	for (unsigned int i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	setenv("HOSTLANE_SOCK_URI", "/run/x.sock", 1);
	if (name != NULL)
		setenv(name, val, 1);
	return hlp_policy_load();
}

static struct sockaddr_in
v4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static struct sockaddr_in6
v6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

#define BIND4(ip, port) ({ struct sockaddr_in a_ = v4(ip, port); \
	hlp_policy_bind((struct sockaddr *)&a_, sizeof(a_)); })
#define DEST4(ip, port) ({ struct sockaddr_in a_ = v4(ip, port); \
	hlp_policy_dest((struct sockaddr *)&a_, sizeof(a_)); })
#define DEST6(ip, port) ({ struct sockaddr_in6 a_ = v6(ip, port); \
	hlp_policy_dest((struct sockaddr *)&a_, sizeof(a_)); })

static void
t_defaults(void)
{
	unsetenv("HOSTLANE_SOCK_URI");
	CHECK_EQ(hlp_policy_load(), -1);	/* no URI: off */
	CHECK_EQ(load(NULL, NULL), 0);
	CHECK(hlp_policy_family(AF_INET) && hlp_policy_family(AF_INET6));
	CHECK(!hlp_policy_family(AF_UNIX));
	CHECK_EQ(hlp_policy_lazy(), 0);
	CHECK_EQ(BIND4("0.0.0.0", 1), 1);
	CHECK_EQ(DEST4("192.0.2.1", 80), 1);
	CHECK_EQ(hlp_policy_fallback(), HLP_FB_KERNEL);
	CHECK_EQ(hlp_policy_tx_window(), -1);
	CHECK(hlp_policy_secret() == NULL);
	CHECK(strcmp(hlp_policy_uri(), "/run/x.sock") == 0);
}

static void
t_families(void)
{
	CHECK_EQ(load("HOSTLANE_SOCK_FAMILIES", "inet"), 0);
	CHECK(hlp_policy_family(AF_INET) && !hlp_policy_family(AF_INET6));
	CHECK_EQ(load("HOSTLANE_SOCK_FAMILIES", "inet6,inet"), 0);
	CHECK(hlp_policy_family(AF_INET) && hlp_policy_family(AF_INET6));
	CHECK_EQ(load("HOSTLANE_SOCK_FAMILIES", "ipx"), -1);
	CHECK_EQ(load("HOSTLANE_SOCK_FAMILIES", "inet,,inet6"), -1);
	CHECK_EQ(load("HOSTLANE_SOCK_FAMILIES", "inet666666666666666"), -1);
}

static void
t_ports(void)
{
	static const char *bad[] = { "", "70000", "100-50", "abc", "1-2-3",
				     "80;81", "80-", "-80", "65536-65537" };
	uint16_t lo[4], hi[4];
	unsigned int n;

	CHECK_EQ(load("HOSTLANE_SOCK_PORTS", "80,8000-8100"), 0);
	CHECK_EQ(hlp_policy_lazy(), 1);
	CHECK_EQ(BIND4("0.0.0.0", 80), 1);
	CHECK_EQ(BIND4("0.0.0.0", 81), 0);
	CHECK_EQ(BIND4("0.0.0.0", 8000), 1);
	CHECK_EQ(BIND4("0.0.0.0", 8100), 1);
	CHECK_EQ(BIND4("0.0.0.0", 8101), 0);
	CHECK_EQ(hlp_policy_bind(NULL, 0), 0);	/* no address yet */
	CHECK_EQ(DEST4("127.0.0.1", 8050), 1);	/* no ADDRS: port decides */
	CHECK_EQ(DEST4("127.0.0.1", 22), 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (load("HOSTLANE_SOCK_PORTS", bad[i]) != -1) {
			fprintf(stderr, "PORTS=\"%s\" accepted\n", bad[i]);
			gl_failures++;
		}
	/* The table's size is a limit, not an overflow. */
	CHECK_EQ(hlp_parse_ports("1,2,3,4,5", lo, hi, &n, 4), -1);
	CHECK_EQ(hlp_parse_ports("1,2,3,4", lo, hi, &n, 4), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(hlp_parse_ports("10-20", lo, hi, &n, 4), 0);
	CHECK(n == 1 && lo[0] == 10 && hi[0] == 20);
}

static void
t_addrs(void)
{
	static const char *bad[] = { "", "127.0.0.1/33", "300.0.0.1/8", "::1/129",
				     "x", "127.0.0.1/", "127.0.0.1/8x", ",",
				     "127.0.0.1,,::1" };

	CHECK_EQ(load("HOSTLANE_SOCK_ADDRS", "127.0.0.0/8,::1/128,10.1.2.128/25"), 0);
	CHECK_EQ(hlp_policy_lazy(), 1);
	CHECK_EQ(DEST4("127.1.2.3", 5), 1);
	CHECK_EQ(DEST4("128.0.0.1", 5), 0);
	CHECK_EQ(DEST4("10.1.2.200", 5), 1);
	CHECK_EQ(DEST4("10.1.2.127", 5), 0);	/* the bit after /24 */
	CHECK_EQ(DEST6("::1", 5), 1);
	CHECK_EQ(DEST6("::2", 5), 0);
	CHECK_EQ(DEST6("::ffff:127.0.0.1", 5), 0);	/* a v6 address, no v6 rule */
	CHECK_EQ(hlp_policy_dest(NULL, 0), 0);
	CHECK_EQ(load("HOSTLANE_SOCK_ADDRS", "192.0.2.7"), 0);	/* /32 */
	CHECK_EQ(DEST4("192.0.2.7", 1), 1);
	CHECK_EQ(DEST4("192.0.2.6", 1), 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (load("HOSTLANE_SOCK_ADDRS", bad[i]) != -1) {
			fprintf(stderr, "ADDRS=\"%s\" accepted\n", bad[i]);
			gl_failures++;
		}
	/* Both: a destination needs its address and its port. */
	load("HOSTLANE_SOCK_ADDRS", "127.0.0.0/8");
	setenv("HOSTLANE_SOCK_PORTS", "6379", 1);
	CHECK_EQ(hlp_policy_load(), 0);
	CHECK_EQ(DEST4("127.0.0.1", 6379), 1);
	CHECK_EQ(DEST4("127.0.0.1", 6380), 0);
	CHECK_EQ(DEST4("10.0.0.1", 6379), 0);
}

static void
t_fallback_window(void)
{
	static const struct { const char *v; long want; } win[] = {
		{ "0", 0 }, { "4096", 4096 }, { "64K", 65536 }, { "64k", 65536 },
		{ "1M", 1048576 }, { "64M", 64L << 20 }, { "65M", -2 },
		{ "67108865", -2 }, { "-1", -2 }, { "1G", -2 }, { "12x", -2 },
		{ "", -2 }, { "K", -2 }, { "99999999999999999999", -2 },
	};

	CHECK_EQ(load("HOSTLANE_SOCK_FALLBACK", "fail"), 0);
	CHECK_EQ(hlp_policy_fallback(), HLP_FB_FAIL);
	CHECK_EQ(load("HOSTLANE_SOCK_FALLBACK", "kernel"), 0);
	CHECK_EQ(hlp_policy_fallback(), HLP_FB_KERNEL);
	CHECK_EQ(load("HOSTLANE_SOCK_FALLBACK", "bogus"), -1);
	for (unsigned int i = 0; i < sizeof(win) / sizeof(win[0]); i++) {
		int rc = load("HOSTLANE_SOCK_TX_WINDOW", win[i].v);

		if (win[i].want == -2 ? rc != -1 :
		    rc != 0 || hlp_policy_tx_window() != win[i].want) {
			fprintf(stderr, "TX_WINDOW=\"%s\": rc %d, window %ld\n",
				win[i].v, rc, hlp_policy_tx_window());
			gl_failures++;
		}
	}
}

int
main(void)
{
	t_defaults();
	t_families();
	t_ports();
	t_addrs();
	t_fallback_window();
	return gl_report("hlp-policy");
}
