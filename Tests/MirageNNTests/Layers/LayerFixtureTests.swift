import MirageNN
import MirageTensor
import MirageTestSupport
import Testing

/// Each layer's output, input gradient, parameter gradients and (for batch norm) running
/// statistics against PyTorch on the same parameters and input.
@Suite struct LayerFixtureTests {
    static let file = Fixtures.load("torch_layers")

    static let layers: [String: (make: () -> any Layer, train: Bool)] = [
        "linear": ({ Linear(5, 3) }, true),
        "linearNoBias": ({ Linear(5, 3, bias: false) }, true),
        "conv2d": ({ Conv2d(4, 6, kernelSize: 3, stride: 2, padding: 1, groups: 2) }, true),
        "convTranspose2d": ({ ConvTranspose2d(3, 2, kernelSize: 4, stride: 2, padding: 1) }, true),
        "batchNorm1dTrain": ({ BatchNorm1d(3) }, true),
        "batchNorm1dEval": ({ BatchNorm1d(3) }, false),
        "batchNorm2dTrain": ({ BatchNorm2d(3, momentum: 0.2) }, true),
        "batchNorm2dEval": ({ BatchNorm2d(3) }, false),
        "groupNorm": ({ GroupNorm(2, 4) }, true),
        "layerNorm": ({ LayerNorm([3, 4]) }, true),
        "instanceNorm2d": ({ InstanceNorm2d(3) }, true),
        "embedding": ({ Embedding(7, 3) }, true),
        "upsample": ({ Upsample(scaleFactor: 2) }, true),
        "selfAttention2d": ({ SelfAttention2d(8) }, true),
    ]

    @Test func everyFixtureHasALayer() {
        let names = Set(Self.file.tensors.keys.map { String($0.split(separator: ".")[0]) })
        #expect(names == Set(Self.layers.keys))
    }

    @Test(arguments: layers.keys.sorted())
    func matchesPyTorch(_ name: String) throws {
        let layer = Self.layers[name]!.make()
        layer.train(Self.layers[name]!.train)
        let params = Self.file.tensors(under: "\(name).param"), before = Self.file.tensors(under: "\(name).buffer_before")
        try layer.loadStateDict(params.merging(before) { a, _ in a })
        let raw = Self.file.tensors["\(name).input"]!
        let x = name == "embedding" ? raw : raw.requiringGrad()
        let y = layer(x)
        expectClose(y, Self.file.tensors["\(name).output"]!.scalars, shape: Self.file.tensors["\(name).output"]!.shape,
                    atol: 1e-5, rtol: 1e-4)
        let slots = layer.namedParameters()
        let wrt = (name == "embedding" ? [] : [x]) + slots.map(\.1)
        let grads = gradients(of: y, wrt: wrt, outputGradient: Self.file.tensors["\(name).cotangent"]!)
        if name != "embedding" {
            expectClose(grads[0], Self.file.tensors["\(name).grad_input"]!.scalars, atol: 1e-4, rtol: 1e-4)
        }
        for ((key, _), g) in zip(slots, grads.suffix(slots.count)) {
            let expected = try #require(Self.file.tensors["\(name).grad.\(key)"], "no PyTorch gradient for \(key)")
            expectClose(g, expected.scalars, shape: expected.shape, atol: 1e-4, rtol: 1e-4)
        }
        for (key, expected) in Self.file.tensors(under: "\(name).buffer_after") {
            let mine = try #require(layer.namedBuffers().first { $0.0 == key }?.1, "no buffer \(key)")
            expectClose(mine, expected.scalars, atol: 1e-5, rtol: 1e-5)
        }
    }
}
