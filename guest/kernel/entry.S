// Boot entry, exception vectors, interrupt entry/exit and the context
// switch. None of this code has a patchable entry: it runs before the
// per-CPU state exists, or with a frame half-built.

#define S_X30   240
#define S_ELR   248
#define S_SPSR  256
#define S_FRAME 272             // 31 GPRs + ELR + SPSR, 16-byte aligned

    .section .text.boot, "ax"
    .global _start
    .type _start, %function
// Every CPU: x0 = its index, x1 = the CPU count, SP = 0, DAIF masked.
_start:
    adrp    x2, boot_stacks
    add     x2, x2, :lo12:boot_stacks
    add     x3, x0, #1
    lsl     x3, x3, #13                 // BOOT_STACK_SIZE = 8 KiB
    add     sp, x2, x3
    adrp    x2, vectors
    add     x2, x2, :lo12:vectors
    msr     vbar_el1, x2
    isb
    mov     x29, #0
    mov     x30, #0
    bl      start_kernel                // does not return
1:  wfi
    b       1b
    .size _start, . - _start

    .text

// ---- exception frame helpers ----------------------------------------------
    .macro  kernel_entry
    sub     sp, sp, #S_FRAME
    stp     x0, x1, [sp, #16 * 0]
    stp     x2, x3, [sp, #16 * 1]
    stp     x4, x5, [sp, #16 * 2]
    stp     x6, x7, [sp, #16 * 3]
    stp     x8, x9, [sp, #16 * 4]
    stp     x10, x11, [sp, #16 * 5]
    stp     x12, x13, [sp, #16 * 6]
    stp     x14, x15, [sp, #16 * 7]
    stp     x16, x17, [sp, #16 * 8]
    stp     x18, x19, [sp, #16 * 9]
    stp     x20, x21, [sp, #16 * 10]
    stp     x22, x23, [sp, #16 * 11]
    stp     x24, x25, [sp, #16 * 12]
    stp     x26, x27, [sp, #16 * 13]
    stp     x28, x29, [sp, #16 * 14]
    mrs     x21, elr_el1
    mrs     x22, spsr_el1
    stp     x30, x21, [sp, #S_X30]
    str     x22, [sp, #S_SPSR]
    .endm

    .macro  kernel_exit
    ldr     x22, [sp, #S_SPSR]
    ldp     x30, x21, [sp, #S_X30]
    msr     elr_el1, x21
    msr     spsr_el1, x22
    ldp     x0, x1, [sp, #16 * 0]
    ldp     x2, x3, [sp, #16 * 1]
    ldp     x4, x5, [sp, #16 * 2]
    ldp     x6, x7, [sp, #16 * 3]
    ldp     x8, x9, [sp, #16 * 4]
    ldp     x10, x11, [sp, #16 * 5]
    ldp     x12, x13, [sp, #16 * 6]
    ldp     x14, x15, [sp, #16 * 7]
    ldp     x16, x17, [sp, #16 * 8]
    ldp     x18, x19, [sp, #16 * 9]
    ldp     x20, x21, [sp, #16 * 10]
    ldp     x22, x23, [sp, #16 * 11]
    ldp     x24, x25, [sp, #16 * 12]
    ldp     x26, x27, [sp, #16 * 13]
    ldp     x28, x29, [sp, #16 * 14]
    add     sp, sp, #S_FRAME
    eret
    .endm

    .macro  vector_entry label
    .balign 0x80
    b       \label
    .endm

// ---- the vector table -------------------------------------------------------
    .balign 2048
    .global vectors
vectors:
    vector_entry el1t_bad               // current EL, SP_EL0: sync
    vector_entry el1t_bad               //   IRQ
    vector_entry el1t_bad               //   FIQ
    vector_entry el1t_bad               //   SError
    vector_entry el1h_sync              // current EL, SP_EL1: sync
    vector_entry el1h_irq               //   IRQ
    vector_entry el1t_bad               //   FIQ
    vector_entry el1t_bad               //   SError
    vector_entry el1t_bad               // lower EL, AArch64
    vector_entry el1t_bad
    vector_entry el1t_bad
    vector_entry el1t_bad
    vector_entry el1t_bad               // lower EL, AArch32
    vector_entry el1t_bad
    vector_entry el1t_bad
    vector_entry el1t_bad

el1t_bad:
    kernel_entry
    mov     x0, sp
    mov     x1, #0                      // exception_names[0]: unexpected vector
    bl      bad_exception               // does not return
1:  b       1b

el1h_sync:
    kernel_entry
    mov     x0, sp
    mov     x1, #1                      // exception_names[1]: synchronous
    bl      bad_exception               // does not return
1:  b       1b

// IRQ from EL1h: save everything, handle, maybe preempt, restore.
el1h_irq:
    kernel_entry
    mov     x0, sp
    bl      handle_irq
    kernel_exit

// ---- context switch -----------------------------------------------------------
// struct task *cpu_switch_to(struct task *prev, struct task *next)
// Saves prev's callee-saved registers, sp and lr in prev->ctx (offset 0),
// loads next's and returns on next's stack; x0 still holds prev.
    .global cpu_switch_to
    .type cpu_switch_to, %function
cpu_switch_to:
    mov     x10, sp
    stp     x19, x20, [x0, #0]
    stp     x21, x22, [x0, #16]
    stp     x23, x24, [x0, #32]
    stp     x25, x26, [x0, #48]
    stp     x27, x28, [x0, #64]
    stp     x29, x10, [x0, #80]
    str     x30, [x0, #96]
    ldp     x19, x20, [x1, #0]
    ldp     x21, x22, [x1, #16]
    ldp     x23, x24, [x1, #32]
    ldp     x25, x26, [x1, #48]
    ldp     x27, x28, [x1, #64]
    ldp     x29, x10, [x1, #80]
    ldr     x30, [x1, #96]
    mov     sp, x10
    ret
    .size cpu_switch_to, . - cpu_switch_to

// A new task's first return from cpu_switch_to lands here: x0 = prev,
// x19 = fn, x20 = arg.
    .global ret_from_fork
    .type ret_from_fork, %function
ret_from_fork:
    bl      schedule_tail
    mov     x0, x20
    blr     x19
    bl      task_exit
1:  b       1b
    .size ret_from_fork, . - ret_from_fork
