// The kernels' bodies, included once per instruction set by Portable.c and AVX2.c,
// each of which defines MIRAGE_ISA (the suffix of the functions it defines) and applies its
// target attribute to every function here. Written as plain loops that the compiler
// vectorises for that instruction set; the reductions keep explicit vector lanes because a
// scalar accumulator is a serial dependency chain (and float addition may not be reordered).
//
// Floating-point contraction stays off (multiply and add round separately, as in Swift), so
// every instruction set gives the same bits, except mirage_accumulate_channels, which fuses
// where FMA exists.

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "CMirageKernels.h"
#include "KernelTable.h"

#define MIRAGE_CONCAT2(a, b) a##_##b
#define MIRAGE_CONCAT(a, b) MIRAGE_CONCAT2(a, b)
#define KERNEL(name) MIRAGE_CONCAT(name, MIRAGE_ISA)

#pragma clang fp contract(off)

typedef float mirage_f8 __attribute__((ext_vector_type(8)));
typedef float mirage_f4 __attribute__((ext_vector_type(4)));
typedef float mirage_f2 __attribute__((ext_vector_type(2)));
typedef double mirage_d8 __attribute__((ext_vector_type(8)));

static inline mirage_f8 load8(const float *p) { mirage_f8 v; memcpy(&v, p, sizeof v); return v; }
static inline mirage_f4 load4(const float *p) { mirage_f4 v; memcpy(&v, p, sizeof v); return v; }
static inline mirage_f2 load2(const float *p) { mirage_f2 v; memcpy(&v, p, sizeof v); return v; }
static inline void store8(float *p, mirage_f8 v) { memcpy(p, &v, sizeof v); }
static inline void store4(float *p, mirage_f4 v) { memcpy(p, &v, sizeof v); }
static inline void store2(float *p, mirage_f2 v) { memcpy(p, &v, sizeof v); }

static inline uint32_t bits(float x) { uint32_t u; memcpy(&u, &x, sizeof u); return u; }
static inline float from_bits(uint32_t u) { float x; memcpy(&x, &u, sizeof x); return x; }

// Swift's max and min, whose NaN behaviour the kernels keep: max(x, y) = y >= x ? y : x.
static inline float swift_max(float x, float y) { return y >= x ? y : x; }
static inline float swift_min(float x, float y) { return y < x ? y : x; }

// eˣ to within 2 ulp (Cephes' expf reduction and polynomial), branch-free so that loops
// vectorise: exact 0 below −87.3, +∞ above 88.72, NaN preserved. libm's expf is called one
// element at a time and was 20× slower than an add over the same buffer.
static inline float fast_exp(float x) {
    float clamped = swift_min(swift_max(x, -87.3f), 88.72f);
    // Adding 1.5·2²³ rounds to an integer that then sits in the low mantissa bits: no
    // float-to-int conversion, which would stop vectorisation.
    float shifted = clamped * 1.44269504f + 12582912.0f;
    float n = shifted - 12582912.0f;
    // x − n·ln 2 with ln 2 split in two parts so that the subtraction is exact.
    float r = clamped - n * 0.693359375f + n * 2.1219444e-4f;
    float p = 1.98756915e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float e = p * r * r + r + 1.0f;
    float scale = from_bits((bits(shifted) - 0x4B400000u + 127u) << 23);
    float y = e * scale;
    return x > 88.72f ? INFINITY : (x < -87.3f ? 0.0f : (x != x ? x : y));
}

// log(1 + y) for y in [0, 1] to within a few ulp, branch-free (softplus calls it on e^−|x|):
// Cephes' logf polynomial on the mantissa of u = 1 + y, with the rounding of 1 + y undone by
// the factor y / (u − 1).
static inline float fast_log1p_unit(float y) {
    float u = 1.0f + y;
    // u ∈ [1, 2]: take m = u/2 above √2 so that m − 1 is small, with log u = log m + e·ln 2.
    int high = u > 1.4142135f;
    float m = high ? u * 0.5f : u;
    float e = high ? 1.0f : 0.0f;
    float x = m - 1.0f;
    float z = x * x;
    float p = 7.0376836292e-2f;
    p = p * x - 1.1514610310e-1f;
    p = p * x + 1.1676998740e-1f;
    p = p * x - 1.2420140846e-1f;
    p = p * x + 1.4249322787e-1f;
    p = p * x - 1.6668057665e-1f;
    p = p * x + 2.0000714765e-1f;
    p = p * x - 2.4999993993e-1f;
    p = p * x + 3.3333331174e-1f;
    float log_u = x + (x * z * p - 0.5f * z) + e * 0.69314718f;
    float d = u - 1.0f;
    return d == 0.0f ? y : log_u * (y / d);
}

// tanh x = (1 − e^{−2|x|})/(1 + e^{−2|x|}) with the sign of x, which never overflows; near 0,
// where 1 − e cancels, the Taylor series to x⁷ (exact to 1e-9 below |x| = 0.1).
static inline float fast_tanh(float x) {
    float ax = fabsf(x);
    float e = fast_exp(-2.0f * ax);
    float t = (1.0f - e) / (1.0f + e);
    float x2 = x * x;
    float small = x * (1.0f + x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f + x2 * (-17.0f / 315.0f))));
    return ax < 0.1f ? small : (x < 0.0f ? -t : t);
}

// σ(x) = 1/(1 + e^−x), from e^−|x| so that it never overflows.
static inline float fast_sigmoid(float x) {
    float e = fast_exp(-fabsf(x));
    return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

#define MAP(expression)                                                     \
    for (ptrdiff_t i = 0; i < n; i++) {                                     \
        float v = x[i];                                                     \
        y[i] = (expression);                                                \
    }                                                                       \
    return

void KERNEL(mirage_unary)(MirageUnaryFunction f, float a, float b, const float *x, float *y, ptrdiff_t n) {
    switch (f) {
    case MirageUnaryFunctionNegate: MAP(-v);
    case MirageUnaryFunctionAddScalar: MAP(v + a);
    case MirageUnaryFunctionScale: MAP(v * a);
    case MirageUnaryFunctionScalarDivide: MAP(a / v);
    case MirageUnaryFunctionClamp: MAP(swift_min(swift_max(v, a), b));
    case MirageUnaryFunctionInsideMask: MAP(v >= a && v <= b ? 1.0f : 0.0f);
    case MirageUnaryFunctionExp: MAP(fast_exp(v));
    case MirageUnaryFunctionLog: MAP(logf(v));
    case MirageUnaryFunctionSquareRoot: MAP(sqrtf(v));
    case MirageUnaryFunctionSquare: MAP(v * v);
    case MirageUnaryFunctionPower: MAP(powf(v, a));
    case MirageUnaryFunctionAbsolute: MAP(fabsf(v));
    case MirageUnaryFunctionSign: MAP(v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f));
    case MirageUnaryFunctionSine: MAP(sinf(v));
    case MirageUnaryFunctionCosine: MAP(cosf(v));
    case MirageUnaryFunctionTanh: MAP(fast_tanh(v));
    case MirageUnaryFunctionSigmoid: MAP(fast_sigmoid(v));
    case MirageUnaryFunctionSiLU: MAP(v * fast_sigmoid(v));
    case MirageUnaryFunctionReLU: MAP(swift_max(v, 0.0f));
    case MirageUnaryFunctionLeakyReLU: MAP(v > 0.0f ? v : v * a);
    case MirageUnaryFunctionSoftplus: MAP(swift_max(v, 0.0f) + fast_log1p_unit(fast_exp(-fabsf(v))));
    }
}

// The four stride patterns as separate loops: with a variable stride the loop does not
// vectorise, and a broadcast operand is one register.
#define ZIP(expression)                                                                   \
    if (xStride == 1 && yStride == 1) {                                                   \
        for (ptrdiff_t i = 0; i < n; i++) { float u = x[i], v = y[i]; z[i] = (expression); } \
    } else if (xStride == 1 && yStride == 0) {                                            \
        float v = y[0];                                                                   \
        for (ptrdiff_t i = 0; i < n; i++) { float u = x[i]; z[i] = (expression); }         \
    } else if (xStride == 0 && yStride == 1) {                                            \
        float u = x[0];                                                                   \
        for (ptrdiff_t i = 0; i < n; i++) { float v = y[i]; z[i] = (expression); }          \
    } else {                                                                              \
        for (ptrdiff_t i = 0; i < n; i++) {                                               \
            float u = x[i * xStride], v = y[i * yStride];                                 \
            z[i] = (expression);                                                          \
        }                                                                                 \
    }                                                                                     \
    return

void KERNEL(mirage_binary)(MirageBinaryFunction f, float a, const float *x, ptrdiff_t xStride,
                           const float *y, ptrdiff_t yStride, float *z, ptrdiff_t n) {
    switch (f) {
    case MirageBinaryFunctionAdd: ZIP(u + v);
    case MirageBinaryFunctionSubtract: ZIP(u - v);
    case MirageBinaryFunctionMultiply: ZIP(u * v);
    case MirageBinaryFunctionDivide: ZIP(u / v);
    case MirageBinaryFunctionGreater: ZIP(u > v ? 1.0f : 0.0f);
    case MirageBinaryFunctionLess: ZIP(u < v ? 1.0f : 0.0f);
    case MirageBinaryFunctionGreaterEqual: ZIP(u >= v ? 1.0f : 0.0f);
    case MirageBinaryFunctionLessEqual: ZIP(u <= v ? 1.0f : 0.0f);
    case MirageBinaryFunctionEqual: ZIP(u == v ? 1.0f : 0.0f);
    case MirageBinaryFunctionNotEqual: ZIP(u != v ? 1.0f : 0.0f);
    case MirageBinaryFunctionLeakyReLUGradient: ZIP(v > 0.0f ? u : u * a);
    case MirageBinaryFunctionTanhGradient: ZIP(u * (1.0f - v * v));
    case MirageBinaryFunctionSigmoidGradient: ZIP(u * v * (1.0f - v));
    case MirageBinaryFunctionSiLUGradient: {
        ZIP(u * fast_sigmoid(v) * (1.0f + v * (1.0f - fast_sigmoid(v))));
    }
    }
}

void KERNEL(mirage_select)(const float *c, const float *y, const float *z, float *out, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i++) out[i] = c[i] != 0.0f ? y[i] : z[i];
}

// Lanes: a new value replaces the lane's when it is larger (smaller), or NaN, so that NaN
// propagates.
static inline mirage_f8 lanes_max(mirage_f8 acc, mirage_f8 v) { return ((v > acc) | (v != v)) ? v : acc; }
static inline mirage_f8 lanes_min(mirage_f8 acc, mirage_f8 v) { return ((v < acc) | (v != v)) ? v : acc; }

// One value into the accumulator, NaN-propagating like the lanes.
static inline float fold(MirageReduction r, float acc, float v) {
    switch (r) {
    case MirageReductionSum: return acc + v;
    case MirageReductionMaximum: return ((v > acc) | (v != v)) ? v : acc;
    case MirageReductionMinimum: return ((v < acc) | (v != v)) ? v : acc;
    }
    return acc;
}

void KERNEL(mirage_reduce)(MirageReduction r, const float *x, ptrdiff_t n, float *accumulator) {
    float start = mirage_reduction_identity(r);
    mirage_f8 lanes = start;
    ptrdiff_t i = 0;
    switch (r) {
    case MirageReductionSum:
        for (; i + 8 <= n; i += 8) lanes += load8(x + i);
        break;
    case MirageReductionMaximum:
        for (; i + 8 <= n; i += 8) lanes = lanes_max(lanes, load8(x + i));
        break;
    case MirageReductionMinimum:
        for (; i + 8 <= n; i += 8) lanes = lanes_min(lanes, load8(x + i));
        break;
    }
    float acc = start;
    for (int k = 0; k < 8; k++) acc = fold(r, acc, lanes[k]);
    for (; i < n; i++) acc = fold(r, acc, x[i]);
    *accumulator = fold(r, *accumulator, acc);
}

void KERNEL(mirage_reduce_elementwise)(MirageReduction r, const float *x, float *accumulator, ptrdiff_t n) {
    switch (r) {
    case MirageReductionSum:
        for (ptrdiff_t i = 0; i < n; i++) accumulator[i] += x[i];
        return;
    case MirageReductionMaximum:
        for (ptrdiff_t i = 0; i < n; i++) {
            float v = x[i], acc = accumulator[i];
            accumulator[i] = ((v > acc) | (v != v)) ? v : acc;
        }
        return;
    case MirageReductionMinimum:
        for (ptrdiff_t i = 0; i < n; i++) {
            float v = x[i], acc = accumulator[i];
            accumulator[i] = ((v < acc) | (v != v)) ? v : acc;
        }
        return;
    }
}

double KERNEL(mirage_sum_double)(const float *x, ptrdiff_t n) {
    mirage_d8 lanes = 0.0;
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) lanes += __builtin_convertvector(load8(x + i), mirage_d8);
    double total = -0.0;
    for (int k = 0; k < 8; k++) total += lanes[k];
    for (; i < n; i++) total += (double)x[i];
    return total;
}

void KERNEL(mirage_axpy)(float a, const float *x, ptrdiff_t xStride, ptrdiff_t xRowStride,
                         float *y, ptrdiff_t yStride, ptrdiff_t yRowStride, ptrdiff_t n, ptrdiff_t rows) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *xr = x + r * xRowStride;
        float *yr = y + r * yRowStride;
        // Unit strides separately: with a variable stride the loop does not vectorise.
        if (xStride == 1 && yStride == 1) {
            for (ptrdiff_t i = 0; i < n; i++) yr[i] += a * xr[i];
        } else {
            for (ptrdiff_t i = 0; i < n; i++) yr[i * yStride] += a * xr[i * xStride];
        }
    }
}

void KERNEL(mirage_dot)(const float *x, ptrdiff_t xRowStride, const float *y, ptrdiff_t yStride,
                        ptrdiff_t yRowStride, ptrdiff_t n, ptrdiff_t rows, float *accumulator) {
    float total = *accumulator;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *xr = x + r * xRowStride, *yr = y + r * yRowStride;
        if (yStride != 1) {
            float s = 0.0f;
            for (ptrdiff_t i = 0; i < n; i++) s += xr[i] * yr[i * yStride];
            total += s;
            continue;
        }
        mirage_f8 lanes = 0.0f;
        ptrdiff_t i = 0;
        for (; i + 8 <= n; i += 8) lanes += load8(xr + i) * load8(yr + i);
        float s = -0.0f;
        for (int k = 0; k < 8; k++) s += lanes[k];
        for (; i < n; i++) s += xr[i] * yr[i];
        total += s;
    }
    *accumulator = total;
}

// dst + Σ_k weights[k]·src[k·stride …] on one vector of columns, with four independent
// accumulators: a single one made the channel loop wait on each addition's latency.
#define ACCUMULATE_CHANNELS(V, load)                                                     \
    static inline V KERNEL(accumulate_##V)(const float *dst, const float *src,          \
                                           const float *weights, ptrdiff_t channels,    \
                                           ptrdiff_t stride) {                          \
        _Pragma("clang fp contract(fast)")                                               \
        V a0 = load(dst), a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;                               \
        ptrdiff_t k = 0;                                                                 \
        for (; k + 4 <= channels; k += 4) {                                              \
            a0 += weights[k] * load(src + k * stride);                                   \
            a1 += weights[k + 1] * load(src + (k + 1) * stride);                         \
            a2 += weights[k + 2] * load(src + (k + 2) * stride);                         \
            a3 += weights[k + 3] * load(src + (k + 3) * stride);                         \
        }                                                                                \
        for (; k < channels; k++) a0 += weights[k] * load(src + k * stride);             \
        return (a0 + a1) + (a2 + a3);                                                    \
    }

ACCUMULATE_CHANNELS(mirage_f8, load8)
ACCUMULATE_CHANNELS(mirage_f4, load4)
ACCUMULATE_CHANNELS(mirage_f2, load2)

void KERNEL(mirage_accumulate_channels)(float *dst, const float *src, ptrdiff_t channelStride,
                                        const float *weights, ptrdiff_t channels, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        store8(dst + i, KERNEL(accumulate_mirage_f8)(dst + i, src + i, weights, channels, channelStride));
    if (i + 4 <= n) {
        store4(dst + i, KERNEL(accumulate_mirage_f4)(dst + i, src + i, weights, channels, channelStride));
        i += 4;
    }
    if (i + 2 <= n) {
        store2(dst + i, KERNEL(accumulate_mirage_f2)(dst + i, src + i, weights, channels, channelStride));
        i += 2;
    }
    if (i < n && i > 0) {
        // The last column as the upper lane of a pair whose lower lane is discarded.
        dst[i] = KERNEL(accumulate_mirage_f2)(dst + i - 1, src + i - 1, weights, channels, channelStride)[1];
    } else if (i < n) {
        _Pragma("clang fp contract(fast)")
        float acc = dst[i];
        for (ptrdiff_t k = 0; k < channels; k++) acc += weights[k] * src[k * channelStride + i];
        dst[i] = acc;
    }
}

// The activations' formulas are those of mirage_unary and mirage_binary (SiLU, LeakyReLU and
// their gradients), on z = x·scale + shift rounded as the separate ops round it, so that a
// fused normalisation gives the bits of the normalisation followed by the activation.
void KERNEL(mirage_scale_shift_activate)(MirageActivation act, float slope, const float *x, float scale, float shift,
                                         float *y, ptrdiff_t n) {
    switch (act) {
    case MirageActivationIdentity:
        for (ptrdiff_t i = 0; i < n; i++) y[i] = x[i] * scale + shift;
        return;
    case MirageActivationSiLU:
        for (ptrdiff_t i = 0; i < n; i++) { float z = x[i] * scale + shift; y[i] = z * fast_sigmoid(z); }
        return;
    case MirageActivationLeakyReLU:
        for (ptrdiff_t i = 0; i < n; i++) { float z = x[i] * scale + shift; y[i] = z > 0.0f ? z : z * slope; }
        return;
    }
}

void KERNEL(mirage_activation_gradient)(MirageActivation act, float slope, const float *x, const float *g, float scale,
                                        float shift, float *gz, ptrdiff_t n) {
    switch (act) {
    case MirageActivationIdentity:
        for (ptrdiff_t i = 0; i < n; i++) gz[i] = g[i];
        return;
    case MirageActivationSiLU:
        for (ptrdiff_t i = 0; i < n; i++) {
            float z = x[i] * scale + shift, u = g[i];
            gz[i] = u * fast_sigmoid(z) * (1.0f + z * (1.0f - fast_sigmoid(z)));
        }
        return;
    case MirageActivationLeakyReLU:
        for (ptrdiff_t i = 0; i < n; i++) { float z = x[i] * scale + shift; gz[i] = z > 0.0f ? g[i] : g[i] * slope; }
        return;
    }
}
