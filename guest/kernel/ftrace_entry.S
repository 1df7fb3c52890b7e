// Room for the trampolines the host generates (bindings/ftrace/trampolines/):
// ftrace_caller, ftrace_regs_caller and return_to_handler are written here
// after the image is loaded and before any CPU starts. Until then every word
// is BRK #0x800, so a jump into unwritten room stops with an oops.

#define FTRACE_TRAMP_SIZE (16 * 1024)

    .section .text.ftrace_tramp, "ax"
    .balign 4096
    .global ftrace_tramp_area
    .type ftrace_tramp_area, %object
ftrace_tramp_area:
    .rept FTRACE_TRAMP_SIZE / 4
    brk     #0x800
    .endr
    .size ftrace_tramp_area, . - ftrace_tramp_area
    .global ftrace_tramp_area_end
ftrace_tramp_area_end:
