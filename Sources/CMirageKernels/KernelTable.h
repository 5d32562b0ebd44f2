// Each compiled instruction set's table of kernels (MirageKernelTable, in CMirageKernels.h).

#ifndef MIRAGE_KERNEL_TABLE_H
#define MIRAGE_KERNEL_TABLE_H

#include "CMirageKernels.h"

extern const MirageKernelTable mirage_kernels_portable;
#if defined(__x86_64__)
extern const MirageKernelTable mirage_kernels_avx2;
#endif

#endif
