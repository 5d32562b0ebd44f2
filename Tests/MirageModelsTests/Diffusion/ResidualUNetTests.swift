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
        for ((name, want), got) in zip(expected, grads) {
            // Float sums over different orders: 1e-4 relative to the largest entry, at least 2e-5.
            let tolerance = max(2e-5, 1e-4 * want.abs().max().item)
            #expect((got - want).abs().max().item <= tolerance, "\(name): off by \((got - want).abs().max().item)")
        }
    }
}
