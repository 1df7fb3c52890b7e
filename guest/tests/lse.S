/*
 * ARMv8.1 LSE atomics (build with -march=armv8.1-a), results printed in hex:
 * ldadd/ldclr/ldeor/ldset/ldsmax/ldsmin/ldumax/ldumin/swp in b/h/w/x sizes
 * with no/acquire/acquire-release/release ordering, the st* aliases,
 * cas in every size and ordering (success and failure) and casp (pairs).
 *
 * For each operation a row holds, per ordering (-, a, al, l), the register
 * result (old memory value, zero-extended; the register is preset to all
 * ones) followed by the full 64-bit memory word afterwards.
 */
#include "asmtest.h"

	.arch	armv8.1-a

	.section .rodata
	.p2align 3
inputs:		/* memory value, register operand */
	.8byte	0x0123456789abcdef, 0xfedcba9876543210
	.8byte	0x7f7f7f7f7f7f7f7f, 0x8080808080808081
	.8byte	0xffffffffffffffff, 0x0000000000000001
inputs_end:

	.bss
	.p2align 4
slot:
	.zero	32

	.text

/* One operation with ordering \ord (empty, a, al, l) into rowbuf[col], [col + 1]. */
.macro LSE_ONE op, ord, sfx, r, col
	str	x21, [x19]
	mov	x10, #-1
	\op\ord\sfx	\r\()22, \r\()10, [x19]
	ldr	x11, [x19]
	PUT	\col, x10
	PUT	\col + 1, x11
.endm

/* One row: \op with every ordering, size suffix \sfx, register prefix \r. */
.macro LSE_ROW op, sfx, r
	LSE_ONE	\op, , \sfx, \r, 0
	LSE_ONE	\op, a, \sfx, \r, 2
	LSE_ONE	\op, al, \sfx, \r, 4
	LSE_ONE	\op, l, \sfx, \r, 6
	ROW	"\op\sfx \r", 8
.endm

.macro LSE_ALL_SIZES op
	LSE_ROW	\op, b, w
	LSE_ROW	\op, h, w
	LSE_ROW	\op, , w
	LSE_ROW	\op, , x
.endm

/* st<op>: no register result; memory after, for each size. */
.macro ST_ONE op, ord, col
	str	x21, [x19]
	\op\ord\()b	w22, [x19]
	ldr	x11, [x19]
	PUT	\col, x11
	str	x21, [x19]
	\op\ord\()h	w22, [x19]
	ldr	x11, [x19]
	PUT	\col + 1, x11
	str	x21, [x19]
	\op\ord	w22, [x19]
	ldr	x11, [x19]
	PUT	\col + 2, x11
	str	x21, [x19]
	\op\ord	x22, [x19]
	ldr	x11, [x19]
	PUT	\col + 3, x11
.endm

.macro ST_ROW op
	ST_ONE	\op, , 0
	ST_ONE	\op, l, 4
	ROW	"\op", 8
.endm

/*
 * cas: a successful compare (the compare register differs from memory only
 * above the operand size) and a failing one; each records the compare
 * register afterwards and the memory word.
 */
.macro CAS_ONE ord, sfx, r, col
	str	x21, [x19]
	MOV64	x10, 0xa5a5a5a500000000
	eor	x10, x10, x21
	.ifc	\r, x
	mov	x10, x21
	.endif
	.ifc	\sfx, b
	eor	x10, x21, #0xffffff00
	.endif
	.ifc	\sfx, h
	eor	x10, x21, #0xffff0000
	.endif
	cas\ord\sfx	\r\()10, \r\()22, [x19]
	ldr	x11, [x19]
	PUT	\col, x10
	PUT	\col + 1, x11
	str	x21, [x19]
	add	x10, x21, #1			/* differs in the low byte */
	cas\ord\sfx	\r\()10, \r\()22, [x19]
	ldr	x11, [x19]
	PUT	\col + 2, x10
	PUT	\col + 3, x11
.endm

.macro CAS_ROW sfx, r
	CAS_ONE	, \sfx, \r, 0
	CAS_ONE	a, \sfx, \r, 4
	CAS_ONE	al, \sfx, \r, 8
	CAS_ONE	l, \sfx, \r, 12
	ROW	"cas\sfx \r", 16
.endm

/* casp: pairs (r10, r11) compared with memory, (r12, r13) stored. */
.macro CASP_ROW ord, r, step
	str	x21, [x19]
	str	x22, [x19, #\step]
	mov	x10, x21
	mov	x11, x22
	eor	x12, x21, x22
	add	x13, x22, #0x77
	casp\ord	\r\()10, \r\()11, \r\()12, \r\()13, [x19]
	ldp	x14, x15, [x19]
	PUT	0, x10
	PUT	1, x11
	PUT	2, x14
	PUT	3, x15
	str	x21, [x19]
	str	x22, [x19, #\step]
	mov	x10, x21
	add	x11, x22, #1			/* second word differs */
	casp\ord	\r\()10, \r\()11, \r\()12, \r\()13, [x19]
	ldp	x14, x15, [x19]
	PUT	4, x10
	PUT	5, x11
	PUT	6, x14
	PUT	7, x15
	ROW	"casp\ord \r", 8
.endm

.macro CASP_ALL r, step
	CASP_ROW	, \r, \step
	CASP_ROW	a, \r, \step
	CASP_ROW	al, \r, \step
	CASP_ROW	l, \r, \step
.endm

	.globl	main
	.type	main, %function
main:
	PROLOGUE
	adrp	x19, slot
	add	x19, x19, :lo12:slot
	adrp	x20, inputs
	add	x20, x20, :lo12:inputs
	adrp	x23, inputs_end
	add	x23, x23, :lo12:inputs_end
1:	ldp	x21, x22, [x20], #16
	PUT	0, x21
	PUT	1, x22
	ROW	"== inputs (memory, operand)", 2
	LSE_ALL_SIZES	ldadd
	LSE_ALL_SIZES	ldclr
	LSE_ALL_SIZES	ldeor
	LSE_ALL_SIZES	ldset
	LSE_ALL_SIZES	ldsmax
	LSE_ALL_SIZES	ldsmin
	LSE_ALL_SIZES	ldumax
	LSE_ALL_SIZES	ldumin
	LSE_ALL_SIZES	swp
	ST_ROW	stadd
	ST_ROW	stclr
	ST_ROW	steor
	ST_ROW	stset
	ST_ROW	stsmax
	ST_ROW	stsmin
	ST_ROW	stumax
	ST_ROW	stumin
	CAS_ROW	b, w
	CAS_ROW	h, w
	CAS_ROW	, w
	CAS_ROW	, x
	/* Zero register as the new value, and a result into the zero register. */
	str	x21, [x19]
	mov	x10, x21
	casal	x10, xzr, [x19]
	ldr	x11, [x19]
	PUT	0, x10
	PUT	1, x11
	str	x21, [x19]
	ldaddal	x22, xzr, [x19]			/* same as staddl */
	ldr	x11, [x19]
	PUT	2, x11
	ROW	"zr", 3
	CASP_ALL	x, 8
	CASP_ALL	w, 4
	cmp	x20, x23
	b.lo	1b
	SAY	"done"
	EPILOGUE
	.size	main, . - main

	.section .note.GNU-stack, "", %progbits
