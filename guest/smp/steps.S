// For exact stepping: CPU 0 stores 1 to `flag` then counts in x3; CPU 1 loads
// `flag` twice (into w2, then w3) then counts in x4; other CPUs count in x5.

    .text
    .global smp_main
    .type smp_main, %function
smp_main:
    cmp     x0, #1
    b.eq    cpu1
    b.hi    others
    adrp    x1, flag
    add     x1, x1, :lo12:flag
    mov     w2, #1
    .global cpu0_store
cpu0_store:
    str     w2, [x1]
    mov     x3, #0
    .global cpu0_loop
cpu0_loop:
    add     x3, x3, #1
    b       cpu0_loop
cpu1:
    adrp    x1, flag
    add     x1, x1, :lo12:flag
    .global cpu1_load1
cpu1_load1:
    ldr     w2, [x1]
    .global cpu1_load2
cpu1_load2:
    ldr     w3, [x1]
    mov     x4, #0
2:  add     x4, x4, #1
    b       2b
others:
    add     x5, x5, #1
    b       others
    .size smp_main, . - smp_main

    .bss
    .balign 8
    .global flag
flag:
    .quad   0
