/* SPDX-License-Identifier: BSD-3-Clause */
/* Multiboot entry of the test guest: a stack, then
 * guest_main(magic, multiboot info). */
	.section .multiboot, "a"
	.align 4
	.long 0x1BADB002		/* multiboot v1 magic */
	.long 0				/* flags: an ELF image, nothing asked */
	.long -0x1BADB002		/* checksum */

	.section .text
	.globl _start
_start:
	cli
	movl %eax, %esi			/* the loader's magic; ebx: its info */
	movl $stack_top, %esp
	cld
	/* The loader zeroes .bss from the ELF headers; do it anyway. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $stack_top, %esp
	pushl %ebx
	pushl %esi
	call guest_main
1:	hlt
	jmp 1b

	.section .stack, "aw", @nobits
	.align 16
	.skip 65536
stack_top:

	.section .note.GNU-stack, "", @progbits
