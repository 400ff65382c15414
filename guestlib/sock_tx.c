/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sends that return at once (hl_sock.h): a connected stream's window, the
 * completions of its detached SEND requests, and the fence that calls
 * ordered after its sends wait at.
 */
#include <errno.h>

#include "hl_bulk.h"
#include "hl_clock.h"
#include "hl_sock.h"

/* Room in sk's window: an empty window takes one send however large; a
 * window less than half full takes the rest of it (hl_sock_tx_cut()). So
 * whenever OUT is set, a send takes at least half a window. */
int
hl_sock_tx_room(const struct hl_sock_layer *L, const struct hl_sk *sk)
{
	if (sk->tx_n == 0)
		return 1;
	return sk->tx_n < HL_SOCK_TX_REQS && sk->tx_bytes < L->tx_win_bytes / 2;
}

uint32_t
hl_sock_tx_cut(const struct hl_sock_layer *L, const struct hl_sk *sk, uint32_t n)
{
	uint32_t left = L->tx_win_bytes - sk->tx_bytes;

	return sk->tx_n == 0 || n <= left ? n : left;
}

/* What the host's reply to a send says: bytes sent, or -errno. */
static int64_t
tx_result(const struct hl_slot *s)
{
	int64_t v = (int64_t)s->res.arg0;

	if (s->res.status != HL_OK)
		return -hl_sock_errno(s->res.status);
	return v < -4095 ? -EPROTO : v;
}

/*
 * A detached send finished: its reply came, or its transport died. Its
 * bulk slot goes back unless the pool was reset under it (the transport
 * is gone: conn_tp_drop() runs before the in-flight table is failed).
 */
void
hl_sock_tx_done(void *conn, struct hl_slot *s)
{
	struct hl_conn *c = conn;
	struct hl_sock_layer *L = c->sk;
	uint32_t asked = s->bulk_in_len;
	int64_t v = tx_result(s);
	struct hl_sk *sk;
	int sd;

	if (s->bulk >= 0 && c->tp != NULL && s->epoch == c->epoch)
		hl_bulk_put(&c->bulk, (uint32_t)s->bulk);
	s->bulk = -1;
	sd = L != NULL ? hl_sock_by_id(L, (uint32_t)s->tag, s->epoch) : -1;
	hl_inflight_free(&c->inf, s);
	if (sd < 0)
		return;		/* closed meanwhile: nobody to tell */
	sk = &L->tab[sd];
	if (sk->tx_n == 0 || sk->tx_bytes < asked)
		return;		/* not one of its sends: cannot happen */
	sk->tx_n--;
	sk->tx_bytes -= asked;
	if (v != (int64_t)asked) {
		L->tx_failed++;
		if (sk->tx_err == 0)
			sk->tx_err = v < 0 ? (int32_t)-v : EPIPE;
	}
	hl_sock_kick(L);
	hl_sock_mask_update(L, sd);
}

void
hl_sock_tx_fence(struct hl_conn *c, struct hl_sock_layer *L, int sd)
{
	int64_t deadline = hl_deadline(HL_SOCK_LINGER_MS);
	const struct hl_sk *sk;

	while ((sk = hl_sock_sk(L, sd)) != NULL && sk->tx_n > 0) {
		int rc = hl_sock_wait(c, L, NULL, L->mask_gen, deadline);

		if (rc == HL_E_TIMEOUT)
			L->tx_lingered++;
		if (rc != HL_OK)
			return;	/* a dead connection failed them all */
	}
}

int
hl_sock_set_tx_window(struct hl_conn *c, uint32_t bytes)
{
	struct hl_sock_layer *L;

	if (bytes > HL_SOCK_TX_WIN_MAX) {
		errno = EINVAL;
		return -1;
	}
	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	L->tx_win_bytes = bytes;
	hl_sock_unlock(L);
	return 0;
}

int
hl_sock_stats(struct hl_conn *c, struct hl_sock_stats *st)
{
	struct hl_sock_layer *L;

	if (st == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((L = hl_sock_lock(c)) == NULL)
		return -1;
	*st = (struct hl_sock_stats){ .tx_async = L->tx_async,
				      .tx_failed = L->tx_failed,
				      .tx_lingered = L->tx_lingered,
				      .sockets = L->nlive };
	for (uint32_t i = 0; i < L->ntab; i++)
		st->tx_inflight += L->tab[i].used ? L->tab[i].tx_n : 0;
	hl_sock_unlock(L);
	return 0;
}
