/* SPDX-License-Identifier: BSD-3-Clause */
/* The freestanding test guest's <string.h>: what proto.h uses (guest.c). */
#ifndef HL_VM_STRING_H
#define HL_VM_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* HL_VM_STRING_H */
