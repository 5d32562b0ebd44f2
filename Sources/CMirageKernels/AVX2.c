// The kernels for AVX2 with FMA, applied per function so that the rest of the package keeps
// the baseline instruction set; Dispatch.c runs them only where the CPU has both.

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define MIRAGE_ISA avx2
#include "KernelBodies.h"
#include "TableDefinition.h"
#pragma clang attribute pop
#endif
