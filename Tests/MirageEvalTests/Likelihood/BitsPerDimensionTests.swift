import Foundation
import MirageEval
import Testing

@Suite struct BitsPerDimensionTests {
    @Test func uniformOverPixelLevelsIsEightBits() {
        // A uniform density on [0, 1) has log-density 0; on the 0…255 scale that is 8 bits a pixel.
        #expect(Swift.abs(BitsPerDimension.fromNats(0, dimensions: 784, scaledBy: 256) - 8) < 1e-12)
        // On the integer scale, uniform over 256 levels is −log(1/256) = 784·log 256 nats.
        #expect(Swift.abs(BitsPerDimension.fromNats(784 * log(256.0), dimensions: 784) - 8) < 1e-12)
    }

    @Test func roundTrips() {
        let bpd = BitsPerDimension.fromNats(1234.5, dimensions: 3072, scaledBy: 256)
        #expect(Swift.abs(BitsPerDimension.toNats(bpd, dimensions: 3072, scaledBy: 256) - 1234.5) < 1e-9)
    }
}
