/*
 * Process entry point for the guest programs.
 *
 * On entry (Linux AArch64 ABI) the stack holds:
 *   [sp]            argc
 *   [sp + 8]        argv[0] .. argv[argc - 1], NULL
 *   then            envp[0] .. NULL
 *   then            auxv pairs (type, value) .. AT_NULL
 *
 * _start calls main(argc, argv, envp) and passes its return value to exit(),
 * which flushes buffered output and issues exit_group.
 *
 * When the C code is built with -fpatchable-function-entry=N, the build also
 * defines PATCHABLE_ENTRY=N for this file so that _start carries the same
 * patch site as compiled functions: N NOPs at the symbol address, recorded in
 * the __patchable_function_entries section.  Tools that walk that section or
 * expect every function symbol to start with the NOP pad then treat _start
 * like any other function.  (Patching it is harmless: x30 is zero at entry and
 * _start never returns.)
 */

	.text
	.p2align 3
	.globl	_start
	.type	_start, %function
_start:
#if defined(PATCHABLE_ENTRY) && PATCHABLE_ENTRY > 0
	.pushsection __patchable_function_entries, "awo", @progbits, _start
	.p2align 3
	.8byte	.Lstart_patch_site
	.popsection
.Lstart_patch_site:
	.rept	PATCHABLE_ENTRY
	nop
	.endr
#endif
	mov	x29, #0			/* terminate the frame chain */
	mov	x30, #0
	mov	x9, sp
	ldr	x0, [x9]		/* argc */
	add	x1, x9, #8		/* argv */
	add	x2, x1, x0, lsl #3
	add	x2, x2, #8		/* envp: skip argv[] and its NULL */
	adrp	x10, environ
	str	x2, [x10, :lo12:environ]
	and	x9, x9, #~15		/* the ABI guarantees this; be defensive */
	mov	sp, x9
	bl	main
	bl	exit			/* w0 = main's return value; never returns */
	brk	#0x3e8
	.size	_start, . - _start

	.bss
	.p2align 3
	.globl	environ
	.type	environ, %object
	.size	environ, 8
environ:
	.zero	8

	.section .note.GNU-stack, "", %progbits
