import Foundation

/// The eigenvalues and eigenvectors of a real symmetric matrix, A = V·diag(λ)·Vᵀ, in Double.
///
/// Householder reduction to tridiagonal form followed by the implicit QL algorithm with Wilkinson
/// shifts (EISPACK's `tred2` and `tql2`, as in JAMA): O(n³), milliseconds for the 128×128
/// covariance of the judge's features, and backward stable, so the eigenvalues are exact to
/// about n·ε·‖A‖. Eigenvalues come out in ascending order, like `numpy.linalg.eigh`; each
/// column of ``eigenvectors`` has unit length. Only the lower triangle of the input is read (as
/// `eigh` does by default), so pass a symmetric matrix.
///
/// ```swift
/// let a = Matrix([[2, 1], [1, 2]])
/// let e = SymmetricEigendecomposition(a)
/// print(e.eigenvalues)                   // [1.0, 3.0]
/// let back = e.reconstructed()           // ≈ a
/// ```
///
/// - SeeAlso: Wilkinson & Reinsch, *Handbook for Automatic Computation II: Linear Algebra*
///   (1971), procedures tred2 and tql2; Golub & Van Loan, *Matrix Computations*, §8.3.
///   <https://math.nist.gov/javanumerics/jama/>
public struct SymmetricEigendecomposition: Sendable {
    /// The eigenvalues, ascending.
    public let eigenvalues: [Double]
    /// The eigenvectors as columns, in the order of ``eigenvalues``; orthonormal.
    public let eigenvectors: Matrix

    /// Decomposes a symmetric matrix.
    ///
    /// - Parameter matrix: A square, symmetric matrix with finite elements (only its lower
    ///   triangle is read). A non-finite element stops the program: it is a bug upstream.
    public init(_ matrix: Matrix) {
        precondition(matrix.isSquare, "SymmetricEigendecomposition: \(matrix.rows)×\(matrix.columns) is not square")
        precondition(matrix.elements.allSatisfy(\.isFinite),
                     "SymmetricEigendecomposition: the matrix has a NaN or infinite element")
        let n = matrix.rows
        var v = matrix.symmetrizedFromLower().elements
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        if n > 0 {
            householderTridiagonalize(&v, &d, &e, n)
            implicitQL(&v, &d, &e, n)
        }
        eigenvalues = d
        eigenvectors = Matrix(rows: n, columns: n, elements: v)
    }

    /// V·diag(f(λ))·Vᵀ: the matrix function `f` applied through the decomposition.
    ///
    /// - Parameter f: A function of one eigenvalue (the square root, the logarithm, …).
    /// - Returns: The symmetric matrix with the same eigenvectors and eigenvalues f(λ).
    public func reconstructed(applying f: (Double) -> Double = { $0 }) -> Matrix {
        let n = eigenvalues.count
        let fl = eigenvalues.map(f)
        var out = Matrix(zeros: n, n)
        let v = eigenvectors.elements
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for k in 0..<n { s += v[i * n + k] * fl[k] * v[j * n + k] }
                out[i, j] = s
                out[j, i] = s
            }
        }
        return out
    }
}

extension Matrix {
    /// The matrix with its upper triangle replaced by the mirror of its lower one.
    func symmetrizedFromLower() -> Matrix {
        var s = self
        for i in 0..<rows { for j in 0..<i { s[j, i] = self[i, j] } }
        return s
    }
}

/// Householder reduction of the symmetric matrix in `v` (n×n, row-major) to tridiagonal form:
/// on return `d` holds the diagonal, `e[1..<n]` the subdiagonal and `v` the orthogonal
/// transformation. EISPACK `tred2`.
private func householderTridiagonalize(_ v: inout [Double], _ d: inout [Double], _ e: inout [Double], _ n: Int) {
    for j in 0..<n { d[j] = v[(n - 1) * n + j] }
    var i = n - 1
    while i > 0 {
        var scale = 0.0, h = 0.0
        for k in 0..<i { scale += Swift.abs(d[k]) }
        if scale == 0 {
            e[i] = d[i - 1]
            for j in 0..<i {
                d[j] = v[(i - 1) * n + j]
                v[i * n + j] = 0
                v[j * n + i] = 0
            }
        } else {
            // The Householder vector, scaled against overflow and underflow.
            for k in 0..<i {
                d[k] /= scale
                h += d[k] * d[k]
            }
            var f = d[i - 1]
            var g = h.squareRoot()
            if f > 0 { g = -g }
            e[i] = scale * g
            h -= f * g
            d[i - 1] = f - g
            for j in 0..<i { e[j] = 0 }
            // Apply the similarity transformation to the remaining columns.
            for j in 0..<i {
                f = d[j]
                v[j * n + i] = f
                g = e[j] + v[j * n + j] * f
                var k = j + 1
                while k <= i - 1 {
                    g += v[k * n + j] * d[k]
                    e[k] += v[k * n + j] * f
                    k += 1
                }
                e[j] = g
            }
            f = 0
            for j in 0..<i {
                e[j] /= h
                f += e[j] * d[j]
            }
            let hh = f / (h + h)
            for j in 0..<i { e[j] -= hh * d[j] }
            for j in 0..<i {
                f = d[j]
                g = e[j]
                for k in j...(i - 1) { v[k * n + j] -= f * e[k] + g * d[k] }
                d[j] = v[(i - 1) * n + j]
                v[i * n + j] = 0
            }
        }
        d[i] = h
        i -= 1
    }
    // Accumulate the transformations.
    for i in 0..<(n - 1) {
        v[(n - 1) * n + i] = v[i * n + i]
        v[i * n + i] = 1
        let h = d[i + 1]
        if h != 0 {
            for k in 0...i { d[k] = v[k * n + i + 1] / h }
            for j in 0...i {
                var g = 0.0
                for k in 0...i { g += v[k * n + i + 1] * v[k * n + j] }
                for k in 0...i { v[k * n + j] -= g * d[k] }
            }
        }
        for k in 0...i { v[k * n + i + 1] = 0 }
    }
    for j in 0..<n {
        d[j] = v[(n - 1) * n + j]
        v[(n - 1) * n + j] = 0
    }
    v[(n - 1) * n + n - 1] = 1
    e[0] = 0
}

/// Eigenvalues and eigenvectors of the symmetric tridiagonal matrix (`d`, `e`) by the implicit
/// QL method, accumulating into `v`; sorts them ascending. EISPACK `tql2`.
private func implicitQL(_ v: inout [Double], _ d: inout [Double], _ e: inout [Double], _ n: Int) {
    for i in 1..<Swift.max(n, 1) { e[i - 1] = e[i] }
    e[n - 1] = 0
    var f = 0.0, tst1 = 0.0
    let eps = Double.ulpOfOne
    for l in 0..<n {
        // Find a negligible subdiagonal element.
        tst1 = Swift.max(tst1, Swift.abs(d[l]) + Swift.abs(e[l]))
        var m = l
        while m < n - 1 && Swift.abs(e[m]) > eps * tst1 { m += 1 }
        if m > l {
            var iterations = 0
            repeat {
                iterations += 1
                precondition(iterations <= 60, "SymmetricEigendecomposition: QL did not converge for eigenvalue \(l)")
                // The implicit (Wilkinson) shift.
                var g = d[l]
                var p = (d[l + 1] - g) / (2 * e[l])
                var r = hypot(p, 1)
                if p < 0 { r = -r }
                d[l] = e[l] / (p + r)
                d[l + 1] = e[l] * (p + r)
                let dl1 = d[l + 1]
                var h = g - d[l]
                for i in (l + 2)..<Swift.max(n, l + 2) { d[i] -= h }
                f += h
                // The implicit QL transformation.
                p = d[m]
                var c = 1.0, c2 = 1.0, c3 = 1.0
                let el1 = e[l + 1]
                var s = 0.0, s2 = 0.0
                var i = m - 1
                while i >= l {
                    c3 = c2
                    c2 = c
                    s2 = s
                    g = c * e[i]
                    h = c * p
                    r = hypot(p, e[i])
                    e[i + 1] = s * r
                    s = e[i] / r
                    c = p / r
                    p = c * d[i] - s * g
                    d[i + 1] = h + s * (c * g + s * d[i])
                    for k in 0..<n {
                        let vk1 = v[k * n + i + 1], vk = v[k * n + i]
                        v[k * n + i + 1] = s * vk + c * vk1
                        v[k * n + i] = c * vk - s * vk1
                    }
                    i -= 1
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1
                e[l] = s * p
                d[l] = c * p
            } while Swift.abs(e[l]) > eps * tst1
        }
        d[l] += f
        e[l] = 0
    }
    // Sort ascending, moving the eigenvectors along.
    for i in 0..<Swift.max(n - 1, 0) {
        var k = i
        var p = d[i]
        for j in (i + 1)..<n where d[j] < p {
            k = j
            p = d[j]
        }
        if k != i {
            d[k] = d[i]
            d[i] = p
            for j in 0..<n { v.swapAt(j * n + i, j * n + k) }
        }
    }
}
