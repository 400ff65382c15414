/* SPDX-License-Identifier: BSD-3-Clause */
/* Private: what hlp_fd.c gives preload.c (hlp.h has the design). */
#ifndef HLP_INT_H
#define HLP_INT_H

#include "hlp.h"

extern pthread_mutex_t hlp_mu;

int hlp_on(void);
struct hlp_obj *hlp_peek(int fd);
struct hlp_obj *hlp_get(int fd);	/* hlp_mu held if not NULL */
void hlp_put(int fd, struct hlp_obj *o);
int hlp_drop(int fd, struct hlp_obj *o);
int hlp_bind_sd(int sd, int fd);
struct hl_conn *hlp_conn(uint32_t *gen);
struct hl_conn *hlp_conn_of(const struct hlp_obj *o, int fd);
void hlp_forked(void);
int hlp_efd(int nonblock, int cloexec);
void hlp_mirror_now(struct hl_conn *c, int sd, int efd);

#endif /* HLP_INT_H */
