import Foundation

/// The LU decomposition with partial pivoting of a square matrix, `A = P·L·U`: `P` a permutation,
/// `L` unit lower triangular, `U` upper triangular. Glow's invertible 1×1 convolution is stored
/// this way, so that its log-determinant is `Σ log |U_ii|`; the decomposition also gives the
/// inverse and the determinant in O(n³).
///
/// ```swift
/// let lu = LUDecomposition(Matrix([[0, 2], [3, 1]]))
/// lu.permutation * lu.lower * lu.upper // the matrix again
/// lu.inverse                           // A⁻¹
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1807.03039> (Glow, section 3.2)
public struct LUDecomposition: Sendable {
    public let permutation: Matrix
    public let lower: Matrix
    public let upper: Matrix
    /// `pivots[i]` is the row of A that ended up in row i of `L·U`.
    let pivots: [Int]

    /// Decomposes `a`, which must be square; a singular matrix gives a zero on U's diagonal.
    public init(_ a: Matrix) {
        precondition(a.isSquare, "LUDecomposition: the matrix is \(a.rows)×\(a.columns), not square")
        let n = a.rows
        var m = a.elements
        var rowsOrder = Array(0..<n)
        for k in 0..<n {
            // The largest remaining entry of column k becomes the pivot, for stability.
            var p = k
            for i in (k + 1)..<max(k + 1, n) where abs(m[i * n + k]) > abs(m[p * n + k]) { p = i }
            if p != k {
                for j in 0..<n { m.swapAt(k * n + j, p * n + j) }
                rowsOrder.swapAt(k, p)
            }
            let pivot = m[k * n + k]
            guard pivot != 0 else { continue }
            for i in (k + 1)..<max(k + 1, n) {
                let f = m[i * n + k] / pivot
                m[i * n + k] = f
                for j in (k + 1)..<n { m[i * n + j] -= f * m[k * n + j] }
            }
        }
        var l = Matrix.identity(n), u = Matrix(zeros: n, n), p = Matrix(zeros: n, n)
        for i in 0..<n {
            for j in 0..<n {
                if j < i { l[i, j] = m[i * n + j] } else { u[i, j] = m[i * n + j] }
            }
            // Row i of L·U is row rowsOrder[i] of A, so A = P·L·U with P[rowsOrder[i], i] = 1.
            p[rowsOrder[i], i] = 1
        }
        permutation = p
        lower = l
        upper = u
        pivots = rowsOrder
    }

    /// `det A`: the product of U's diagonal, with the permutation's sign.
    public var determinant: Double {
        var sign = 1.0, seen = [Bool](repeating: false, count: pivots.count)
        for start in pivots.indices where !seen[start] {
            var length = 0, i = start
            while !seen[i] { seen[i] = true; i = pivots[i]; length += 1 }
            if length % 2 == 0 { sign = -sign }
        }
        return upper.diagonalElements.reduce(sign, *)
    }

    /// `A⁻¹`, by forward and back substitution for each column of the identity.
    public var inverse: Matrix {
        let n = upper.rows
        precondition(upper.diagonalElements.allSatisfy { $0 != 0 }, "LUDecomposition: the matrix is singular")
        var result = Matrix(zeros: n, n)
        for column in 0..<n {
            // Solve L·U·x = Pᵀ·e_column: (Pᵀe)_i = 1 where rowsOrder[i] == column.
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                var s = pivots[i] == column ? 1.0 : 0.0
                for j in 0..<i { s -= lower[i, j] * y[j] }
                y[i] = s
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = y[i]
                for j in (i + 1)..<n { s -= upper[i, j] * y[j] }
                y[i] = s / upper[i, i]
            }
            for i in 0..<n { result[i, column] = y[i] }
        }
        return result
    }
}

extension Matrix {
    /// A random orthogonal matrix: Gram–Schmidt (twice, for accuracy) on the columns of a
    /// matrix of independent N(0, 1) draws. It is Q of the QR decomposition whose R has a positive
    /// diagonal, which is distributed uniformly (Haar) over the orthogonal matrices.
    public static func randomOrthogonal(_ n: Int, normals: [Double]) -> Matrix {
        precondition(normals.count == n * n, "Matrix.randomOrthogonal: need \(n * n) normal draws, got \(normals.count)")
        var q = Matrix(rows: n, columns: n, elements: normals)
        for j in 0..<n {
            for _ in 0..<2 {
                for k in 0..<j {
                    var dot = 0.0
                    for i in 0..<n { dot += q[i, k] * q[i, j] }
                    for i in 0..<n { q[i, j] -= dot * q[i, k] }
                }
            }
            var norm = 0.0
            for i in 0..<n { norm += q[i, j] * q[i, j] }
            norm = norm.squareRoot()
            for i in 0..<n { q[i, j] /= norm }
        }
        return q
    }
}
