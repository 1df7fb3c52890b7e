/*
 * Data-processing instructions, results printed in hex:
 * adc/adcs/sbc/sbcs/ngc(s); csel/csinc/csinv/csneg and ccmp/ccmn under all
 * 16 conditions for all 16 NZCV values; extr/ror; bfm/ubfm/sbfm and their
 * aliases; rbit/rev/rev16/rev32/clz/cls; multiply and multiply-high forms;
 * variable shifts; extended/shifted-register add/sub/logical; move-wide;
 * NZCV reads and writes.
 */
#include "asmtest.h"

	.section .rodata
	.p2align 3
adc_pairs:
	.8byte	0, 0
	.8byte	1, 0xffffffffffffffff
	.8byte	0xffffffffffffffff, 0xffffffffffffffff
	.8byte	0x7fffffffffffffff, 1
	.8byte	0x8000000000000000, 0x8000000000000000
	.8byte	0x000000007fffffff, 0x0000000080000000
	.8byte	0x00000000ffffffff, 1
	.8byte	0x123456789abcdef0, 0x0fedcba987654321
	.8byte	0x8000000000000000, 1
	.8byte	5, 9
adc_pairs_end:

values:
	.8byte	0x0123456789abcdef
	.8byte	0xfedcba9876543210
	.8byte	0x8000000000000001
	.8byte	0x00000000ffff8000
	.8byte	0x000000000000007f
	.8byte	0xffffffff80000080
	.8byte	0
	.8byte	0xffffffffffffffff

shift_amounts:
	.8byte	0, 1, 31, 32, 33, 63, 64, 100, 0xffffffffffffffff

	.text

/* ---------------------------------------------------------------- adc */
	.type	test_adc, %function
test_adc:
	PROLOGUE
	SAY	"== adc/adcs/sbc/sbcs/ngc/ngcs: a b carry-in, then results"
	adrp	x19, adc_pairs
	add	x19, x19, :lo12:adc_pairs
	adrp	x20, adc_pairs_end
	add	x20, x20, :lo12:adc_pairs_end
1:	ldp	x21, x22, [x19], #16
	mov	x23, #0
2:	/* carry 0: NZCV = 1101 (everything but C); carry 1: NZCV = 0010 */
	mov	x24, #0xd0000000
	mov	x9, #0x20000000
	cmp	x23, #0
	csel	x24, x24, x9, eq
	PUT	0, x21
	PUT	1, x22
	PUT	2, x23
	msr	nzcv, x24
	adc	x10, x21, x22
	PUT	3, x10
	msr	nzcv, x24
	adcs	x10, x21, x22
	mrs	x11, nzcv
	PUT	4, x10
	PUT	5, x11
	msr	nzcv, x24
	sbc	x10, x21, x22
	PUT	6, x10
	msr	nzcv, x24
	sbcs	x10, x21, x22
	mrs	x11, nzcv
	PUT	7, x10
	PUT	8, x11
	mov	x10, #-1
	msr	nzcv, x24
	adc	w10, w21, w22
	PUT	9, x10
	msr	nzcv, x24
	adcs	w10, w21, w22
	mrs	x11, nzcv
	PUT	10, x10
	PUT	11, x11
	msr	nzcv, x24
	sbc	w10, w21, w22
	PUT	12, x10
	msr	nzcv, x24
	sbcs	w10, w21, w22
	mrs	x11, nzcv
	PUT	13, x10
	PUT	14, x11
	msr	nzcv, x24
	ngcs	x10, x22
	mrs	x11, nzcv
	PUT	15, x10
	PUT	16, x11
	msr	nzcv, x24
	ngc	w10, w21
	PUT	17, x10
	ROW	"adc", 18
	add	x23, x23, #1
	cmp	x23, #2
	b.lo	2b
	cmp	x19, x20
	b.lo	1b
	EPILOGUE
	.size	test_adc, . - test_adc

/* ---------------------------------------------------------- conditions */
/*
 * For each NZCV value 0..15:
 *  [0] bit i set if condition i holds (csel), conditions in encoding order
 *      eq ne cs cc mi pl vs vc hi ls ge lt gt le al nv
 *  [1..3] nibble i = low 4 bits of csinc/csinv/csneg x(5), x(9) under cond i
 *  [4] hash of the full 64- and 32-bit results
 *  [5] NZCV afterwards (must be unchanged)
 *  [6..9] nibble i = NZCV after ccmp reg / ccmp imm / ccmn reg / ccmn imm
 */
	.type	test_cond, %function
test_cond:
	PROLOGUE
	SAY	"== conditional select and compare for NZCV = 0..15"
	mov	x19, #0
	mov	x21, #5
	mov	x22, #9
	mov	x23, #-5
1:	lsl	x24, x19, #28
	msr	nzcv, x24
	mov	x10, #0
	mov	x11, #0
	mov	x12, #0
	mov	x13, #0
	mov	x14, #7
	mov	x15, #31
	mov	x17, #1
	.set	ci, 0
	.irp	c, eq,ne,cs,cc,mi,pl,vs,vc,hi,ls,ge,lt,gt,le,al,nv
	csel	x16, x17, xzr, \c
	orr	x10, x10, x16, lsl #ci
	csel	x9, x21, x22, \c
	madd	x14, x14, x15, x9
	csinc	x9, x21, x22, \c
	bfi	x11, x9, #(4 * ci), #4
	madd	x14, x14, x15, x9
	csinv	x9, x21, x22, \c
	bfi	x12, x9, #(4 * ci), #4
	madd	x14, x14, x15, x9
	csneg	x9, x21, x22, \c
	bfi	x13, x9, #(4 * ci), #4
	madd	x14, x14, x15, x9
	csinc	w9, w22, w23, \c
	madd	x14, x14, x15, x9
	csinv	w9, w23, w21, \c
	madd	x14, x14, x15, x9
	csneg	w9, w21, w23, \c
	madd	x14, x14, x15, x9
	.set	ci, ci + 1
	.endr
	mrs	x9, nzcv
	PUT	0, x10
	PUT	1, x11
	PUT	2, x12
	PUT	3, x13
	PUT	4, x14
	PUT	5, x9
	mov	x10, #0
	mov	x11, #0
	mov	x12, #0
	mov	x13, #0
	.set	ci, 0
	.irp	c, eq,ne,cs,cc,mi,pl,vs,vc,hi,ls,ge,lt,gt,le,al,nv
	msr	nzcv, x24
	ccmp	x21, x22, #6, \c		/* 5 - 9: N */
	mrs	x9, nzcv
	lsr	x9, x9, #28
	bfi	x10, x9, #(4 * ci), #4
	msr	nzcv, x24
	ccmp	w21, #5, #0xa, \c		/* 5 - 5: ZC */
	mrs	x9, nzcv
	lsr	x9, x9, #28
	bfi	x11, x9, #(4 * ci), #4
	msr	nzcv, x24
	ccmn	x21, x22, #0xb, \c		/* 5 + 9: none */
	mrs	x9, nzcv
	lsr	x9, x9, #28
	bfi	x12, x9, #(4 * ci), #4
	msr	nzcv, x24
	ccmn	x23, #5, #0x9, \c		/* -5 + 5: ZC */
	mrs	x9, nzcv
	lsr	x9, x9, #28
	bfi	x13, x9, #(4 * ci), #4
	.set	ci, ci + 1
	.endr
	PUT	6, x10
	PUT	7, x11
	PUT	8, x12
	PUT	9, x13
	ROW	"cond", 10
	add	x19, x19, #1
	cmp	x19, #16
	b.lo	1b

	/* ccmp/ccmn overflow cases: compare results that set V. */
	MOV64	x21, 0x8000000000000000
	mov	x22, #1
	cmp	x21, x21			/* Z=1 C=1 -> eq holds */
	ccmp	x21, x22, #0, eq		/* INT64_MIN - 1: V, C */
	mrs	x9, nzcv
	PUT	0, x9
	cmp	x21, x21
	ccmn	x21, x21, #0, eq		/* INT64_MIN + INT64_MIN: V, C, Z */
	mrs	x9, nzcv
	PUT	1, x9
	mov	w21, #0x7fffffff
	cmp	x21, x21
	ccmn	w21, #1, #0, eq			/* INT32_MAX + 1: N, V */
	mrs	x9, nzcv
	PUT	2, x9
	ROW	"ccmp-v", 3
	EPILOGUE
	.size	test_cond, . - test_cond

/* ------------------------------------------------------- bit fields etc */
	.type	test_bits, %function
test_bits:
	PROLOGUE
	SAY	"== extr, bitfield moves, bit reversal/counting, multiplies per value pair"
	adrp	x25, values
	add	x25, x25, :lo12:values
	mov	x19, #0
1:	ldr	x21, [x25, x19, lsl #3]
	add	x9, x19, #3
	and	x9, x9, #7
	ldr	x22, [x25, x9, lsl #3]
	PUT	0, x21
	PUT	1, x22
	ROW	"pair", 2

	extr	x9, x21, x22, #0
	PUT	0, x9
	extr	x9, x21, x22, #1
	PUT	1, x9
	extr	x9, x21, x22, #13
	PUT	2, x9
	extr	x9, x21, x22, #32
	PUT	3, x9
	extr	x9, x21, x22, #63
	PUT	4, x9
	mov	x9, #-1
	extr	w9, w21, w22, #0
	PUT	5, x9
	extr	w9, w21, w22, #1
	PUT	6, x9
	extr	w9, w21, w22, #17
	PUT	7, x9
	extr	w9, w21, w22, #31
	PUT	8, x9
	ror	x9, x21, #7
	PUT	9, x9
	ror	w9, w21, #7
	PUT	10, x9
	ROW	"extr", 11

	mov	x9, x22
	bfi	x9, x21, #8, #12
	PUT	0, x9
	mov	x9, x22
	bfxil	x9, x21, #4, #16
	PUT	1, x9
	mov	x9, x22
	bfi	x9, x21, #63, #1
	PUT	2, x9
	mov	x9, x22
	bfxil	x9, x21, #0, #64
	PUT	3, x9
	ubfx	x9, x21, #3, #17
	PUT	4, x9
	sbfx	x9, x21, #60, #4
	PUT	5, x9
	sbfx	x9, x21, #7, #9
	PUT	6, x9
	ubfiz	x9, x21, #40, #16
	PUT	7, x9
	sbfiz	x9, x21, #36, #20
	PUT	8, x9
	sxtb	x9, w21
	PUT	9, x9
	sxth	x9, w21
	PUT	10, x9
	sxtw	x9, w21
	PUT	11, x9
	mov	x9, #-1
	uxtb	w9, w21
	PUT	12, x9
	mov	x9, #-1
	uxth	w9, w21
	PUT	13, x9
	lsl	x9, x21, #17
	PUT	14, x9
	lsr	x9, x21, #33
	PUT	15, x9
	asr	x9, x21, #40
	PUT	16, x9
	ROW	"bfm64", 17

	mov	x9, x22
	bfi	w9, w21, #20, #12
	PUT	0, x9
	mov	x9, x22
	bfxil	w9, w21, #16, #16
	PUT	1, x9
	mov	x9, x22
	ubfx	w9, w21, #5, #20
	PUT	2, x9
	sbfx	w9, w21, #28, #4
	PUT	3, x9
	sbfiz	w9, w21, #8, #8
	PUT	4, x9
	sxtb	w9, w21
	PUT	5, x9
	sxth	w9, w21
	PUT	6, x9
	lsl	w9, w21, #5
	PUT	7, x9
	lsr	w9, w21, #9
	PUT	8, x9
	asr	w9, w21, #31
	PUT	9, x9
	ubfm	x9, x21, #60, #3		/* immr > imms: ubfiz #4, #4 */
	PUT	10, x9
	sbfm	x9, x21, #62, #5		/* sbfiz #2, #6 */
	PUT	11, x9
	mov	x9, x22
	bfm	x9, x21, #61, #3		/* bfi #3, #4 */
	PUT	12, x9
	mov	x9, x22
	bfm	x9, x21, #8, #3			/* immr > imms wraps around */
	PUT	13, x9
	sbfm	x9, x21, #63, #63		/* asr #63 */
	PUT	14, x9
	ubfm	w9, w21, #31, #30		/* lsl #1 */
	PUT	15, x9
	mov	x9, x22
	bfm	w9, w21, #31, #0
	PUT	16, x9
	ROW	"bfm32", 17

	rbit	x9, x21
	PUT	0, x9
	rbit	w9, w21
	PUT	1, x9
	rev	x9, x21
	PUT	2, x9
	rev	w9, w21
	PUT	3, x9
	rev16	x9, x21
	PUT	4, x9
	rev16	w9, w21
	PUT	5, x9
	rev32	x9, x21
	PUT	6, x9
	clz	x9, x21
	PUT	7, x9
	clz	w9, w21
	PUT	8, x9
	cls	x9, x21
	PUT	9, x9
	cls	w9, w21
	PUT	10, x9
	ROW	"bits", 11

	MOV64	x23, 0x1122334455667788
	smulh	x9, x21, x22
	PUT	0, x9
	umulh	x9, x21, x22
	PUT	1, x9
	smaddl	x9, w21, w22, x23
	PUT	2, x9
	umsubl	x9, w21, w22, x23
	PUT	3, x9
	umaddl	x9, w21, w22, x23
	PUT	4, x9
	smsubl	x9, w21, w22, x23
	PUT	5, x9
	madd	x9, x21, x22, x23
	PUT	6, x9
	msub	x9, x21, x22, x23
	PUT	7, x9
	mneg	x9, x21, x22
	PUT	8, x9
	smull	x9, w21, w22
	PUT	9, x9
	umull	x9, w21, w22
	PUT	10, x9
	smnegl	x9, w21, w22
	PUT	11, x9
	umnegl	x9, w21, w22
	PUT	12, x9
	mul	w9, w21, w22
	PUT	13, x9
	madd	w9, w21, w22, w23
	PUT	14, x9
	msub	w9, w21, w22, w23
	PUT	15, x9
	ROW	"mul", 16

	/* Extended and shifted register operands. */
	add	x9, x21, w22, sxtb
	PUT	0, x9
	add	x9, x21, w22, uxth #2
	PUT	1, x9
	sub	x9, x21, w22, sxtw #4
	PUT	2, x9
	adds	x9, x21, x22, uxtx #1
	mrs	x10, nzcv
	PUT	3, x9
	PUT	4, x10
	subs	x9, x21, w22, uxtw #3
	mrs	x10, nzcv
	PUT	5, x9
	PUT	6, x10
	add	x9, x21, x22, lsl #7
	PUT	7, x9
	sub	x9, x21, x22, asr #3
	PUT	8, x9
	adds	w9, w21, w22, lsr #5
	mrs	x10, nzcv
	PUT	9, x9
	PUT	10, x10
	eor	x9, x21, x22, ror #7
	PUT	11, x9
	orn	x9, x21, x22, lsl #3
	PUT	12, x9
	bics	x9, x21, x22, asr #2
	mrs	x10, nzcv
	PUT	13, x9
	PUT	14, x10
	eon	w9, w21, w22, ror #31
	PUT	15, x9
	tst	x21, #0xff00
	mrs	x10, nzcv
	PUT	16, x10
	neg	x9, x22, lsl #1
	PUT	17, x9
	negs	w9, w21
	mrs	x10, nzcv
	PUT	18, x9
	PUT	19, x10
	ands	w9, w21, #0x80000001
	mrs	x10, nzcv
	PUT	20, x9
	PUT	21, x10
	mov	x9, sp
	add	x10, sp, w21, uxtb		/* extended form with sp as base */
	sub	x10, x10, x9
	PUT	22, x10
	ROW	"ext", 23

	add	x19, x19, #1
	cmp	x19, #8
	b.lo	1b
	EPILOGUE
	.size	test_bits, . - test_bits

/* --------------------------------------------------------- variable shifts */
	.type	test_shifts, %function
test_shifts:
	PROLOGUE
	SAY	"== lslv/lsrv/asrv/rorv (x then w) per value and amount"
	adrp	x25, values
	add	x25, x25, :lo12:values
	adrp	x26, shift_amounts
	add	x26, x26, :lo12:shift_amounts
	mov	x19, #0
1:	ldr	x21, [x25, x19, lsl #3]
	mov	x20, #0
2:	ldr	x23, [x26, x20, lsl #3]
	PUT	0, x21
	PUT	1, x23
	lslv	x9, x21, x23
	PUT	2, x9
	lsrv	x9, x21, x23
	PUT	3, x9
	asrv	x9, x21, x23
	PUT	4, x9
	rorv	x9, x21, x23
	PUT	5, x9
	lsl	w9, w21, w23
	PUT	6, x9
	lsr	w9, w21, w23
	PUT	7, x9
	asr	w9, w21, w23
	PUT	8, x9
	ror	w9, w21, w23
	PUT	9, x9
	ROW	"shift", 10
	add	x20, x20, #1
	cmp	x20, #9
	b.lo	2b
	add	x19, x19, #2
	cmp	x19, #8
	b.lo	1b
	EPILOGUE
	.size	test_shifts, . - test_shifts

/* ------------------------------------------------------ move wide, NZCV */
	.type	test_misc, %function
test_misc:
	PROLOGUE
	SAY	"== move wide"
	movz	x9, #0xbeef, lsl #48
	PUT	0, x9
	movn	x9, #0x1234, lsl #16
	PUT	1, x9
	movn	w9, #0x1234, lsl #16
	PUT	2, x9
	mov	x9, #-1
	movk	x9, #0xcafe, lsl #32
	PUT	3, x9
	mov	x9, #-1
	movk	w9, #0xcafe
	PUT	4, x9
	mov	x9, #0x5555555555555555		/* bitmask immediate (orr) */
	PUT	5, x9
	mov	w9, #0xfffffffe
	PUT	6, x9
	orr	x9, xzr, #0x00ff00ff00ff00ff
	PUT	7, x9
	eor	x9, x9, #0xf0f0f0f0f0f0f0f0
	PUT	8, x9
	and	w9, w9, #0x3c
	PUT	9, x9
	MOV64	x9, 0xfedcba9876543210
	PUT	10, x9
	ROW	"movw", 11

	SAY	"== NZCV writes and reads"
	mov	x9, #-1
	msr	nzcv, x9
	mrs	x10, nzcv
	PUT	0, x10
	mov	x9, #0x0fffffff
	msr	nzcv, x9
	mrs	x10, nzcv
	PUT	1, x10
	MOV64	x9, 0xa5a5a5a5a5a5a5a5
	msr	nzcv, x9
	mrs	x10, nzcv
	PUT	2, x10
	mov	x9, #0x50000000
	msr	nzcv, x9
	b.eq	1f				/* Z is set: taken */
	mov	x10, #0xbad
	b	2f
1:	mov	x10, #0x600d
2:	PUT	3, x10
	b.vs	3f				/* V set: taken */
	mov	x10, #0xbad
	b	4f
3:	mov	x10, #0x600d
4:	PUT	4, x10
	mov	x9, #0
	msr	nzcv, x9
	cmp	x9, #1				/* 0 - 1: N, borrow (C clear) */
	mrs	x10, nzcv
	PUT	5, x10
	MOV64	x9, 0x7fffffffffffffff
	adds	x11, x9, #1			/* N V */
	mrs	x10, nzcv
	PUT	6, x10
	cmp	w9, w9				/* Z C */
	mrs	x10, nzcv
	PUT	7, x10
	cmn	w9, #1				/* 0xffffffff + 1: Z C */
	mrs	x10, nzcv
	PUT	8, x10
	ROW	"nzcv", 9
	EPILOGUE
	.size	test_misc, . - test_misc

/* ------------------------------------------------------------------ main */
	.globl	main
	.type	main, %function
main:
	PROLOGUE
	bl	test_adc
	bl	test_cond
	bl	test_bits
	bl	test_shifts
	bl	test_misc
	SAY	"done"
	EPILOGUE
	.size	main, . - main

	.section .note.GNU-stack, "", %progbits
