// Kernel-profile entry: every CPU arrives here at EL1 with x0 = its index,
// x1 = the CPU count and SP = 0. Each CPU takes its own stack from
// smp_stacks, then runs smp_main(cpu, ncpus); returning from it ends the
// machine with its value as the exit code.

    .section .text.boot, "ax"
    .global _start
    .type _start, %function
_start:
    adrp    x2, smp_stacks
    add     x2, x2, :lo12:smp_stacks
    add     x3, x0, #1
    lsl     x3, x3, #SMP_STACK_SHIFT
    add     x2, x2, x3
    mov     sp, x2
    mov     x29, #0
    mov     x30, #0
    bl      smp_main
    bl      hc_exit
1:  b       1b
    .size _start, . - _start
