/*
 * Integer replacements for libgcc helpers that would otherwise bring SIMD
 * instructions into the guest programs.
 *
 * With -mgeneral-regs-only GCC compiles __builtin_popcount* into a call to
 * __popcountdi2, but libgcc's aarch64 build of that function uses the
 * FMOV/CNT/ADDV sequence. The runtime objects are linked before -lgcc, so
 * this definition is the one the programs use.
 */
#include "rt.h"

int __popcountdi2(uint64_t x);

int __popcountdi2(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (int)((x * 0x0101010101010101ull) >> 56);
}
