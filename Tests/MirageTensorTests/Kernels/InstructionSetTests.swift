import CMirageKernels
import Foundation
import MirageTensor
import Testing

/// The C kernels are compiled once per instruction set and chosen at run time. The ops' tests
/// run on the set this CPU gets; these compare every other set this CPU can run with the
/// portable build, bit for bit, so that a machine without AVX2 computes the same numbers.
@Suite struct InstructionSetTests {
    static let portable = mirage_kernel_table(.portable)!.pointee

    /// The sets other than the portable one that this CPU can run (empty on a machine without
    /// AVX2, where there is nothing to compare).
    static var others: [(String, MirageKernelTable)] {
        var sets: [(String, MirageKernelTable)] = []
        if let t = mirage_kernel_table(.AVX2) { sets.append(("avx2", t.pointee)) }
        return sets
    }

    /// Values that exercise every branch: signed zeros, infinities, NaN, the fast exponential's
    /// clamps (−87.3, 88.72), tanh's series cut-off (0.1), and a spread of ordinary values. 37
    /// of them, so that vector loops also run their scalar tails.
    static let specials: [Float] = [0, -0.0, 1, -1, .infinity, -.infinity, .nan, 88.72, 88.73, -87.3, -87.31,
                                    0.1, -0.1, 0.0999, 1e-30, -1e-7, .leastNonzeroMagnitude, 3.5, -20]
    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var state = seed
        var out = specials
        while out.count < n {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Float(state >> 40) / Float(1 << 24)
            out.append((u - 0.5) * 40)
        }
        return Array(out.prefix(n))
    }

    static func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    static let unaryFunctions: [MirageUnaryFunction] = [
        .negate, .addScalar, .scale, .scalarDivide, .clamp, .insideMask, .exp, .log, .squareRoot, .square,
        .power, .absolute, .sign, .sine, .cosine, .tanh, .sigmoid, .siLU, .reLU, .leakyReLU, .softplus,
    ]

    static let binaryFunctions: [MirageBinaryFunction] = [
        .add, .subtract, .multiply, .divide, .greater, .less, .greaterEqual, .lessEqual, .equal, .notEqual,
        .leakyReLUGradient, .tanhGradient, .sigmoidGradient, .siLUGradient,
    ]

    @Test func theChosenSetIsTheBestThisCPUSupports() {
        let requested = ProcessInfo.processInfo.environment["MIRAGE_INSTRUCTION_SET"]
        let best = mirage_instruction_set_supported(.AVX2) ? "avx2" : "portable"
        if requested == nil { #expect(Kernels.instructionSet == best) }
        #expect(mirage_instruction_set_supported(.portable))
        #expect(mirage_kernel_table(.portable) != nil)
    }

    @Test func unaryFunctionsGiveTheSameBitsOnEverySet() {
        let x = Self.values(37, seed: 1)
        for (name, table) in Self.others {
            for f in Self.unaryFunctions {
                var expected = [Float](repeating: 0, count: x.count), got = expected
                Self.portable.unary(f, 0.2, 1.5, x, &expected, x.count)
                table.unary(f, 0.2, 1.5, x, &got, x.count)
                #expect(Self.sameBits(got, expected), "\(name) \(f): \(got) vs portable \(expected)")
            }
        }
    }

    @Test func binaryFunctionsGiveTheSameBitsOnEverySetAndStride() {
        let x = Self.values(74, seed: 2), y = Self.values(74, seed: 3).reversed().map { $0 }
        let n = 37
        // (x stride, y stride): both contiguous, either one broadcast, and a general stride.
        for (name, table) in Self.others {
            for f in Self.binaryFunctions {
                for (sx, sy) in [(1, 1), (1, 0), (0, 1), (2, 1)] {
                    var expected = [Float](repeating: 0, count: n), got = expected
                    Self.portable.binary(f, 0.3, x, sx, y, sy, &expected, n)
                    table.binary(f, 0.3, x, sx, y, sy, &got, n)
                    #expect(Self.sameBits(got, expected), "\(name) \(f) strides (\(sx), \(sy))")
                }
            }
        }
    }

    @Test func reductionsGiveTheSameBitsOnEverySet() {
        let x = Self.values(41, seed: 4).filter { !$0.isNaN }
        for (name, table) in Self.others {
            for r in [MirageReduction.sum, .maximum, .minimum] {
                for n in [0, 1, 7, 8, 9, 16, 33] {
                    var expected: Float = 0.5, got: Float = 0.5
                    Self.portable.reduce(r, x, n, &expected)
                    table.reduce(r, x, n, &got)
                    #expect(got.bitPattern == expected.bitPattern || (got.isNaN && expected.isNaN), "\(name) \(r) over \(n)")
                }
                var expected = Self.values(33, seed: 5), got = expected
                Self.portable.reduce_elementwise(r, x, &expected, 33)
                table.reduce_elementwise(r, x, &got, 33)
                #expect(Self.sameBits(got, expected), "\(name) element-wise \(r)")
            }
            let finite = x.filter(\.isFinite)
            #expect(table.sum_double(finite, finite.count) == Self.portable.sum_double(finite, finite.count))
            var c = Self.values(37, seed: 6).map { $0 > 0 ? Float(1) : 0 }
            c[3] = .nan  // NaN is non-zero: selects y
            var expected = [Float](repeating: 0, count: 37), got = expected
            Self.portable.select(c, x, Self.values(37, seed: 7), &expected, 37)
            table.select(c, x, Self.values(37, seed: 7), &got, 37)
            #expect(Self.sameBits(got, expected), "\(name) select")
        }
    }

    @Test func maximumAndMinimumPropagateNaN() {
        for table in [Self.portable] + Self.others.map(\.1) {
            let x: [Float] = [1, 5, .nan, 2, 3, 4, 0, 1, 2, 3, -1]
            for n in [3, 11] {
                var m: Float = -.infinity
                table.reduce(.maximum, x, n, &m)
                #expect(m.isNaN, "max over \(n) values, one NaN")
            }
            var acc: [Float] = [1, 2, 3]
            table.reduce_elementwise(.minimum, [0, .nan, 4], &acc, 3)
            #expect(acc[0] == 0 && acc[1].isNaN && acc[2] == 3)
        }
    }

    @Test func convolutionRowsMatchADoublePrecisionReference() {
        let channels = 7, stride = 40
        let src = Self.values(channels * stride, seed: 8).map { $0.isFinite ? $0 / 40 : 0.25 }
        let weights = Self.values(channels + 20, seed: 9).suffix(channels).map { $0 / 20 }
        for (name, table) in [("portable", Self.portable)] + Self.others {
            // Every row length up to 19 covers the 8-, 4- and 2-lane steps and the odd last column.
            for n in 1...19 {
                var dst = Self.values(n + 19, seed: 10).suffix(n).map { $0 / 10 }
                let start = dst
                table.accumulate_channels(&dst, src, stride, weights, channels, n)
                for i in 0..<n {
                    let ref = Double(start[i]) + (0..<channels).reduce(0.0) { $0 + Double(weights[$1]) * Double(src[$1 * stride + i]) }
                    #expect(Swift.abs(Double(dst[i]) - ref) <= 1e-5 * Swift.max(1, Swift.abs(ref)), "\(name) n=\(n) column \(i)")
                }
            }
            // Three rows of 17 or 19 (row strides 20 to 60), unit and general strides.
            let x = Self.values(200, seed: 11).map { $0.isFinite ? $0 / 10 : 1 }
            for (xs, ys) in [(1, 1), (2, 1), (1, 3)] {
                var y = [Float](repeating: 0.5, count: 200)
                table.axpy(0.25, x, xs, 40, &y, ys, 60, 17, 3)
                for r in 0..<3 {
                    for i in 0..<17 {
                        #expect(y[r * 60 + i * ys] == 0.5 + 0.25 * x[r * 40 + i * xs], "\(name) axpy strides (\(xs), \(ys)) row \(r)")
                    }
                }
                #expect(y[3 * 60] == 0.5, "\(name) axpy wrote past its rows")
            }
            for ys in [1, 2] {
                var total: Float = 1
                let reversed = Array(x.reversed())
                table.dot(x, 20, reversed, ys, 50, 19, 3, &total)
                let ref = 1 + (0..<3).reduce(0.0) { sum, r in
                    sum + (0..<19).reduce(0.0) { $0 + Double(x[r * 20 + $1]) * Double(reversed[r * 50 + $1 * ys]) }
                }
                #expect(Swift.abs(Double(total) - ref) <= 1e-4 * Swift.max(1, Swift.abs(ref)), "\(name) dot stride \(ys)")
            }
        }
    }
}
