/*
 * Loads, stores and system registers, results printed in hex:
 * all load widths with sign/zero extension (ldrsb/ldrsh/ldrsw/ldpsw),
 * unscaled/scaled/pre-/post-index and register-offset (lsl/uxtw/sxtw)
 * addressing, literal loads, tbz/tbnz/cbz/cbnz, indirect branches,
 * exclusives (ldxr/stxr, ldaxr/stlxr, ldxp/stxp, clrex), ldar/stlr,
 * TPIDR_EL0, DCZID_EL0 and dc zva.
 * Addresses are never printed, only offsets relative to a known base.
 */
#include "asmtest.h"

	.data
	.p2align 4
	.8byte	0x0706050403020100, 0x0f0e0d0c0b0a0908	/* read by negative offsets */
bytes:
	.byte	0x80, 0x7f, 0xff, 0x01, 0x00, 0xfe, 0x81, 0x40
	.byte	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0
	.byte	0x00, 0x80, 0xff, 0x7f, 0x01, 0x00, 0x00, 0x80
	.byte	0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01
words:
	.4byte	0x80000000, 0x7fffffff, 0xffffffff, 0x00000001
	.4byte	0x12345678, 0x9abcdef0, 0xfffffffe, 0x00008000
scratch:
	.zero	128

	.bss
	.p2align 11
zva_buf:				/* the DC ZVA block is at most 2 KiB */
	.zero	4096
	.p2align 4
excl:
	.zero	64

	.text

/* ------------------------------------------------------ widths and extension */
	.type	test_widths, %function
test_widths:
	PROLOGUE
	SAY	"== load widths and extension"
	adrp	x19, bytes
	add	x19, x19, :lo12:bytes
	mov	x20, #0
1:	add	x21, x19, x20
	mov	x9, #-1
	ldrb	w9, [x21]
	PUT	0, x9
	ldrsb	w9, [x21]
	PUT	1, x9
	ldrsb	x9, [x21]
	PUT	2, x9
	mov	x9, #-1
	ldrh	w9, [x21]
	PUT	3, x9
	ldrsh	w9, [x21]
	PUT	4, x9
	ldrsh	x9, [x21]
	PUT	5, x9
	mov	x9, #-1
	ldr	w9, [x21]
	PUT	6, x9
	ldrsw	x9, [x21]
	PUT	7, x9
	ldr	x9, [x21]
	PUT	8, x9
	ldurb	w9, [x21, #-1]
	PUT	9, x9
	ldursh	x9, [x21, #3]
	PUT	10, x9
	ldursw	x9, [x21, #5]
	PUT	11, x9
	ldur	x9, [x21, #7]			/* unaligned */
	PUT	12, x9
	ROW	"width", 13
	add	x20, x20, #3
	cmp	x20, #22
	b.lo	1b

	adrp	x19, words
	add	x19, x19, :lo12:words
	ldpsw	x9, x10, [x19]
	PUT	0, x9
	PUT	1, x10
	ldpsw	x9, x10, [x19, #8]
	PUT	2, x9
	PUT	3, x10
	ldp	w9, w10, [x19, #16]
	PUT	4, x9
	PUT	5, x10
	ldp	x9, x10, [x19, #16]
	PUT	6, x9
	PUT	7, x10
	ldnp	x9, x10, [x19]
	PUT	8, x9
	PUT	9, x10
	ldpsw	x9, x10, [x19, #24]
	PUT	10, x9
	PUT	11, x10
	ROW	"pairs", 12
	EPILOGUE
	.size	test_widths, . - test_widths

/* ----------------------------------------------------------- addressing */
	.type	test_addressing, %function
test_addressing:
	PROLOGUE
	SAY	"== addressing modes (value, base offset after writeback)"
	adrp	x19, bytes
	add	x19, x19, :lo12:bytes
	mov	x21, x19
	ldr	x9, [x21, #8]!			/* pre-index */
	sub	x10, x21, x19
	PUT	0, x9
	PUT	1, x10
	ldr	w9, [x21], #-4			/* post-index */
	sub	x10, x21, x19
	PUT	2, x9
	PUT	3, x10
	ldrsb	x9, [x21, #-3]!
	sub	x10, x21, x19
	PUT	4, x9
	PUT	5, x10
	ldrsh	w9, [x21], #17
	sub	x10, x21, x19
	PUT	6, x9
	PUT	7, x10
	ldp	x9, x11, [x21, #-16]!
	sub	x10, x21, x19
	PUT	8, x9
	PUT	9, x11
	PUT	10, x10
	ldpsw	x9, x11, [x21], #8
	sub	x10, x21, x19
	PUT	11, x9
	PUT	12, x11
	PUT	13, x10
	ROW	"index", 14

	/* Register offsets. */
	mov	x22, #3
	mov	w23, #-2			/* negative 32-bit index for sxtw */
	add	x21, x19, #16
	ldr	x9, [x21, x22]
	PUT	0, x9
	ldr	x9, [x21, w23, sxtw]
	PUT	1, x9
	ldr	x9, [x19, x22, lsl #3]
	PUT	2, x9
	ldr	w9, [x21, w23, sxtw #2]
	PUT	3, x9
	ldrh	w9, [x21, w23, sxtw #1]
	PUT	4, x9
	ldrsb	x9, [x21, w23, sxtw]
	PUT	5, x9
	ldrsh	x9, [x19, x22, lsl #1]
	PUT	6, x9
	ldrsw	x9, [x19, x22, lsl #2]
	PUT	7, x9
	mov	w25, #5
	ldrb	w9, [x19, w25, uxtw]
	PUT	8, x9
	ldr	x9, [x19, w25, uxtw #3]
	PUT	9, x9
	/* Only the low 32 bits of the index register take part in uxtw/sxtw. */
	MOV64	x24, 0xabcdef0100000008
	ldr	x9, [x21, w24, uxtw]
	PUT	10, x9
	MOV64	x24, 0x12345678fffffff8
	ldr	x9, [x21, w24, sxtw]
	PUT	11, x9
	ldrb	w9, [x21, w24, sxtw #0]
	PUT	12, x9
	ROW	"regoff", 13

	/* Stores of every width, then read back as one doubleword. */
	adrp	x20, scratch
	add	x20, x20, :lo12:scratch
	MOV64	x9, 0x1122334455667788
	str	x9, [x20]
	mov	w10, #0xaa
	strb	w10, [x20, #1]
	mov	w10, #0xbbcc
	strh	w10, [x20, #2]
	mov	x10, #-1
	stur	w10, [x20, #5]			/* unaligned, crosses into the next word */
	ldr	x11, [x20]
	PUT	0, x11
	ldr	x11, [x20, #8]
	PUT	1, x11
	mov	x21, x20
	MOV64	x9, 0x0102030405060708
	MOV64	x10, 0x1112131415161718
	stp	x9, x10, [x21, #32]!
	stp	w10, w9, [x21, #16]
	str	x10, [x21], #24
	strh	w9, [x21, #-2]!
	sub	x12, x21, x20
	PUT	2, x12
	ldp	x11, x12, [x20, #32]
	PUT	3, x11
	PUT	4, x12
	ldp	x11, x12, [x20, #48]
	PUT	5, x11
	PUT	6, x12
	mov	x22, #7
	strb	w22, [x20, x22]
	mov	w23, #-1
	add	x24, x20, #64
	str	x9, [x24, w23, sxtw #3]		/* scratch[56..63] */
	stnp	x22, x9, [x20, #96]
	ldr	x11, [x20]
	PUT	7, x11
	ldr	x11, [x20, #56]
	PUT	8, x11
	ldp	x11, x12, [x20, #96]
	PUT	9, x11
	PUT	10, x12
	ROW	"store", 11
	EPILOGUE
	.size	test_addressing, . - test_addressing

/* --------------------------------------------------------------- literals */
	.p2align 3
lit64:
	.8byte	0xfedcba9876543210
lit32:
	.4byte	0x89abcdef
lit32b:
	.4byte	0x7654321f

	.type	test_literals, %function
test_literals:
	PROLOGUE
	SAY	"== literal loads, adr/adrp"
	ldr	x9, lit64
	PUT	0, x9
	mov	x9, #-1
	ldr	w9, lit32
	PUT	1, x9
	ldrsw	x9, lit32
	PUT	2, x9
	ldrsw	x9, lit32b
	PUT	3, x9
	ldr	x9, =0x0badc0ffee0ddf00d
	PUT	4, x9
	ldr	w9, =0x13579bdf
	PUT	5, x9
	prfm	pldl1keep, lit64
	adr	x10, lit64
	adrp	x11, lit64
	add	x11, x11, :lo12:lit64
	sub	x9, x10, x11
	PUT	6, x9
	adr	x10, 1f
	adr	x11, test_literals
	sub	x9, x10, x11
	PUT	7, x9				/* fixed code offset */
1:	bl	2f
2:	adr	x10, 2b
	sub	x9, x30, x10			/* bl sets x30 to the next instruction */
	PUT	8, x9
	ROW	"literal", 9
	b	3f
	.ltorg
3:	EPILOGUE
	.size	test_literals, . - test_literals

/* ------------------------------------------------------------- branches */
	.type	ret_seven, %function
ret_seven:
	mov	x0, #7
	ret
	.size	ret_seven, . - ret_seven

	.type	ret_via_x9, %function
ret_via_x9:
	mov	x0, #9
	ret	x9
	.size	ret_via_x9, . - ret_via_x9

	.type	test_branches, %function
test_branches:
	PROLOGUE
	SAY	"== tbz/tbnz masks, cbz/cbnz, indirect branches"
	adrp	x25, words
	add	x25, x25, :lo12:words
	MOV64	x19, 0x8000000180402011
	mov	x20, #0
	mov	x21, #0
	/* Reconstruct x19 bit by bit with tbnz, and its complement with tbz. */
	.set	bitpos, 0
	.rept	64
	tbz	x19, #bitpos, 1f
	orr	x20, x20, #(1 << bitpos)
1:	tbnz	x19, #bitpos, 2f
	orr	x21, x21, #(1 << bitpos)
2:
	.set	bitpos, bitpos + 1
	.endr
	PUT	0, x20
	PUT	1, x21
	/* tbz on a w register tests bits 0..31 only. */
	mov	x22, #0
	tbz	w19, #31, 3f
	orr	x22, x22, #1
3:	tbnz	w19, #4, 4f
	orr	x22, x22, #2
4:	PUT	2, x22
	mov	x22, #0
	mov	x23, #0x100000000
	cbz	w23, 5f				/* low half is zero: taken */
	orr	x22, x22, #1
5:	cbnz	x23, 6f				/* taken */
	orr	x22, x22, #2
6:	cbz	x23, 7f				/* not taken */
	orr	x22, x22, #4
7:	cbnz	w23, 8f				/* not taken */
	orr	x22, x22, #8
8:	PUT	3, x22
	adr	x9, ret_seven
	blr	x9
	PUT	4, x0
	adr	x10, 9f
	mov	x9, x10
	b	ret_via_x9
9:	PUT	5, x0
	adr	x10, 10f
	br	x10
	mov	x0, #0xbad
10:	PUT	6, x0
	/* A computed branch into a table of 4-byte entries. */
	mov	x11, #0
	mov	x12, #0
11:	adr	x10, 12f
	add	x10, x10, x11, lsl #3
	br	x10
12:	add	x12, x12, #1
	b	13f
	add	x12, x12, #10
	b	13f
	add	x12, x12, #100
	b	13f
13:	add	x11, x11, #1
	cmp	x11, #3
	b.lo	11b
	PUT	7, x12
	ROW	"branch", 8
	EPILOGUE
	.size	test_branches, . - test_branches

/* ------------------------------------------------------------ exclusives */
	.type	test_exclusive, %function
test_exclusive:
	PROLOGUE
	SAY	"== exclusives and acquire/release"
	adrp	x19, excl
	add	x19, x19, :lo12:excl
	MOV64	x9, 0x0123456789abcdef
	str	x9, [x19]
	MOV64	x9, 0xfedcba9876543210
	str	x9, [x19, #8]

	/* Increment loops on each size. */
1:	ldxr	x9, [x19]
	add	x9, x9, #1
	stxr	w10, x9, [x19]
	cbnz	w10, 1b
	PUT	0, x9
	PUT	1, x10
	add	x12, x19, #8
2:	ldaxr	w9, [x12]
	add	w9, w9, #0x100
	stlxr	w10, w9, [x12]
	cbnz	w10, 2b
	ldr	x11, [x19, #8]
	PUT	2, x11
	add	x12, x19, #2
3:	ldxrh	w9, [x12]
	eor	w9, w9, #0xffff
	stxrh	w10, w9, [x12]
	cbnz	w10, 3b
	ldr	x11, [x19]
	PUT	3, x11
	add	x12, x19, #15
4:	ldaxrb	w9, [x12]
	add	w9, w9, #1
	stlxrb	w10, w9, [x12]
	cbnz	w10, 4b
	ldr	x11, [x19, #8]
	PUT	4, x11
	add	x12, x19, #1
	ldxrb	w9, [x12]
	PUT	5, x9
	add	x12, x19, #6
	ldaxrh	w9, [x12]
	PUT	6, x9
	clrex

	/* After clrex the monitor is open: a store-exclusive must fail. */
	ldxr	x9, [x19]
	clrex
	mov	x11, #0x5a
	stxr	w10, x11, [x19]
	PUT	7, x10
	ldr	x11, [x19]
	PUT	8, x11				/* unchanged */

	/* Pairs. */
	MOV64	x20, 0x1111111122222222
	MOV64	x21, 0x3333333344444444
	stp	x20, x21, [x19, #16]
	add	x12, x19, #16
5:	ldxp	x9, x11, [x12]
	add	x9, x9, #1
	sub	x11, x11, #1
	stxp	w10, x11, x9, [x12]	/* store swapped */
	cbnz	w10, 5b
	ldp	x9, x11, [x19, #16]
	PUT	9, x9
	PUT	10, x11
	add	x12, x19, #32
6:	ldaxp	w9, w11, [x12]
	add	w9, w9, #3
	add	w11, w11, #4
	stlxp	w10, w9, w11, [x12]
	cbnz	w10, 6b
	ldr	x9, [x19, #32]
	PUT	11, x9
	add	x12, x19, #16
7:	ldaxp	x9, x11, [x12]
	stlxp	w10, x20, x21, [x12]
	cbnz	w10, 7b
	PUT	12, x9
	PUT	13, x11

	/* Load-acquire / store-release of every size. */
	MOV64	x9, 0x8899aabbccddeeff
	add	x12, x19, #40
	stlr	x9, [x12]
	mov	w9, #0x7788
	stlrh	w9, [x12]
	mov	w9, #0x66
	add	x13, x19, #47
	stlrb	w9, [x13]
	add	x13, x19, #44
	mov	w9, #0x5678
	movk	w9, #0x1234, lsl #16
	stlr	w9, [x13]
	ldar	x11, [x12]
	PUT	14, x11
	add	x12, x19, #41
	ldarb	w11, [x12]
	PUT	15, x11
	add	x12, x19, #42
	ldarh	w11, [x12]
	PUT	16, x11
	add	x12, x19, #44
	ldar	w11, [x12]
	PUT	17, x11
	dmb	ish
	dsb	sy
	isb
	ROW	"excl", 18
	EPILOGUE
	.size	test_exclusive, . - test_exclusive

/* ------------------------------------------------------- system registers */
	.type	test_sysregs, %function
test_sysregs:
	PROLOGUE
	SAY	"== TPIDR_EL0, DCZID_EL0, dc zva"
	mrs	x20, tpidr_el0			/* keep the original */
	MOV64	x9, 0x0123456789abcdef
	msr	tpidr_el0, x9
	mrs	x10, tpidr_el0
	PUT	0, x10
	msr	tpidr_el0, xzr
	mrs	x10, tpidr_el0
	PUT	1, x10
	msr	tpidr_el0, x20
	mrs	x9, ctr_el0			/* readable from EL0; value not printed */
	ROW	"tpidr", 2

	/*
	 * DCZID_EL0 (implementation defined; qemu's "max" CPU reports 7, i.e.
	 * 512-byte blocks) on its own line. The dc zva results below are
	 * printed relative to the block size so they read the same for any.
	 */
	mrs	x21, dczid_el0
	and	x9, x21, #0xf
	mov	x22, #4
	lsl	x22, x22, x9			/* block size in bytes = 4 << BS */
	PUT	0, x21
	PUT	1, x22
	ROW	"dczid (BS, block bytes)", 2
	tbnz	x21, #4, 3f			/* DZP: dc zva prohibited */

	/* Fill 4 KiB with 0xaa, then zero the block holding zva_buf + 2048 + 13. */
	adrp	x19, zva_buf
	add	x19, x19, :lo12:zva_buf
	mov	x9, x19
	MOV64	x10, 0xaaaaaaaaaaaaaaaa
	add	x11, x19, #4096
1:	str	x10, [x9], #8
	cmp	x9, x11
	b.lo	1b
	add	x9, x19, #2048
	add	x9, x9, #13
	dc	zva, x9
	/* Count zero bytes and find the first and last zero offsets. */
	mov	x23, #0				/* count */
	mov	x24, #-1			/* first */
	mov	x25, #-1			/* last */
	mov	x9, #0
2:	ldrb	w10, [x19, x9]
	cbnz	w10, 4f
	add	x23, x23, #1
	cmn	x24, #1
	csel	x24, x9, x24, eq
	mov	x25, x9
4:	add	x9, x9, #1
	cmp	x9, #4096
	b.lo	2b
	sub	x9, x23, x22			/* count - block size: 0 */
	PUT	0, x9
	sub	x9, x24, #2048			/* first zero - 2048: 0 */
	PUT	1, x9
	sub	x9, x25, #2047
	sub	x9, x9, x22			/* last zero - (2048 + block - 1): 0 */
	PUT	2, x9
	add	x12, x19, #2048
	ldur	x9, [x12, #-8]			/* just before the block */
	PUT	3, x9
	ldr	x9, [x12]			/* first word of the block */
	PUT	4, x9
	add	x13, x12, x22
	ldur	x9, [x13, #-8]			/* last word of the block */
	PUT	5, x9
	ldr	x9, [x13]			/* just after the block */
	PUT	6, x9
	ROW	"dczva", 7
	b	5f
3:	SAY	"dc zva prohibited"
5:	EPILOGUE
	.size	test_sysregs, . - test_sysregs

/* ------------------------------------------------------------------ main */
	.globl	main
	.type	main, %function
main:
	PROLOGUE
	bl	test_widths
	bl	test_addressing
	bl	test_literals
	bl	test_branches
	bl	test_exclusive
	bl	test_sysregs
	SAY	"done"
	EPILOGUE
	.size	main, . - main

	.section .note.GNU-stack, "", %progbits
