import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor
import Testing

/// pix2pix, CycleGAN and their parts: network shapes and sizes (checked against the PyTorch
/// peer's parameter counts), reflection padding, the history pool, the learning-rate schedule,
/// brief training on real MNIST domains, and exact resume with the pools.
@Suite struct TranslationTests {
    static let g = RandomGenerator(seed: 0)

    @Test func uNetKeepsTheSizeThroughOddLevels() {
        #expect(UNetGenerator.levelCount(height: 28, width: 28) == 4)
        #expect(UNetGenerator.levelCount(height: 256, width: 256) == 8)
        let unet = UNetGenerator(inputChannels: 1, outputChannels: 3, height: 28, width: 28, norm: .batch, generator: Self.g)
        #expect(unet(Tensor.randn([2, 1, 28, 28], generator: Self.g)).shape == [2, 3, 28, 28])
        // 20 × 12: levels 3 (12 → 6 → 3 → 1), output paddings differ per axis (20 → 10 → 5 → 2).
        let odd = UNetGenerator(inputChannels: 3, outputChannels: 1, height: 20, width: 12, filters: 8, norm: .instance, generator: Self.g)
        let y = odd(Tensor.randn([2, 3, 20, 12], generator: Self.g))
        #expect(y.shape == [2, 1, 20, 12])
        #expect(y.scalars.allSatisfy { abs($0) <= 1 })
    }

    /// The same architectures as the PyTorch peer (scripts/peer/train_peer.py): equal parameter counts.
    @Test func parameterCountsMatchThePeer() throws {
        let pix2pix = try Pix2PixKind.makeDefault(data: DataDescription(sampleShape: [1, 28, 28], channelsB: 1, classCount: 10))
        #expect(pix2pix.generator.parameterCount == 6_165_697)
        #expect(pix2pix.discriminator.parameterCount == 662_337)
        let cyclegan = try CycleGANKind.makeDefault(data: DataDescription(sampleShape: [1, 28, 28], channelsB: 3, classCount: 10))
        #expect(cyclegan.generatorAB.parameterCount == 6_168_963)
        #expect(cyclegan.generatorBA.parameterCount == 6_166_913)
        #expect(cyclegan.discriminatorA.parameterCount == 660_929)
        #expect(cyclegan.discriminatorB.parameterCount == 662_977)
    }

    /// `scripts/make_torch_gan_fixtures.py`: one step of the peer's pix2pix on 1×16×16 pairs,
    /// dropout on with the masks this model's dropout generator draws (PCG32 re-implemented there).
    static let pix2pixFixture: Checkpoint = Fixtures.load("torch_pix2pix")

    /// From the same weights and batch, a pix2pix step gives PyTorch's losses, the same gradient
    /// for every parameter (the discriminator's step, then the generator's against the updated
    /// discriminator) and the same batch-norm running statistics, with dropout's masks in play.
    @Test func pix2pixStepMatchesPyTorch() throws {
        let f = Self.pix2pixFixture.tensors
        var config = Pix2Pix.Config()
        config.imageShape = [1, 16, 16]
        (config.network.filters, config.network.discriminatorFilters) = (4, 4)
        let model = Pix2Pix(config)
        try model.generator.loadStateDict(Self.pix2pixFixture.tensors(under: "param.generator"))
        try model.discriminator.loadStateDict(Self.pix2pixFixture.tensors(under: "param.discriminator"))
        #expect(model.generator.levels.compactMap(\.dropout).count == 2)
        let (a, b) = (f["a"]!, f["b"]!)
        let input = StepInput(batches: [Batch(images: Tensor.concat([a, b], axis: 1), labels: Tensor.zeros([4]), indices: Array(0..<4))],
                              pairChannels: (1, 1))
        // The update seam clears gradients after each step: its hook keeps a copy of each one.
        var gradients: [ObjectIdentifier: Tensor] = [:]
        let updater = Updater { parameters in
            for p in parameters { if let g = p.grad { gradients[ObjectIdentifier(p.storage)] = g.copy() } }
        }
        let losses = model.trainStep(input, context: StepContext(step: 0, epoch: 0, stepsPerEpoch: 1, totalSteps: 1, updater: updater))
        for (name, peer) in [("loss_d", "loss_d"), ("loss_g_gan", "loss_gan"), ("loss_g_l1", "loss_l1")] {
            #expect(Swift.abs(losses[name]! - f[peer]!.item) <= 1e-5, "\(name): \(losses[name]!) against \(f[peer]!.item)")
        }
        for (network, module) in model.networks {
            for (name, parameter) in module.namedParameters() {
                let want = try #require(f["grad.\(network).\(name)"], "the fixture has no gradient for \(network).\(name)")
                let got = try #require(gradients[ObjectIdentifier(parameter.storage)], "\(network).\(name) has no gradient")
                let error = (got - want).abs().max().item
                #expect(error <= 1e-4 * max(1e-3, want.abs().max().item), "\(network).\(name): off by \(error)")
            }
            for (name, buffer) in module.stateDict() where name.contains("running") {
                let want = try #require(f["after.\(network).\(name)"], "the fixture has no \(network).\(name)")
                let error = (buffer - want).abs().max().item
                #expect(error <= 1e-5, "\(network).\(name) after the step: off by \(error)")
            }
        }
    }

    @Test func patchGANGivesAMapOfPatchLogits() {
        let d = PatchGANDiscriminator(inputChannels: 2, layers: 2, norm: .batch, generator: Self.g)
        #expect(d(Tensor.randn([3, 2, 28, 28], generator: Self.g)).shape == [3, 1, 5, 5])
        let d3 = PatchGANDiscriminator(inputChannels: 3, filters: 8, layers: 3, norm: .instance, generator: Self.g)
        #expect(d3(Tensor.randn([1, 3, 64, 64], generator: Self.g)).shape == [1, 1, 6, 6])
    }

    @Test func resNetGeneratorKeepsTheSize() {
        let r = ResNetGenerator(inputChannels: 3, outputChannels: 1, filters: 8, blocks: 2, norm: .instance, generator: Self.g)
        #expect(r(Tensor.randn([2, 3, 32, 24], generator: Self.g)).shape == [2, 1, 32, 24])
    }

    @Test func reflectionPaddingMirrorsWithoutRepeatingTheEdge() {
        let x = Tensor((0..<6).map(Float.init), shape: [1, 1, 2, 3])   // rows [0 1 2], [3 4 5]
        let y = ReflectionPad2d(1)(x)
        #expect(y.shape == [1, 1, 4, 5])
        #expect(y.scalars == [4, 3, 4, 5, 4,
                              1, 0, 1, 2, 1,
                              4, 3, 4, 5, 4,
                              1, 0, 1, 2, 1])
        // The gradient adds each mirrored copy back onto its source pixel.
        let input = Tensor((0..<6).map(Float.init), shape: [1, 1, 2, 3]).requiringGrad()
        ReflectionPad2d(1)(input).sum().backward()
        #expect(input.grad!.scalars == [2, 6, 2, 2, 6, 2])
    }

    /// The pool passes its first `capacity` images through and keeps them; after that each image
    /// is either passed through, leaving the pool as it was, or swapped: what comes back is an
    /// image the pool held, hence one queried before, and the fresh image takes exactly its slot.
    /// About half are swapped (50 expected of 100, standard deviation 5: 30 to 70 is 4σ).
    @Test func historyPoolFillsThenSwapsAboutHalf() throws {
        let pool = ImagePool(capacity: 4, imageShape: [1, 2, 2], generator: RandomGenerator(seed: 3))
        let first = Tensor((0..<16).map(Float.init), shape: [4, 1, 2, 2])
        #expect(pool.query(first).scalars == first.scalars)   // filling: passed through
        #expect(pool.images.map(\.scalars) == (0..<4).map { first.sliced(axis: 0, $0..<($0 + 1)).squeezed(axis: 0).scalars })
        var queried = Set((0..<4).map { first.sliced(axis: 0, $0..<($0 + 1)).scalars })
        var swapped = 0
        for i in 0..<100 {
            let fresh = Tensor.full([1, 1, 2, 2], Float(100 + i))
            let before = pool.images.map(\.scalars)
            let shown = pool.query(fresh).scalars
            let after = pool.images.map(\.scalars)
            if shown == fresh.scalars {
                #expect(after == before, "query \(i): passed through, yet the pool changed")
            } else {
                swapped += 1
                #expect(queried.contains(shown), "query \(i): returned \(shown), never queried")
                let slot = try #require(before.firstIndex(of: shown), "query \(i): returned an image the pool did not hold")
                var expected = before
                expected[slot] = fresh.scalars
                #expect(after == expected, "query \(i): the fresh image did not take slot \(slot)")
            }
            queried.insert(fresh.scalars)
        }
        #expect((30...70).contains(swapped), "\(swapped) of 100 swapped")
        let restored = ImagePool(capacity: 4, imageShape: [1, 2, 2], generator: RandomGenerator(seed: 3))
        try restored.restore(pool.stateTensors(prefix: "p"), prefix: "p")
        #expect(restored.images.map(\.scalars) == pool.images.map(\.scalars))
        #expect(throws: ImagePoolError.self) { try restored.restore(["p": Tensor.zeros([3, 1, 2, 2]), "p_count": Tensor(1)], prefix: "p") }
        #expect(throws: ImagePoolError.self) { try restored.restore(["p": Tensor.zeros([4, 1, 2, 2]), "p_count": Tensor(7)], prefix: "p") }
    }

    @Test func learningRateHoldsThenDecaysToZero() {
        let s = ConstantThenLinearDecay(baseLearningRate: 2e-4, totalSteps: 100, decaySteps: 50)
        #expect(s(0) == 2e-4 && s(50) == 2e-4)
        #expect(abs(s(75) - 1e-4) < 1e-9)
        #expect(s(100) == 0)
    }

    static func edges(_ split: DatasetSplit, _ count: Int) throws -> PairedImageDataset {
        guard case let .paired(p) = try DatasetCatalog.load("mnist-edges", split: split) else { throw ValidationFailure() }
        return try PairedImageDataset(a: p.a.subset(Array(0..<count)), b: p.b.subset(Array(0..<count)))
    }
    struct ValidationFailure: Error {}

    /// 160 steps of 16 edge maps → digits take the test L1 to the true digits from the untrained
    /// U-Net's (about 0.47) to below that of an all-black image (the mean pixel, about 0.13): the
    /// outputs put ink where the digits have it.
    @Test func pix2pixLearnsEdgesToDigits() throws {
        var config = Pix2Pix.Config()
        config.network.filters = 16
        config.network.discriminatorFilters = 16
        let model = Pix2Pix(config)
        let train = try Self.edges(.train, 256), test = try Self.edges(.test, 100)
        func testL1() -> Float {
            let out = model.translate(test.a.tensor(indices: Array(0..<100)), direction: .aToB)
            return (out - test.b.tensor(indices: Array(0..<100))).abs().mean().item
        }
        let before = testL1()
        let stacked = train.stacked()
        model.setTraining(true)
        for step in 0..<160 {
            let batch = MNISTSubset.batch(stacked.tensor(indices: Array(0..<256), range: -1...1), step: step, size: 16)
            _ = model.trainStep(StepInput(batches: [Batch(images: batch, labels: Tensor.zeros([16]), indices: Array(0..<16))],
                                          pairChannels: (1, 1)), context: MNISTSubset.context)
        }
        let after = testL1()
        let black = test.b.tensor(indices: Array(0..<100)).mean().item
        #expect(before > 0.3 && after < black, "test L1 \(before) → \(after), all-black \(black)")
    }

    /// 100 steps between digits and inverted digits lower the cycle L1 of test digits by more than 30%
    /// (0.47 → 0.29 here).
    ///
    /// A falling cycle L1 alone would also come from generators that learnt to copy their input,
    /// so each direction is checked to translate: G_AB of a test digit x must be nearer its inverse
    /// 1 − x than 0.4 of x's own distance from it (0.95), which the untrained generators (0.48)
    /// and copying (all of it) are not, and here G_AB is at 0.32 and G_BA at 0.31. And the output
    /// must be anti-correlated with the input, pixel by pixel (correlation below −0.1; −0.28 and
    /// −0.20 here, about 0 untrained, +1 for a copy), which a bright image that ignored the digit,
    /// near 1 − x in L1 as it would be, is not.
    @Test func cycleGANLearnsToComeBack() throws {
        var config = CycleGAN.Config()
        config.network.filters = 16
        config.network.discriminatorFilters = 16
        let model = CycleGAN(config)
        let digits = MNISTSubset.trainImages(256, range: -1...1), inverted = MNISTSubset.trainImages(512, range: -1...1).sliced(axis: 0, 256..<512) * -1
        let test = MNISTSubset.testImages(100)
        func cycleL1() -> Float { (model.translate(model.translate(test, direction: .aToB), direction: .bToA) - test).abs().mean().item }
        let before = cycleL1()
        model.setTraining(true)
        for step in 0..<100 {
            func batch(_ x: Tensor) -> Batch { Batch(images: MNISTSubset.batch(x, step: step, size: 16), labels: Tensor.zeros([16]), indices: Array(0..<16)) }
            let losses = model.trainStep(StepInput(batches: [batch(digits)], batchesB: [batch(inverted)]),
                                         context: StepContext(step: step, epoch: 0, stepsPerEpoch: 16, totalSteps: 100))
            #expect(losses["loss_identity"] != nil)   // one channel each: the identity loss applies
        }
        let after = cycleL1()
        #expect(after < 0.7 * before, "cycle L1 \(before) → \(after)")
        #expect(model.poolA.images.count == 50 && model.poolB.images.count == 50)
        func correlation(_ a: Tensor, _ b: Tensor) -> Float {
            let x = a - a.mean(), y = b - b.mean()
            return (x * y).mean().item / ((x * x).mean().item * (y * y).mean().item).squareRoot()
        }
        let inverse = 1 - test
        let copying = (test - inverse).abs().mean().item
        for (input, target, direction) in [(test, inverse, TranslationDirection.aToB), (inverse, test, .bToA)] {
            let output = model.translate(input, direction: direction)
            let l1 = (output - target).abs().mean().item
            #expect(l1 < 0.4 * copying, "\(direction.rawValue): L1 to the inverse \(l1), a copy's \(copying)")
            let r = correlation(output, input)
            #expect(r < -0.1, "\(direction.rawValue): correlation with the input \(r)")
        }
    }

    /// `cycleWeightB` weighs the B → A → B cycle alone: unset, or set to λ, a step is the same to
    /// the bit; set to 0, the generators move differently; and a configuration saved before it
    /// existed decodes without it.
    @Test func theSecondCycleHasItsOwnWeight() throws {
        func stepped(_ weightB: Float?) -> [Tensor] {
            var config = CycleGAN.Config()
            config.network.filters = 8
            config.network.discriminatorFilters = 8
            config.cycleWeightB = weightB
            let model = CycleGAN(config)
            let digits = MNISTSubset.trainImages(32, range: -1...1)
            let batch = { (x: Tensor) in Batch(images: x.sliced(axis: 0, 0..<16), labels: Tensor.zeros([16]), indices: Array(0..<16)) }
            _ = model.trainStep(StepInput(batches: [batch(digits)], batchesB: [batch(digits.sliced(axis: 0, 16..<32) * -1)]),
                                context: StepContext(step: 0, epoch: 0, stepsPerEpoch: 1, totalSteps: 10))
            return model.generatorAB.parameters() + model.generatorBA.parameters()
        }
        let bits = { (ps: [Tensor]) in ps.map { $0.scalars.map(\.bitPattern) } }
        let unset = stepped(nil)
        #expect(bits(unset) == bits(stepped(10)))
        #expect(bits(unset) != bits(stepped(0)))
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(CycleGAN.Config())) as! [String: Any]
        old["cycleWeightB"] = nil
        let decoded = try JSONDecoder().decode(CycleGAN.Config.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded.cycleWeightB == nil && decoded == CycleGAN.Config())
    }

    @Test func sheetsShowInputOutputAndTarget() throws {
        var config = Pix2Pix.Config()
        config.network.filters = 8
        config.network.discriminatorFilters = 8
        let pairs = try Self.edges(.test, 20).stacked()
        let fixed = StepInput(batches: [Batch(images: pairs.tensor(indices: Array(0..<20), range: -1...1), labels: Tensor.zeros([20]),
                                              indices: Array(0..<20))], pairChannels: (1, 1))
        let sheets = Pix2Pix(config).sheets(fixed: fixed, noise: Self.g)
        #expect(sheets.count == 1 && sheets[0].images.shape == [48, 1, 28, 28] && sheets[0].columns == 6)
    }

    /// A CycleGAN stopped after 6 of 10 steps, saved, restored into a fresh model and continued
    /// ends with the same weights and pools as one that ran all 10: the history pools (saved part
    /// full), their random choices and both optimizers are in the checkpoint.
    @Test func cycleGANResumesExactlyWithItsPools() throws {
        func make() -> CycleGAN {
            var config = CycleGAN.Config()
            config.network.filters = 8
            config.network.discriminatorFilters = 8
            config.poolSize = 40
            return CycleGAN(config)
        }
        let digits = MNISTSubset.trainImages(64, range: -1...1), inverted = digits * -1
        func step(_ model: CycleGAN, _ i: Int) {
            func batch(_ x: Tensor, _ offset: Int) -> Batch {
                Batch(images: MNISTSubset.batch(x, step: i + offset, size: 16), labels: Tensor.zeros([16]), indices: Array(0..<16))
            }
            _ = model.trainStep(StepInput(batches: [batch(digits, 0)], batchesB: [batch(inverted, 1)]),
                                context: StepContext(step: i, epoch: 0, stepsPerEpoch: 4, totalSteps: 10))
        }
        let whole = make(), first = make()
        for i in 0..<10 { step(whole, i) }
        for i in 0..<6 { step(first, i) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-cyclegan-resume-\(ProcessInfo.processInfo.processIdentifier).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try TrainingCheckpoint.save(first, kind: "cyclegan", step: 6, to: file)
        let resumed = make()
        try TrainingCheckpoint.restore(resumed, from: Checkpoint.read(from: file), path: file.path)
        #expect(resumed.poolA.images.count == 40 && resumed.poolB.images.count == 40)
        for i in 6..<10 { step(resumed, i) }
        for ((name, a), (_, b)) in zip(whole.networks, resumed.networks) {
            for ((key, x), (_, y)) in zip(a.stateDict(), b.stateDict()) {
                #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern), "\(name).\(key) differs")
            }
        }
        #expect(whole.poolA.images.map(\.scalars) == resumed.poolA.images.map(\.scalars))
    }
}
