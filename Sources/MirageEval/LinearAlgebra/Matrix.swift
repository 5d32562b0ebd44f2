import MirageTensor

/// A dense, row-major matrix of `Double`s: the small linear algebra behind the Gaussian measures.
///
/// Mirage's tensors are Float32, which is enough for networks but not for a matrix square root of
/// a 128×128 covariance whose eigenvalues span six orders of magnitude. Statistics are therefore
/// gathered into a `Matrix` (in Double) before ``SymmetricEigendecomposition``,
/// ``symmetricSquareRoot()`` and ``FrechetDistance`` work on them.
///
/// ```swift
/// let a = Matrix([[2, 1], [1, 2]])
/// let b = a * a                      // [[5, 4], [4, 5]]
/// print(b.trace)                     // 10.0
/// let t = Matrix(Tensor([1, 2, 3, 4], shape: [2, 2]))
/// ```
///
/// ### See Also
/// - ``SymmetricEigendecomposition``
/// - ``Gaussian``
public struct Matrix: Equatable, Sendable, CustomStringConvertible {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The elements, row after row: element (i, j) is at `i * columns + j`.
    public var elements: [Double]

    /// Creates a matrix from its elements in row-major order.
    ///
    /// - Parameters:
    ///   - rows: Number of rows (0 or more).
    ///   - columns: Number of columns (0 or more).
    ///   - elements: `rows * columns` values, row after row.
    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative size \(rows)×\(columns)")
        precondition(elements.count == rows * columns,
                     "Matrix: \(elements.count) elements do not fill \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix of zeros.
    ///
    /// - Parameters:
    ///   - rows: Number of rows.
    ///   - columns: Number of columns.
    public init(zeros rows: Int, _ columns: Int) {
        self.init(rows: rows, columns: columns, elements: [Double](repeating: 0, count: rows * columns))
    }

    /// Creates a matrix from its rows, which must all have the same length.
    ///
    /// - Parameter rowValues: The rows.
    public init(_ rowValues: [[Double]]) {
        let c = rowValues.first?.count ?? 0
        precondition(rowValues.allSatisfy { $0.count == c }, "Matrix: rows of different lengths")
        self.init(rows: rowValues.count, columns: c, elements: rowValues.flatMap { $0 })
    }

    /// Converts a 2-D tensor.
    ///
    /// - Parameter tensor: A tensor of shape `[rows, columns]`.
    public init(_ tensor: Tensor) {
        precondition(tensor.rank == 2, "Matrix: expected a 2-D tensor, got shape \(tensor.shape)")
        self.init(rows: tensor.shape[0], columns: tensor.shape[1], elements: tensor.scalars.map(Double.init))
    }

    /// The n×n identity.
    ///
    /// - Parameter n: The size.
    /// - Returns: The identity matrix.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(zeros: n, n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// A square matrix with `values` on its diagonal.
    ///
    /// - Parameter values: The diagonal.
    /// - Returns: The diagonal matrix.
    public static func diagonal(_ values: [Double]) -> Matrix {
        var m = Matrix(zeros: values.count, values.count)
        for (i, v) in values.enumerated() { m[i, i] = v }
        return m
    }

    /// Element (i, j).
    public subscript(i: Int, j: Int) -> Double {
        get { elements[i * columns + j] }
        set { elements[i * columns + j] = newValue }
    }

    /// Whether the matrix is square.
    public var isSquare: Bool { rows == columns }

    /// The diagonal elements.
    public var diagonalElements: [Double] { (0..<Swift.min(rows, columns)).map { self[$0, $0] } }

    /// The sum of the diagonal.
    public var trace: Double { diagonalElements.reduce(0, +) }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(zeros: columns, rows)
        for i in 0..<rows { for j in 0..<columns { t.elements[j * rows + i] = elements[i * columns + j] } }
        return t
    }

    /// (A + Aᵀ) / 2: removes the rounding asymmetry of products such as `S·Σ·S`.
    public var symmetrized: Matrix {
        precondition(isSquare, "Matrix.symmetrized: \(rows)×\(columns) is not square")
        var s = self
        for i in 0..<rows {
            for j in (i + 1)..<Swift.max(i + 1, columns) {
                let v = (self[i, j] + self[j, i]) / 2
                s[i, j] = v
                s[j, i] = v
            }
        }
        return s
    }

    /// The largest absolute difference between two matrices of the same size.
    ///
    /// - Parameter other: A matrix of the same size.
    /// - Returns: max |aᵢⱼ − bᵢⱼ|.
    public func maxAbsoluteDifference(_ other: Matrix) -> Double {
        precondition(rows == other.rows && columns == other.columns,
                     "Matrix.maxAbsoluteDifference: \(rows)×\(columns) vs \(other.rows)×\(other.columns)")
        return zip(elements, other.elements).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
    }

    /// The matrix as a Float32 tensor of shape `[rows, columns]`.
    public var tensor: Tensor { Tensor(elements.map(Float.init), shape: [rows, columns]) }

    /// The matrix product, accumulated in Double (i-k-j order, so the inner loop runs along rows).
    public static func * (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.columns == b.rows, "Matrix *: \(a.rows)×\(a.columns) times \(b.rows)×\(b.columns) do not chain")
        var c = [Double](repeating: 0, count: a.rows * b.columns)
        let (n, m) = (a.columns, b.columns)
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for i in 0..<a.rows {
                        for k in 0..<n {
                            let aik = pa[i * n + k]
                            if aik == 0 { continue }
                            for j in 0..<m { pc[i * m + j] += aik * pb[k * m + j] }
                        }
                    }
                }
            }
        }
        return Matrix(rows: a.rows, columns: b.columns, elements: c)
    }

    /// The element-wise sum.
    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "Matrix +: \(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns)")
        return Matrix(rows: a.rows, columns: a.columns, elements: zip(a.elements, b.elements).map(+))
    }

    /// The element-wise difference.
    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "Matrix -: \(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns)")
        return Matrix(rows: a.rows, columns: a.columns, elements: zip(a.elements, b.elements).map(-))
    }

    /// Every element times a scalar.
    public static func * (s: Double, a: Matrix) -> Matrix {
        Matrix(rows: a.rows, columns: a.columns, elements: a.elements.map { s * $0 })
    }

    /// The matrix–vector product.
    public static func * (a: Matrix, x: [Double]) -> [Double] {
        precondition(a.columns == x.count, "Matrix *: \(a.rows)×\(a.columns) times a vector of \(x.count)")
        return (0..<a.rows).map { i in (0..<a.columns).reduce(0) { $0 + a[i, $1] * x[$1] } }
    }

    /// The size, and the elements when there are at most 16.
    public var description: String {
        "Matrix(\(rows)×\(columns))" + (rows * columns <= 16 ? " \(elements)" : "")
    }
}
