/// Branch-free float math that the compiler vectorises inside element-wise loops; libm's `expf`
/// is called one element at a time and was 20× slower than an add over the same buffer.

/// eˣ to within 2 ulp (Cephes' `expf` reduction and polynomial), with exact 0 below −87.3, +∞
/// above 88.72 and NaN preserved.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    let clamped = Swift.min(Swift.max(x, -87.3), 88.72)
    // Adding 1.5·2²³ rounds to an integer that then sits in the low mantissa bits: no
    // float-to-int conversion, which would carry a range check and stop vectorisation.
    let shifted = clamped * 1.442_695_04 + 12_582_912
    let n = shifted - 12_582_912
    // x − n·ln 2 with ln 2 split in two parts so that the subtraction is exact.
    let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let e = p * r * r + r + 1
    let scale = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) << 23)
    let y = e * scale
    return x > 88.72 ? .infinity : (x < -87.3 ? 0 : (x.isNaN ? x : y))
}

/// log(1 + y) for y in [0, 1] to within a few ulp, branch-free so that loops vectorise (softplus
/// calls it on e^−|x|). Cephes' `logf` polynomial on the mantissa of u = 1 + y, with the rounding
/// of 1 + y undone by the factor y / (u − 1).
@inline(__always)
func fastLog1pUnit(_ y: Float) -> Float {
    let u = 1 + y
    // u ∈ [1, 2]: take m = u/2 above √2 so that m − 1 is small, with log u = log m + e·ln 2.
    let high = u > 1.414_213_5
    let m = high ? u * 0.5 : u
    let e: Float = high ? 1 : 0
    let x = m - 1
    let z = x * x
    var p: Float = 7.037_683_629_2e-2
    p = p * x - 1.151_461_031_0e-1
    p = p * x + 1.167_699_874_0e-1
    p = p * x - 1.242_014_084_6e-1
    p = p * x + 1.424_932_278_7e-1
    p = p * x - 1.666_805_766_5e-1
    p = p * x + 2.000_071_476_5e-1
    p = p * x - 2.499_999_399_3e-1
    p = p * x + 3.333_333_117_4e-1
    let logU = x + (x * z * p - 0.5 * z) + e * 0.693_147_18
    let d = u - 1
    return d == 0 ? y : logU * (y / d)
}
