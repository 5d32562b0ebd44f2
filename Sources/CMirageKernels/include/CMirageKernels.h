// Mirage's vector loops: element-wise functions, reductions and the inner loops of the direct
// single-channel convolutions. Each is compiled once per instruction set (portable, and AVX2
// with FMA on x86-64) and the best one the CPU supports is chosen at first use, so the package
// needs no -target-cpu flag and still runs on any x86-64 or ARM64 machine. (An AVX-512 build of
// the same loops was no faster on an AVX-512 EPYC: they are memory-bound or short.)
//
// Every function works on one contiguous span (or a span read with a stride); the Swift side
// splits work across threads and walks broadcasts row by row.

#ifndef CMIRAGEKERNELS_H
#define CMIRAGEKERNELS_H

#include <stdbool.h>
#include <stddef.h>

#define MIRAGE_CLOSED_ENUM __attribute__((enum_extensibility(closed)))

/// The instruction sets the kernels are compiled for.
typedef enum MIRAGE_CLOSED_ENUM MirageInstructionSet {
    /// The compiler's baseline for the architecture (SSE2 on x86-64, NEON on ARM64).
    MirageInstructionSetPortable = 0,
    /// AVX2 and FMA (x86-64 from 2013 on).
    MirageInstructionSetAVX2 = 1,
} MirageInstructionSet;

/// Functions of one float; `a` and `b` are their parameters where they have any.
typedef enum MIRAGE_CLOSED_ENUM MirageUnaryFunction {
    MirageUnaryFunctionNegate,
    /// x + a.
    MirageUnaryFunctionAddScalar,
    /// x·a.
    MirageUnaryFunctionScale,
    /// a / x.
    MirageUnaryFunctionScalarDivide,
    /// min(max(x, a), b).
    MirageUnaryFunctionClamp,
    /// 1 inside [a, b], else 0.
    MirageUnaryFunctionInsideMask,
    MirageUnaryFunctionExp,
    MirageUnaryFunctionLog,
    MirageUnaryFunctionSquareRoot,
    MirageUnaryFunctionSquare,
    /// xᵃ.
    MirageUnaryFunctionPower,
    MirageUnaryFunctionAbsolute,
    MirageUnaryFunctionSign,
    MirageUnaryFunctionSine,
    MirageUnaryFunctionCosine,
    MirageUnaryFunctionTanh,
    MirageUnaryFunctionSigmoid,
    MirageUnaryFunctionSiLU,
    MirageUnaryFunctionReLU,
    /// x where x > 0, else a·x.
    MirageUnaryFunctionLeakyReLU,
    MirageUnaryFunctionSoftplus,
} MirageUnaryFunction;

/// Functions of two floats x, y; `a` is their parameter where they have one.
typedef enum MIRAGE_CLOSED_ENUM MirageBinaryFunction {
    MirageBinaryFunctionAdd,
    MirageBinaryFunctionSubtract,
    MirageBinaryFunctionMultiply,
    MirageBinaryFunctionDivide,
    /// Comparisons: 1 where true, 0 where false.
    MirageBinaryFunctionGreater,
    MirageBinaryFunctionLess,
    MirageBinaryFunctionGreaterEqual,
    MirageBinaryFunctionLessEqual,
    MirageBinaryFunctionEqual,
    MirageBinaryFunctionNotEqual,
    /// Incoming gradient x times a leaky ReLU's slope at y: x where y > 0, else x·a.
    MirageBinaryFunctionLeakyReLUGradient,
    /// Incoming gradient x times tanh's derivative from its output y: x·(1 − y²).
    MirageBinaryFunctionTanhGradient,
    /// Incoming gradient x times the sigmoid's derivative from its output y: x·y·(1 − y).
    MirageBinaryFunctionSigmoidGradient,
    /// Incoming gradient x times SiLU's derivative at y: x·σ(y)·(1 + y·(1 − σ(y))).
    MirageBinaryFunctionSiLUGradient,
} MirageBinaryFunction;

/// Reductions of a span to one value.
typedef enum MIRAGE_CLOSED_ENUM MirageReduction {
    MirageReductionSum,
    /// The largest value; NaN if any value is NaN.
    MirageReductionMaximum,
    /// The smallest value; NaN if any value is NaN.
    MirageReductionMinimum,
} MirageReduction;

/// Activations that a normalisation applies in the same pass as its scale and shift.
typedef enum MIRAGE_CLOSED_ENUM MirageActivation {
    /// No activation: the scale and shift only.
    MirageActivationIdentity,
    /// z·σ(z).
    MirageActivationSiLU,
    /// z where z > 0, else `slope`·z (ReLU with slope 0).
    MirageActivationLeakyReLU,
} MirageActivation;

/// The instruction set the kernels run on: the best the CPU supports, or the one named by the
/// environment variable `MIRAGE_INSTRUCTION_SET` (`portable`, `avx2`) when the CPU
/// supports it.
MirageInstructionSet mirage_instruction_set(void);

/// Whether this CPU can run the kernels compiled for `set` (and this build has them).
bool mirage_instruction_set_supported(MirageInstructionSet set);


/// `y[i] = f(x[i])` for `i < n`.
void mirage_unary(MirageUnaryFunction f, float a, float b, const float *x, float *y, ptrdiff_t n);

/// `z[i] = f(x[i·xStride], y[i·yStride])` for `i < n`; strides of 0 broadcast one value.
void mirage_binary(MirageBinaryFunction f, float a, const float *x, ptrdiff_t xStride,
                   const float *y, ptrdiff_t yStride, float *z, ptrdiff_t n);

/// `out[i] = c[i] ≠ 0 ? y[i] : z[i]` for `i < n`.
void mirage_select(const float *c, const float *y, const float *z, float *out, ptrdiff_t n);

/// The value a reduction starts from: 0 for a sum, −∞ for a maximum, +∞ for a minimum.
static inline float mirage_reduction_identity(MirageReduction r) {
    return r == MirageReductionSum ? 0.0f : r == MirageReductionMaximum ? -__builtin_inff() : __builtin_inff();
}

/// Folds the `n` values of `x` into `*accumulator` with `r` (in vector lanes).
void mirage_reduce(MirageReduction r, const float *x, ptrdiff_t n, float *accumulator);

/// `accumulator[i] = r(accumulator[i], x[i])` for `i < n`.
void mirage_reduce_elementwise(MirageReduction r, const float *x, float *accumulator, ptrdiff_t n);

/// Σx over `n` values, accumulated in double precision.
double mirage_sum_double(const float *x, ptrdiff_t n);

/// `y[r·yRowStride + i·yStride] += a·x[r·xRowStride + i·xStride]` for `i < n`, `r < rows`: one
/// kernel tap of a single-channel convolution over the rows it reaches (one call per tap, not
/// per row: rows are short, and a call per row cost more than the row's arithmetic).
void mirage_axpy(float a, const float *x, ptrdiff_t xStride, ptrdiff_t xRowStride,
                 float *y, ptrdiff_t yStride, ptrdiff_t yRowStride, ptrdiff_t n, ptrdiff_t rows);

/// Adds Σᵢ x[r·xRowStride + i]·y[r·yRowStride + i·yStride] (`i < n`) to `*accumulator` for each
/// row `r < rows` in turn.
void mirage_dot(const float *x, ptrdiff_t xRowStride, const float *y, ptrdiff_t yStride,
                ptrdiff_t yRowStride, ptrdiff_t n, ptrdiff_t rows, float *accumulator);

/// `dst[i] += Σ_k weights[k]·src[k·channelStride + i]` for `i < n` and `k < channels`: one row
/// of a transposed convolution onto a single channel, with every channel accumulated in
/// registers (fused multiply-adds where the instruction set has them).
void mirage_accumulate_channels(float *dst, const float *src, ptrdiff_t channelStride,
                                const float *weights, ptrdiff_t channels, ptrdiff_t n);

/// `y[i] = act(x[i]·scale + shift)` for `i < n`; `slope` is the leaky ReLU's.
void mirage_scale_shift_activate(MirageActivation act, float slope, const float *x, float scale, float shift,
                                 float *y, ptrdiff_t n);

/// `gz[i] = g[i]·act′(x[i]·scale + shift)` for `i < n`: the gradient before the activation of
/// ``mirage_scale_shift_activate``, recomputing its input instead of storing it.
void mirage_activation_gradient(MirageActivation act, float slope, const float *x, const float *g, float scale,
                                float shift, float *gz, ptrdiff_t n);

/// The kernels compiled for one instruction set, callable directly (the functions above
/// forward to the table of ``mirage_instruction_set()``); tests compare the sets with it.
typedef struct MirageKernelTable {
    void (*unary)(MirageUnaryFunction, float, float, const float *, float *, ptrdiff_t);
    void (*binary)(MirageBinaryFunction, float, const float *, ptrdiff_t, const float *, ptrdiff_t, float *, ptrdiff_t);
    void (*select)(const float *, const float *, const float *, float *, ptrdiff_t);
    void (*reduce)(MirageReduction, const float *, ptrdiff_t, float *);
    void (*reduce_elementwise)(MirageReduction, const float *, float *, ptrdiff_t);
    double (*sum_double)(const float *, ptrdiff_t);
    void (*axpy)(float, const float *, ptrdiff_t, ptrdiff_t, float *, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t);
    void (*dot)(const float *, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t, ptrdiff_t, float *);
    void (*accumulate_channels)(float *, const float *, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t);
    void (*scale_shift_activate)(MirageActivation, float, const float *, float, float, float *, ptrdiff_t);
    void (*activation_gradient)(MirageActivation, float, const float *, const float *, float, float, float *, ptrdiff_t);
} MirageKernelTable;

/// The kernels for `set`, or NULL when this CPU cannot run them (or this build lacks them).
const MirageKernelTable *mirage_kernel_table(MirageInstructionSet set);

#endif
