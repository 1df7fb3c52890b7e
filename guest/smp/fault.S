// The last CPU loads from an address below RAM (0x1000) after a short delay;
// every other CPU spins with x19 = 0x1900 + its index and x20 counting.

    .text
    .global smp_main
    .type smp_main, %function
smp_main:
    mov     x19, #0x1900
    add     x19, x19, x0
    mov     x20, #0
    sub     x2, x1, #1
    cmp     x0, x2
    b.ne    fault_spin
    mov     x3, #3000
1:  subs    x3, x3, #1
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
