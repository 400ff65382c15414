/* SPDX-License-Identifier: BSD-3-Clause */
/* The socket calls: BSD arguments to SOCK_* requests and back (sock.h). */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>

#include "hl_clock.h"
#include "hl_sock.h"

/* A local status as the errno a socket call fails with. */
int
hl_sock_errno(int status)
{
	switch (status) {
	case HL_E_TIMEOUT: return ETIMEDOUT;
	case HL_E_DISCONNECTED: return ENETDOWN;
	case HL_E_NO_SLOTS: return ENOBUFS;
	case HL_E_NOMEM: return ENOMEM;
	case HL_E_IO: return EIO;
	case HL_E_BAD_REQUEST:
	case HL_E_BAD_LENGTH:
	case HL_E_INVAL: return EINVAL;
	default: return EPROTO;	/* the host broke the contract */
	}
}

/* The call's result from its reply: >= 0, or -errno. */
static int64_t
sk_result(const struct hl_result *res)
{
	int64_t v = (int64_t)res->arg0;

	if (res->status != HL_OK)
		return -hl_sock_errno(res->status);
	if (v < 0 && v < -4095)
		return -EPROTO;
	return v;
}

int64_t
hl_sock_ret(int64_t v)
{
	if (v < 0) {
		errno = (int)-v;
		return -1;
	}
	return v;
}

/* How long to wait for the reply to a call that asked the host to wait. */
static int64_t
sk_reply_deadline(const struct hl_conn *c, const struct hl_sock_call *k)
{
	int grace = c->timeout_ms;

	if (k->waits && k->wait_ms == SK_WAIT_FOREVER)
		return -1;
	if (grace < 0)
		return -1;
	return hl_deadline((k->waits ? k->wait_ms : 0) + grace);
}

/* sd may be used for a request: a live socket of the current epoch. */
int64_t
hl_sock_usable(struct hl_conn *c, struct hl_sock_layer *L, int sd,
	  struct hl_sk **out)
{
	struct hl_sk *sk = hl_sock_sk(L, sd);
	int rc;

	if (sk == NULL || sk->id == 0)
		return -EBADF;
	rc = hl_conn_ensure(c);
	if (rc != HL_OK)
		return -hl_sock_errno(rc);
	if (sk->epoch != c->epoch)
		return -ECONNRESET;
	*out = sk;
	return 0;
}

/* Send k on session (lock held), wait for its reply; res gets it. */
int
hl_sock_exec(struct hl_conn *c, struct hl_sock_layer *L, uint32_t session,
	const struct hl_sock_call *k, struct hl_result *res)
{
	struct hl_req r = { .opcode = k->op, .session = session,
			    .arg0 = k->arg0, .arg1 = k->arg1, .in = k->in,
			    .in_len = k->in_len, .out = k->out,
			    .out_cap = k->out_cap };
	struct hl_slot *s;
	int rc;

	if (k->waits)
		r.arg0 |= HL_SOCK_WAIT(k->wait_ms == SK_WAIT_FOREVER ?
				       HL_SOCK_WAIT_FOREVER : (uint32_t)k->wait_ms);
	memset(res, 0, sizeof(*res));
	rc = hl_conn_start(c, &r, &s);
	if (rc != HL_OK)
		return rc;
	rc = hl_sock_wait(c, L, s, 0, sk_reply_deadline(c, k));
	if (rc == HL_OK) {
		*res = s->res;
		rc = res->status;
	}
	hl_inflight_free(&c->inf, s);
	return rc;
}

/* Calls the host must see after the socket's sends that returned at once
 * (it serves commands before sends). */
static int
sk_fenced(uint16_t op)
{
	return op == HL_OP_SOCK_CLOSE || op == HL_OP_SOCK_SHUTDOWN ||
	       op == HL_OP_SOCK_SETOPT || op == HL_OP_SOCK_GETOPT;
}

/* One call on socket sd; the lock is held. The reply's readiness updated
 * sd as the reply came, if it was still the same socket (another thread
 * may close it while this one waits: hl_sock_on_reply()). @return >= 0 or
 * -errno. */
int64_t
hl_sock_do(struct hl_conn *c, struct hl_sock_layer *L, int sd,
      const struct hl_sock_call *k, struct hl_result *res)
{
	struct hl_sk *sk = NULL;
	int64_t v;
	int rc;

	if (sk_fenced(k->op))
		hl_sock_tx_fence(c, L, sd);
	v = hl_sock_usable(c, L, sd, &sk);
	if (v < 0)
		return v;
	rc = hl_sock_exec(c, L, sk->id, k, res);
	if (rc != HL_OK && !hl_proto_status_on_wire(rc))
		return -hl_sock_errno(rc);
	/* The reply's state was applied as it came (hl_sock_on_reply()). */
	return sk_result(res);
}

/* This thread is inside a socket call (between lock and unlock): a
 * signal handler that calls in again on the same thread would wait for a
 * mutex its own thread holds, for ever. It fails with EINTR instead. */
static __thread volatile sig_atomic_t sk_inside;

/* Lock c's socket layer; NULL with errno set if there is none. */
struct hl_sock_layer *
hl_sock_lock(struct hl_conn *c)
{
	struct hl_sock_layer *L;

	if (c == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (sk_inside) {
		errno = EINTR;
		return NULL;
	}
	L = hl_sock_layer(c);
	if (L == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	/* Set before the lock is taken and cleared after it is let go, so no
	 * signal finds the mutex held with the mark clear. */
	sk_inside = 1;
	pthread_mutex_lock(&L->mu);
	return L;
}

void
hl_sock_unlock(struct hl_sock_layer *L)
{
	pthread_mutex_unlock(&L->mu);
	sk_inside = 0;
}

/* ---- addresses -------------------------------------------------------- */

/* A caller's address as the wire's: -errno or 0. */
int
hl_sock_addr_in(const struct sockaddr *a, socklen_t len, struct hl_sockaddr *w)
{
	memset(w, 0, sizeof(*w));
	if (a == NULL)
		return -EFAULT;
	if (len < (socklen_t)sizeof(sa_family_t))
		return -EINVAL;
	if (a->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		w->len = sizeof(struct sockaddr_in);
	else if (a->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		w->len = sizeof(struct sockaddr_in6);
	else if (a->sa_family == AF_INET || a->sa_family == AF_INET6)
		return -EINVAL;
	else
		return -EAFNOSUPPORT;
	memcpy(w->sa, a, w->len);
	if (a->sa_family == AF_INET)
		memset(((struct sockaddr_in *)(void *)w->sa)->sin_zero, 0, 8);
	return 0;
}

/* The host's address (untrusted bytes at p) to the caller's: -EPROTO if
 * malformed. len NULL: the caller did not ask. */
int
hl_sock_addr_out(const void *p, struct sockaddr *a, socklen_t *len)
{
	struct hl_sockaddr w;

	if (hl_proto_sockaddr_parse(p, &w, 1) != HL_OK)
		return -EPROTO;
	if (a == NULL || len == NULL)
		return 0;
	memcpy(a, w.sa, *len < w.len ? *len : w.len);
	*len = w.len;
	return 0;
}

/* ---- socket, bind, listen, connect, accept ---------------------------- */

static int
sk_type_check(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (domain != AF_INET && domain != AF_INET6)
		return -EAFNOSUPPORT;
	if (base != SOCK_STREAM && base != SOCK_DGRAM)
		return (type & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)) ? -EINVAL
								       : -ESOCKTNOSUPPORT;
	if (protocol != 0 &&
	    !(base == SOCK_STREAM && protocol == IPPROTO_TCP) &&
	    !(base == SOCK_DGRAM && protocol == IPPROTO_UDP))
		return -EPROTONOSUPPORT;
	return 0;
}

/* A new host socket in entry sd; -errno or 0. */
static int64_t
sk_make(struct hl_conn *c, struct hl_sock_layer *L, int sd, int domain,
	int base, int protocol)
{
	struct hl_sock_call k = { .op = HL_OP_SOCK_SOCKET, .arg0 = (uint64_t)domain,
			     .arg1 = (uint64_t)base |
				     ((uint64_t)(uint32_t)protocol << 32) };
	struct hl_result res;
	int64_t v;
	int rc = hl_conn_ensure(c);

	if (rc != HL_OK)
		return -hl_sock_errno(rc);
	rc = hl_sock_exec(c, L, 0, &k, &res);
	if (rc != HL_OK && !hl_proto_status_on_wire(rc))
		return -hl_sock_errno(rc);
	v = sk_result(&res);
	if (v < 0)
		return v;
	if (v == 0 || v > UINT32_MAX || hl_sock_sk(L, sd) == NULL)
		return -EPROTO;
	L->tab[sd].id = (uint32_t)v;
	L->tab[sd].epoch = c->epoch;
	L->nlive++;
	hl_sock_set_mask(L, sd, res.state);
	return 0;
}

int
hl_sock_socket(struct hl_conn *c, int domain, int type, int protocol)
{
	int64_t v = sk_type_check(domain, type, protocol);
	struct hl_sock_layer *L;
	int sd;

	if (v < 0)
		return (int)hl_sock_ret(v);
	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	sd = hl_sock_sk_new(L);
	if (sd >= 0) {
		int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

		L->tab[sd].nonblock = (type & SOCK_NONBLOCK) != 0;
		L->tab[sd].stream = base == SOCK_STREAM;
		L->tab[sd].family = (uint8_t)domain;
		v = sk_make(c, L, sd, domain, base, protocol);
		if (v < 0) {
			hl_sock_sk_free(L, sd);
			sd = (int)hl_sock_ret(v);
		}
	}
	hl_sock_unlock(L);
	return sd;
}

/* A call whose request payload is one address (BIND, CONNECT). */
static int
sk_addr_call(struct hl_conn *c, int sd, uint16_t op,
	     const struct sockaddr *addr, socklen_t len)
{
	struct hl_sock_call k = { .op = op };
	struct hl_sock_layer *L;
	struct hl_sockaddr w;
	struct hl_result res;
	int64_t v = hl_sock_addr_in(addr, len, &w);

	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	if (v == 0 && op == HL_OP_SOCK_CONNECT) {
		struct hl_sk *sk = hl_sock_sk(L, sd);

		k.waits = 1;
		k.wait_ms = sk == NULL || sk->nonblock ? SK_WAIT_NONE :
			    sk->sndtimeo_ms >= 0 ? sk->sndtimeo_ms : SK_WAIT_FOREVER;
	}
	if (v == 0) {
		k.in = &w;
		k.in_len = sizeof(w);
		v = hl_sock_do(c, L, sd, &k, &res);
		if (v == 0 && op == HL_OP_SOCK_CONNECT && hl_sock_sk(L, sd) != NULL)
			hl_sock_sk(L, sd)->connected = 1;
	} else if (hl_sock_sk(L, sd) == NULL) {
		v = -EBADF;
	}
	hl_sock_unlock(L);
	return (int)hl_sock_ret(v);
}

int
hl_sock_bind(struct hl_conn *c, int sd, const struct sockaddr *addr,
	     socklen_t len)
{
	return sk_addr_call(c, sd, HL_OP_SOCK_BIND, addr, len);
}

int
hl_sock_connect(struct hl_conn *c, int sd, const struct sockaddr *addr,
		socklen_t len)
{
	return sk_addr_call(c, sd, HL_OP_SOCK_CONNECT, addr, len);
}

/* A call with scalar arguments only; returns the result or -1. */
static int64_t
sk_simple(struct hl_conn *c, int sd, uint16_t op, uint64_t arg0,
	  uint64_t arg1)
{
	struct hl_sock_call k = { .op = op, .arg0 = arg0, .arg1 = arg1 };
	struct hl_sock_layer *L;
	struct hl_result res;
	int64_t v;

	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	v = hl_sock_do(c, L, sd, &k, &res);
	hl_sock_unlock(L);
	return hl_sock_ret(v);
}

int
hl_sock_listen(struct hl_conn *c, int sd, int backlog)
{
	return (int)sk_simple(c, sd, HL_OP_SOCK_LISTEN,
			      (uint64_t)(uint32_t)(backlog < 0 ? 0 : backlog), 0);
}

int
hl_sock_shutdown(struct hl_conn *c, int sd, int how)
{
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
		struct hl_sock_layer *L = hl_sock_lock(c);

		if (L == NULL)
			return -1;
		errno = hl_sock_sk(L, sd) == NULL ? EBADF : EINVAL;
		hl_sock_unlock(L);
		return -1;
	}
	return (int)sk_simple(c, sd, HL_OP_SOCK_SHUTDOWN, (uint64_t)how, 0);
}

/* The accepted socket (host id v) in a new entry: its sd or -errno. */
static int64_t
sk_accepted(struct hl_conn *c, struct hl_sock_layer *L, int lsd, int64_t v,
	    int flags)
{
	struct hl_sk *ls = hl_sock_sk(L, lsd);
	uint8_t family = ls != NULL ? ls->family : AF_INET;
	int sd;

	if (v == 0 || v > UINT32_MAX)
		return -EPROTO;
	sd = hl_sock_sk_new(L);
	if (sd < 0) {
		struct hl_sock_call k = { .op = HL_OP_SOCK_CLOSE };
		struct hl_result res;
		int e = errno;

		(void)hl_sock_exec(c, L, (uint32_t)v, &k, &res);
		return -e;
	}
	L->tab[sd].id = (uint32_t)v;
	L->tab[sd].epoch = c->epoch;
	L->tab[sd].stream = 1;
	L->tab[sd].connected = 1;
	L->tab[sd].family = family;
	L->tab[sd].nonblock = (flags & SOCK_NONBLOCK) != 0;
	L->nlive++;
	return sd;
}

int
hl_sock_accept(struct hl_conn *c, int sd, struct sockaddr *addr,
	       socklen_t *len, int flags)
{
	struct hl_sockaddr peer;
	struct hl_sock_call k = { .op = HL_OP_SOCK_ACCEPT, .waits = 1,
			     .out = &peer, .out_cap = sizeof(peer) };
	struct hl_sock_layer *L;
	struct hl_result res;
	struct hl_sk *sk;
	int64_t v = 0;

	if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0)
		v = -EINVAL;
	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	sk = hl_sock_sk(L, sd);
	if (sk == NULL)
		v = -EBADF;
	if (v == 0) {
		k.wait_ms = sk->nonblock ? SK_WAIT_NONE :
			    sk->rcvtimeo_ms >= 0 ? sk->rcvtimeo_ms : SK_WAIT_FOREVER;
		v = hl_sock_do(c, L, sd, &k, &res);
	}
	if (v >= 0 && (res.out_len != sizeof(peer) ||
		       hl_sock_addr_out(&peer, addr, len) != 0))
		v = -EPROTO;
	if (v >= 0)
		v = sk_accepted(c, L, sd, v, flags);
	hl_sock_unlock(L);
	return (int)hl_sock_ret(v);
}

int
hl_sock_close(struct hl_conn *c, int sd)
{
	struct hl_sock_call k = { .op = HL_OP_SOCK_CLOSE };
	struct hl_sock_layer *L;
	struct hl_result res;
	struct hl_sk *sk;
	int64_t v = 0;

	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	sk = hl_sock_sk(L, sd);
	if (sk == NULL)
		v = -EBADF;
	else if (sk->id != 0 && sk->epoch == c->epoch && !c->dead)
		v = hl_sock_do(c, L, sd, &k, &res);
	/* The socket is gone for the caller whatever the host said. */
	if (v != -EBADF || sk != NULL)
		hl_sock_sk_free(L, sd);
	if (v == -ENETDOWN || v == -ECONNRESET)
		v = 0;
	hl_sock_unlock(L);
	return (int)hl_sock_ret(v);
}

/* ---- options and names ------------------------------------------------ */

static int
tv_ms(const void *val, socklen_t len, int32_t *ms)
{
	struct timeval tv;
	int64_t v;

	if (val == NULL || len < (socklen_t)sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*ms = -1;	/* Linux: a negative timeout means none */
		return 0;
	}
	v = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	*ms = v == 0 ? -1 : v > INT32_MAX - 1 ? INT32_MAX - 1 : (int32_t)v;
	return 0;
}

static void
ms_tv(int32_t ms, void *val, socklen_t *len)
{
	struct timeval tv = { 0, 0 };

	if (ms >= 0) {
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
	}
	memcpy(val, &tv, *len < sizeof(tv) ? *len : sizeof(tv));
	*len = *len < sizeof(tv) ? *len : sizeof(tv);
}

static int
is_timeo(int level, int name)
{
	return level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO);
}

int
hl_sock_setsockopt(struct hl_conn *c, int sd, int level, int name,
		   const void *val, socklen_t len)
{
	struct hl_sock_call k = { .op = HL_OP_SOCK_SETOPT,
			     .arg0 = (uint64_t)(uint32_t)level,
			     .arg1 = (uint64_t)(uint32_t)name,
			     .in = val, .in_len = len };
	struct hl_sock_layer *L;
	struct hl_result res;
	struct hl_sk *sk;
	int64_t v = 0;
	int32_t ms = -1;

	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	sk = hl_sock_sk(L, sd);
	if (sk == NULL)
		v = -EBADF;
	else if (is_timeo(level, name))
		v = tv_ms(val, len, &ms);
	else if (len > HL_SOCK_OPT_MAX || (len > 0 && val == NULL))
		v = -EINVAL;
	else
		v = hl_sock_do(c, L, sd, &k, &res);
	if (v == 0 && is_timeo(level, name)) {
		if (name == SO_RCVTIMEO)
			sk->rcvtimeo_ms = ms;
		else
			sk->sndtimeo_ms = ms;
	}
	hl_sock_unlock(L);
	return (int)hl_sock_ret(v);
}

/* SO_ERROR: the error an asynchronous send failed with, as if the host
 * had answered it (and cleared). */
static int64_t
sk_tx_error(struct hl_sock_layer *L, int sd, uint8_t *buf, struct hl_result *res)
{
	struct hl_sk *sk = hl_sock_sk(L, sd);
	int e = sk->tx_err;

	memcpy(buf, &e, sizeof(e));
	res->out_len = sizeof(e);
	sk->tx_err = 0;
	hl_sock_mask_update(L, sd);
	return sizeof(e);
}

int
hl_sock_getsockopt(struct hl_conn *c, int sd, int level, int name,
		   void *val, socklen_t *len)
{
	uint8_t buf[HL_SOCK_GETOPT_MAX];
	struct hl_sock_call k = { .op = HL_OP_SOCK_GETOPT,
			     .arg0 = (uint64_t)(uint32_t)level,
			     .arg1 = (uint64_t)(uint32_t)name,
			     .out = buf, .out_cap = sizeof(buf) };
	struct hl_sock_layer *L;
	struct hl_result res;
	struct hl_sk *sk;
	int64_t v = 0;

	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	sk = hl_sock_sk(L, sd);
	if (sk == NULL)
		v = -EBADF;
	else if (val == NULL || len == NULL)
		v = -EFAULT;
	else if (is_timeo(level, name))
		ms_tv(name == SO_RCVTIMEO ? sk->rcvtimeo_ms : sk->sndtimeo_ms,
		      val, len);
	else if (level == SOL_SOCKET && name == SO_ERROR && sk->tx_err != 0)
		v = sk_tx_error(L, sd, buf, &res);
	else
		v = hl_sock_do(c, L, sd, &k, &res);
	if (v > 0 && ((uint64_t)v > HL_SOCK_GETOPT_MAX || res.out_len != v))
		v = -EPROTO;
	if (v > 0 && !is_timeo(level, name)) {
		memcpy(val, buf, *len < (uint64_t)v ? *len : (size_t)v);
		*len = *len < (uint64_t)v ? *len : (socklen_t)v;
		v = 0;
	} else if (v == 0 && !is_timeo(level, name)) {
		*len = 0;
	}
	hl_sock_unlock(L);
	return (int)hl_sock_ret(v);
}

static int
sk_name(struct hl_conn *c, int sd, uint32_t which, struct sockaddr *addr,
	socklen_t *len)
{
	struct hl_sockaddr w;
	struct hl_sock_call k = { .op = HL_OP_SOCK_GETNAME, .arg0 = which,
			     .out = &w, .out_cap = sizeof(w) };
	struct hl_sock_layer *L;
	struct hl_result res;
	int64_t v;

	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	v = hl_sock_do(c, L, sd, &k, &res);
	if (v >= 0 && (addr == NULL || len == NULL))
		v = -EFAULT;
	if (v >= 0)
		v = res.out_len == sizeof(w) ? hl_sock_addr_out(&w, addr, len) : -EPROTO;
	hl_sock_unlock(L);
	return (int)hl_sock_ret(v);
}

int
hl_sock_getsockname(struct hl_conn *c, int sd, struct sockaddr *addr,
		    socklen_t *len)
{
	return sk_name(c, sd, HL_SOCK_NAME_LOCAL, addr, len);
}

int
hl_sock_getpeername(struct hl_conn *c, int sd, struct sockaddr *addr,
		    socklen_t *len)
{
	return sk_name(c, sd, HL_SOCK_NAME_PEER, addr, len);
}

/* ---- local state ------------------------------------------------------ */

int
hl_sock_set_nonblock(struct hl_conn *c, int sd, int on)
{
	struct hl_sock_layer *L = hl_sock_lock(c);
	struct hl_sk *sk;
	int rc = 0;

	if (L == NULL)
		return -1;
	sk = hl_sock_sk(L, sd);
	if (sk == NULL) {
		errno = EBADF;
		rc = -1;
	} else {
		sk->nonblock = on != 0;
	}
	hl_sock_unlock(L);
	return rc;
}

int
hl_sock_get_nonblock(struct hl_conn *c, int sd)
{
	struct hl_sock_layer *L = hl_sock_lock(c);
	struct hl_sk *sk;
	int rc;

	if (L == NULL)
		return -1;
	sk = hl_sock_sk(L, sd);
	rc = sk == NULL ? -1 : sk->nonblock;
	if (sk == NULL)
		errno = EBADF;
	hl_sock_unlock(L);
	return rc;
}

int
hl_sock_events(struct hl_conn *c, int sd)
{
	struct hl_sock_layer *L = hl_sock_lock(c);
	struct hl_sk *sk;
	int rc;

	if (L == NULL)
		return -1;
	sk = hl_sock_sk(L, sd);
	rc = sk == NULL ? -1 : (int)sk->mask;
	if (sk == NULL)
		errno = EBADF;
	hl_sock_unlock(L);
	return rc;
}

int
hl_sock_set_notify(struct hl_conn *c, hl_sock_notify_fn fn, void *arg)
{
	struct hl_sock_layer *L = hl_sock_lock(c);

	if (L == NULL)
		return -1;
	L->notify = fn;
	L->notify_arg = arg;
	hl_sock_unlock(L);
	return 0;
}

/* Entries of p ready now (lock held); a bad sd is HL_SOCK_EV_NVAL. */
static int
sk_poll_scan(struct hl_sock_layer *L, struct hl_sock_pollfd *p, unsigned int n)
{
	int ready = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct hl_sk *sk = hl_sock_sk(L, p[i].sd);

		p[i].revents = sk == NULL ? HL_SOCK_EV_NVAL :
			sk->mask & (p[i].events | HL_SOCK_EV_ERR | HL_SOCK_EV_HUP);
		ready += p[i].revents != 0;
	}
	return ready;
}

int
hl_sock_poll(struct hl_conn *c, struct hl_sock_pollfd *p, unsigned int n,
	     int timeout_ms)
{
	int64_t deadline = hl_deadline(timeout_ms);
	struct hl_sock_layer *L;
	int ready, rc = HL_OK;

	if (p == NULL && n > 0) {
		errno = EINVAL;
		return -1;
	}
	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	L->pollers++;
	for (;;) {
		uint64_t gen = L->mask_gen;

		ready = sk_poll_scan(L, p, n);
		if (ready > 0 || rc != HL_OK || hl_ms_left(deadline) == 0)
			break;
		rc = hl_sock_wait(c, L, NULL, gen, deadline);
		if (rc == HL_E_TIMEOUT)
			rc = HL_OK;
	}
	L->pollers--;
	hl_sock_unlock(L);
	if (ready == 0 && rc != HL_OK) {
		errno = hl_sock_errno(rc);
		return -1;
	}
	return ready;
}
