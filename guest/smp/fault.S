// Every CPU but the last sets x19 = 0x1900 + its index, counts itself in
// `started` and spins counting in x20. The last CPU waits until all others
// have started, then loads from an address below RAM (0x1000).

    .text
    .global smp_main
    .type smp_main, %function
smp_main:
    mov     x19, #0x1900
    add     x19, x19, x0
    mov     x20, #0
    adrp    x6, started
    add     x6, x6, :lo12:started
    sub     x2, x1, #1
    cmp     x0, x2
    b.eq    1f
    mov     x7, #1
    stadd   x7, [x6]
    b       fault_spin
1:  ldar    x7, [x6]
    cmp     x7, x2
    b.ne    1b
    mov     x4, #0x1000
    .global fault_load
fault_load:
    ldr     x5, [x4]
    .global fault_spin
fault_spin:
    add     x20, x20, #1
    b       fault_spin
    .size smp_main, . - smp_main

    .bss
    .balign 8
started:
    .quad   0
