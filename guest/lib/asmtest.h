/*
 * Helpers for the assembly test programs (include once, from a .S file).
 *
 * A test's main keeps x28 pointing at a 32-entry row buffer. Results are
 * stored with PUT (no flags or other registers touched) and printed with ROW,
 * which calls the runtime's print_hex_row: "label: v0 v1 ...".
 * ROW, SAY and PRINT call C code and therefore clobber x0-x18, x30 and NZCV;
 * keep long-lived values in x19-x27.
 */

	.bss
	.p2align 4
rowbuf:
	.zero	8 * 32

	.text

/* Saves x19-x30 and points x28 at the row buffer. */
.macro PROLOGUE
	stp	x29, x30, [sp, #-96]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	adrp	x28, rowbuf
	add	x28, x28, :lo12:rowbuf
.endm

/* Restores registers and returns w0 = 0 from main. */
.macro EPILOGUE
	mov	w0, #0
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
.endm

/* rowbuf[idx] = reg (an X register). */
.macro PUT idx, reg
	str	\reg, [x28, #(8 * (\idx))]
.endm

/* Loads the address of a NUL-terminated copy of text into reg. */
.macro STRADDR reg, text
	.pushsection .rodata.asmtest, "a"
9997:	.asciz	"\text"
	.popsection
	adrp	\reg, 9997b
	add	\reg, \reg, :lo12:9997b
.endm

/* Prints rowbuf[0 .. n-1] after a label. */
.macro ROW label, n
	STRADDR	x0, "\label"
	mov	x1, x28
	mov	w2, #(\n)
	bl	print_hex_row
.endm

/* Prints a line of text. */
.macro SAY text
	STRADDR	x0, "\text"
	bl	puts
.endm

/* Prints "label: value" for one X register. */
.macro PRINT label, reg
	mov	x1, \reg
	STRADDR	x0, "\label"
	bl	print_hex64
.endm

/* Loads a 64-bit constant (movz/movk sequence chosen by the assembler's mov). */
.macro LI reg, value
	ldr	\reg, =\value
.endm

/* Loads a 64-bit constant with movz + three movk. */
.macro MOV64 reg, value
	movz	\reg, #((\value) & 0xffff)
	movk	\reg, #(((\value) >> 16) & 0xffff), lsl #16
	movk	\reg, #(((\value) >> 32) & 0xffff), lsl #32
	movk	\reg, #(((\value) >> 48) & 0xffff), lsl #48
.endm
