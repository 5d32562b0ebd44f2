/// Why an evaluation could not run: a missing judge, a damaged file, samples of the wrong shape.
///
/// Every case names the file involved and what is wrong, so that the message alone tells the
/// user what to fix.
///
/// ```swift
/// do {
///     let judge = try MNISTJudge.load()
/// } catch let error as EvalError {
///     print(error)   // "MNIST judge weights (mnist-judge.safetensors) not found; looked in: …"
/// }
/// ```
public enum EvalError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The judge's weights were not found in any of the paths listed.
    case judgeNotFound(searched: [String])
    /// A judge or statistics file exists but cannot be used.
    case badFile(file: String, reason: String)
    /// A samples file holds something other than N×1×28×28 values in [0, 1].
    case badSamples(file: String, reason: String)
    /// A file cannot be written.
    case unwritable(file: String, reason: String)

    /// The message: the file or paths involved and what to do.
    public var description: String {
        switch self {
        case let .judgeNotFound(searched):
            return """
            MNIST judge weights (\(MNISTJudge.weightsFileName)) not found; looked in:
            \(searched.map { "  \($0)" }.joined(separator: "\n"))
            Pass --judge PATH, set MIRAGE_DATA=DIR (holding judge/\(MNISTJudge.weightsFileName)), run from \
            inside the repository, or train one with `mirage eval train-judge`.
            """
        case let .badFile(file, reason):
            return "\(file): \(reason)"
        case let .badSamples(file, reason):
            return "\(file): \(reason)"
        case let .unwritable(file, reason):
            return "\(file): cannot write: \(reason)"
        }
    }
}
