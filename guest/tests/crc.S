/*
 * CRC32 instructions (FEAT_CRC32, part of Armv8.1; build with
 * -march=armv8.1-a), results printed in hex:
 *
 * - every form (crc32b/h/w/x, crc32cb/ch/cw/cx) on a few accumulator and
 *   data pairs, the zero register as either source, and data with bits set
 *   above the width the form reads;
 * - the standard check values: CRC-32 and CRC-32C of "123456789" (initial
 *   value and final XOR all ones), byte by byte and eight bytes at a time.
 */
#include "asmtest.h"

	.arch	armv8.1-a

	.section .rodata
	.p2align 3
pairs:		/* accumulator, data */
	.8byte	0x0000000000000000, 0x0000000000000000
	.8byte	0x00000000ffffffff, 0x0123456789abcdef
	.8byte	0xdeadbeef12345678, 0xfedcba9876543210
	.8byte	0x0000000080000001, 0xffffffffffffff80
pairs_end:
check:	.ascii	"123456789"
	.p2align 3
check8:	.ascii	"12345678"

	.text

/* All eight forms on (x21, x22) into rowbuf[0..7]. */
.macro CRC_ALL
	crc32b	w10, w21, w22
	PUT	0, x10
	crc32h	w10, w21, w22
	PUT	1, x10
	crc32w	w10, w21, w22
	PUT	2, x10
	crc32x	w10, w21, x22
	PUT	3, x10
	crc32cb	w10, w21, w22
	PUT	4, x10
	crc32ch	w10, w21, w22
	PUT	5, x10
	crc32cw	w10, w21, w22
	PUT	6, x10
	crc32cx	w10, w21, x22
	PUT	7, x10
.endm

	.globl	main
	.type	main, %function
main:
	PROLOGUE
	adrp	x19, pairs
	add	x19, x19, :lo12:pairs
	adrp	x20, pairs_end
	add	x20, x20, :lo12:pairs_end
1:	ldp	x21, x22, [x19], #16
	CRC_ALL
	ROW	"crc32 b h w x, crc32c b h w x", 8
	cmp	x19, x20
	b.ne	1b

	/* zero register as accumulator and as data */
	mov	x22, #0x1234
	crc32w	w10, wzr, w22
	PUT	0, x10
	crc32cx	w10, wzr, x22
	PUT	1, x10
	movn	w21, #0
	crc32b	w10, w21, wzr
	PUT	2, x10
	crc32cx	w10, w21, xzr
	PUT	3, x10
	ROW	"zero register", 4

	/* "123456789" byte by byte */
	adrp	x23, check
	add	x23, x23, :lo12:check
	movn	w10, #0
	movn	w11, #0
	mov	x12, #0
2:	ldrb	w13, [x23, x12]
	crc32b	w10, w10, w13
	crc32cb	w11, w11, w13
	add	x12, x12, #1
	cmp	x12, #9
	b.ne	2b
	mvn	w10, w10
	mvn	w11, w11
	PUT	0, x10
	PUT	1, x11
	/* the first eight bytes with one crc32x, the ninth with crc32b */
	adrp	x24, check8
	ldr	x13, [x24, :lo12:check8]
	movn	w10, #0
	movn	w11, #0
	crc32x	w10, w10, x13
	crc32cx	w11, w11, x13
	mov	w13, #'9'
	crc32b	w10, w10, w13
	crc32cb	w11, w11, w13
	mvn	w10, w10
	mvn	w11, w11
	PUT	2, x10
	PUT	3, x11
	ROW	"check crc32 crc32c (bytes, x+b)", 4
	EPILOGUE
