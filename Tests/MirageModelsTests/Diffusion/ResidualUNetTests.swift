import Foundation
import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct ResidualUNetTests {
    /// `scripts/make_torch_diffusion_fixtures.py`: a conditional width-8 network with every weight
    /// drawn, its output and gradients in PyTorch.
    static let fixture: Checkpoint = Fixtures.load("torch_residual_unet")

    @Test func shapesNamesAndAZeroStart() {
        let unet = ResidualUNet(generator: RandomGenerator(seed: 0))
        let x = Tensor.randn([3, 1, 28, 28], generator: RandomGenerator(seed: 1))
        let y = unet(x, timesteps: Tensor([0, 10, 999]))
        #expect(y.shape == [3, 1, 28, 28])
        // The output layer starts at zero, so an untrained network predicts no noise at all.
        #expect(y.abs().max().item == 0)
        // PyTorch's ResidualUNet(ch=32) has 597,953 parameters, 599,361 with 10 classes.
        #expect(unet.parameters().map(\.count).reduce(0, +) == 597_953)
        let conditional = ResidualUNet(classes: 10, generator: RandomGenerator(seed: 0))
        #expect(conditional.parameters().map(\.count).reduce(0, +) == 599_361)
        #expect(conditional(x, timesteps: Tensor([1, 2, 3]), labels: Tensor([0, 9, 10])).shape == [3, 1, 28, 28])
    }

    /// The network is PyTorch's, name for name: the same state dict gives the same output and
    /// the same gradients for the images and every parameter.
    ///
    /// Each gradient is compared relative to its own size, with no absolute floor, so that a
    /// gradient that is wrongly zero fails however small the right one is. Eight of the 92 are zero
    /// by construction, and both sides hold only float noise there (about 1e-7 of the largest
    /// gradient in PyTorch, 3e-7 here): at width 8, GroupNorm's 8 groups are one channel each, and a per-channel
    /// constant added just before one is removed with its channel's mean. So nothing flows to the
    /// first block's conv1 and time-projection biases and time weights (added before its norm2),
    /// the same in the last decoder block, or that block's conv2 and skip biases (its output goes
    /// into the output GroupNorm). Those are checked to be zero at 1e-6 of the largest gradient,
    /// and the fixture is checked to have no other gradient that small, so that every other
    /// tensor meets the relative tolerance.
    @Test func matchesPyTorch() throws {
        let f = Self.fixture.tensors
        let unet = ResidualUNet(width: 8, classes: 3, generator: RandomGenerator(seed: 0))
        try unet.loadStateDict(Self.fixture.tensors(under: "param"))
        let x = f["images"]!.requiringGrad()
        let out = unet(x, timesteps: f["timesteps"]!, labels: f["labels"]!)
        let scale = f["output"]!.abs().max().item
        #expect((out - f["output"]!).abs().max().item <= 1e-4 * scale)
        let parameters = unet.namedParameters()
        let grads = gradients(of: (out * f["cotangent"]!).sum(), wrt: [x] + parameters.map(\.1))
        let expected = [("images", f["grad_images"]!)] + parameters.map { ($0.0, f["grad.\($0.0)"]!) }
        let zeroByConstruction: Set = ["enc1.conv1.bias", "enc1.time.weight", "enc1.time.bias", "dec1.conv1.bias",
                                       "dec1.time.weight", "dec1.time.bias", "dec1.conv2.bias", "dec1.skip.bias"]
        let largest = expected.map { $0.1.abs().max().item }.max()!
        #expect(Set(expected.filter { $0.1.abs().max().item < 1e-5 * largest }.map(\.0)) == zeroByConstruction)
        for ((name, want), got) in zip(expected, grads) {
            let scale = want.abs().max().item, error = (got - want).abs().max().item
            if zeroByConstruction.contains(name) {
                #expect(got.abs().max().item <= 1e-6 * largest, "\(name): \(got.abs().max().item), not zero")
            } else {
                // Float sums over different orders: 1e-4 of the tensor's largest entry (the worst
                // seen is 4e-6); a zero gradient is off by all of it.
                #expect(error <= 1e-4 * scale, "\(name): off by \(error), \(error / scale) of its largest entry")
            }
        }
    }
}
