import MirageEval
import Testing

/// The style-mixing shares count each mix against the right source.
@Suite struct StyleMixingSharesTests {
    @Test func sharesFollowTheSourceTheClassCameFrom() {
        // Pairs 0–3 differ in class; pair 4 is read as 7 on both sides.
        let s = [1, 2, 3, 4, 7], t = [5, 6, 8, 9, 7]
        // Coarse mixes: three read as T, one as S, one (the tie) as both.
        let coarse = [5, 6, 3, 9, 7]
        // Fine mixes: two read as S, one as T, one as neither, and the tie.
        let fine = [1, 2, 8, 0, 7]
        let shares = StyleMixingShares(source: s, other: t, coarseFromOther: coarse, fineFromOther: fine)
        #expect(shares.pairs == 5 && shares.differingPairs == 4)
        #expect(shares.coarseReadsOther == 4.0 / 5 && shares.coarseReadsSource == 2.0 / 5)
        #expect(shares.fineReadsSource == 3.0 / 5 && shares.fineReadsOther == 2.0 / 5)
        #expect(shares.differingCoarseReadsOther == 3.0 / 4 && shares.differingFineReadsSource == 2.0 / 4)
    }

    @Test func noDifferingPairsGiveNaNNotZero() {
        let same = [3, 3, 3]
        let shares = StyleMixingShares(source: same, other: same, coarseFromOther: [3, 1, 3], fineFromOther: same)
        #expect(shares.differingPairs == 0 && shares.differingCoarseReadsOther.isNaN && shares.differingFineReadsSource.isNaN)
        #expect(shares.coarseReadsOther == 2.0 / 3 && shares.fineReadsSource == 1)
    }
}
