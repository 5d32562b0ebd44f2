// Chooses the kernels' instruction set at first use from the CPU's features (and the
// MIRAGE_INSTRUCTION_SET environment variable), then forwards every call to that table.

#include <stdlib.h>
#include <string.h>

#include "CMirageKernels.h"
#include "KernelTable.h"

static const MirageKernelTable *table_for(MirageInstructionSet set) {
    switch (set) {
    case MirageInstructionSetPortable: return &mirage_kernels_portable;
#if defined(__x86_64__)
    case MirageInstructionSetAVX2: return &mirage_kernels_avx2;
#else
    default: return NULL;
#endif
    }
    return NULL;
}

bool mirage_instruction_set_supported(MirageInstructionSet set) {
    switch (set) {
    case MirageInstructionSetPortable: return true;
#if defined(__x86_64__)
    case MirageInstructionSetAVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    default: return false;
#endif
    }
    return false;
}

static MirageInstructionSet best_supported(void) {
    const char *requested = getenv("MIRAGE_INSTRUCTION_SET");
    if (requested) {
        MirageInstructionSet set = MirageInstructionSetPortable;
        bool known = true;
        if (strcmp(requested, "portable") == 0) set = MirageInstructionSetPortable;
        else if (strcmp(requested, "avx2") == 0) set = MirageInstructionSetAVX2;
        else known = false;
        // An unknown name, or a set this CPU lacks, falls back to the best supported one.
        if (known && mirage_instruction_set_supported(set)) return set;
    }
    if (mirage_instruction_set_supported(MirageInstructionSetAVX2)) return MirageInstructionSetAVX2;
    return MirageInstructionSetPortable;
}

// Set at first use; threads that race there compute the same answer.
static const MirageKernelTable *active_table;
static int active_set = -1;

static inline const MirageKernelTable *kernels(void) {
    const MirageKernelTable *t = __atomic_load_n(&active_table, __ATOMIC_ACQUIRE);
    if (__builtin_expect(t != NULL, 1)) return t;
    MirageInstructionSet set = best_supported();
    __atomic_store_n(&active_set, (int)set, __ATOMIC_RELAXED);
    t = table_for(set);
    __atomic_store_n(&active_table, t, __ATOMIC_RELEASE);
    return t;
}

MirageInstructionSet mirage_instruction_set(void) {
    kernels();
    return (MirageInstructionSet)__atomic_load_n(&active_set, __ATOMIC_RELAXED);
}

const MirageKernelTable *mirage_kernel_table(MirageInstructionSet set) {
    return mirage_instruction_set_supported(set) ? table_for(set) : NULL;
}

void mirage_unary(MirageUnaryFunction f, float a, float b, const float *x, float *y, ptrdiff_t n) {
    kernels()->unary(f, a, b, x, y, n);
}

void mirage_binary(MirageBinaryFunction f, float a, const float *x, ptrdiff_t xStride,
                   const float *y, ptrdiff_t yStride, float *z, ptrdiff_t n) {
    kernels()->binary(f, a, x, xStride, y, yStride, z, n);
}

void mirage_select(const float *c, const float *y, const float *z, float *out, ptrdiff_t n) {
    kernels()->select(c, y, z, out, n);
}

void mirage_reduce(MirageReduction r, const float *x, ptrdiff_t n, float *accumulator) {
    kernels()->reduce(r, x, n, accumulator);
}

void mirage_reduce_elementwise(MirageReduction r, const float *x, float *accumulator, ptrdiff_t n) {
    kernels()->reduce_elementwise(r, x, accumulator, n);
}

double mirage_sum_double(const float *x, ptrdiff_t n) { return kernels()->sum_double(x, n); }

void mirage_axpy(float a, const float *x, ptrdiff_t xStride, ptrdiff_t xRowStride,
                 float *y, ptrdiff_t yStride, ptrdiff_t yRowStride, ptrdiff_t n, ptrdiff_t rows) {
    kernels()->axpy(a, x, xStride, xRowStride, y, yStride, yRowStride, n, rows);
}

void mirage_dot(const float *x, ptrdiff_t xRowStride, const float *y, ptrdiff_t yStride,
                ptrdiff_t yRowStride, ptrdiff_t n, ptrdiff_t rows, float *accumulator) {
    kernels()->dot(x, xRowStride, y, yStride, yRowStride, n, rows, accumulator);
}

void mirage_accumulate_channels(float *dst, const float *src, ptrdiff_t channelStride,
                                const float *weights, ptrdiff_t channels, ptrdiff_t n) {
    kernels()->accumulate_channels(dst, src, channelStride, weights, channels, n);
}

void mirage_scale_shift_activate(MirageActivation act, float slope, const float *x, float scale, float shift,
                                 float *y, ptrdiff_t n) {
    kernels()->scale_shift_activate(act, slope, x, scale, shift, y, n);
}

void mirage_activation_gradient(MirageActivation act, float slope, const float *x, const float *g, float scale,
                                float shift, float *gz, ptrdiff_t n) {
    kernels()->activation_gradient(act, slope, x, g, scale, shift, gz, n);
}
