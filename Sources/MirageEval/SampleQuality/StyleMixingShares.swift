import Foundation

/// Which source a style-mixed image's class follows (Karras et al., 2019, section 3.1: the
/// coarse styles carry pose and shape, the fine ones colour and texture). For each pair of
/// latents S and T, the judge's classes of S's image, T's image, S's image with T's coarse
/// styles and S's image with T's fine styles give the share of coarse mixes read as T's class
/// and of fine mixes read as S's. Pairs whose sources the judge reads as the same class agree
/// either way, so the shares are also given over the pairs whose sources differ.
///
/// ```swift
/// let shares = StyleMixingShares(source: classesOfS, other: classesOfT,
///                                coarseFromOther: classesOfCoarseMixes, fineFromOther: classesOfFineMixes)
/// print(shares.coarseReadsOther, shares.fineReadsSource)
/// ```
public struct StyleMixingShares: Equatable, Sendable {
    /// Pairs measured.
    public let pairs: Int
    /// Share of S-with-T's-coarse-styles images read as T's class.
    public let coarseReadsOther: Double
    /// Share of S-with-T's-coarse-styles images read as S's class.
    public let coarseReadsSource: Double
    /// Share of S-with-T's-fine-styles images read as S's class.
    public let fineReadsSource: Double
    /// Share of S-with-T's-fine-styles images read as T's class.
    public let fineReadsOther: Double
    /// Pairs whose sources are read as different classes.
    public let differingPairs: Int
    /// ``coarseReadsOther`` over the differing pairs (NaN when there are none).
    public let differingCoarseReadsOther: Double
    /// ``fineReadsSource`` over the differing pairs (NaN when there are none).
    public let differingFineReadsSource: Double

    /// The shares from the classes of the pairs' four images, one entry per pair in each array.
    public init(source: [Int], other: [Int], coarseFromOther: [Int], fineFromOther: [Int]) {
        precondition(Set([source.count, other.count, coarseFromOther.count, fineFromOther.count]).count == 1,
                     "StyleMixingShares: \(source.count), \(other.count), \(coarseFromOther.count) and \(fineFromOther.count) classes")
        let all = Array(source.indices), differing = all.filter { source[$0] != other[$0] }
        func share(_ indices: [Int], _ reads: (Int) -> Bool) -> Double {
            indices.isEmpty ? .nan : Double(indices.filter(reads).count) / Double(indices.count)
        }
        pairs = source.count
        coarseReadsOther = share(all) { coarseFromOther[$0] == other[$0] }
        coarseReadsSource = share(all) { coarseFromOther[$0] == source[$0] }
        fineReadsSource = share(all) { fineFromOther[$0] == source[$0] }
        fineReadsOther = share(all) { fineFromOther[$0] == other[$0] }
        differingPairs = differing.count
        differingCoarseReadsOther = share(differing) { coarseFromOther[$0] == other[$0] }
        differingFineReadsSource = share(differing) { fineFromOther[$0] == source[$0] }
    }
}
