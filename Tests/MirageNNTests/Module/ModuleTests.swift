import MirageNN
import MirageTensor
import Testing

/// The benchmark DCGAN generator's layout (torch_models.py's DCGen), for key names.
final class DCGenerator: Module, Layer {
    let fc: Linear
    let bn0: BatchNorm1d
    let up1: ConvTranspose2d
    let bn1: BatchNorm2d
    let up2: ConvTranspose2d
    let width: Int

    init(noise: Int = 100, width: Int = 128) {
        self.width = width
        fc = Linear(noise, width * 7 * 7)
        bn0 = BatchNorm1d(width * 7 * 7)
        up1 = ConvTranspose2d(width, width / 2, kernelSize: 4, stride: 2, padding: 1)
        bn1 = BatchNorm2d(width / 2)
        up2 = ConvTranspose2d(width / 2, 1, kernelSize: 4, stride: 2, padding: 1)
    }

    func callAsFunction(_ z: Tensor) -> Tensor {
        let h = bn0(fc(z)).relu().reshaped([-1, width, 7, 7])
        return up2(bn1(up1(h)).relu()).tanh()
    }
}

@Suite struct ModuleTests {
    @Test func keysMatchPyTorch() {
        let g = DCGenerator()
        #expect(g.stateDict().map(\.0) == [
            "fc.weight", "fc.bias", "bn0.weight", "bn0.bias", "up1.weight", "up1.bias", "bn1.weight", "bn1.bias",
            "up2.weight", "up2.bias",
            "bn0.running_mean", "bn0.running_var", "bn0.num_batches_tracked",
            "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
        ])
        let seq = Sequential(Linear(4, 3), LeakyReLU(0.2), Linear(3, 1, bias: false))
        #expect(seq.namedParameters().map(\.0) == ["0.weight", "0.bias", "2.weight"])
        #expect(seq.parameterCount == 4 * 3 + 3 + 3)
    }

    @Test func modesFreezingAndGradients() {
        let g = DCGenerator(noise: 4, width: 8)
        #expect(g.bn1.isTraining)
        g.eval()
        #expect(!g.bn1.isTraining && !g.isTraining)
        g.train()
        #expect(g.bn0.isTraining)
        g(Tensor.randn([3, 4])).sum().backward()
        #expect(g.parameters().allSatisfy { $0.grad != nil })
        g.zeroGrad()
        #expect(g.parameters().allSatisfy { $0.grad == nil })
        g.up2.freeze()
        #expect(g.trainableParameters().count == g.parameters().count - 2)
        #expect(!g.up2.weight.requiresGrad)
    }

    /// A GAN's pattern: the discriminator's optimizer is built first, the discriminator is frozen
    /// for the generator's step and thawed afterwards. Its optimizer must train it again then (it
    /// once held tensors that freezing had replaced, and skipped them for good).
    @Test func freezingKeepsParametersTheOptimizerHolds() {
        let g = RandomGenerator(seed: 3)
        let generator = Linear(2, 3, generator: g), discriminator = Linear(3, 1, generator: g)
        let optD = SGD(discriminator.trainableParameters(), learningRate: 0.1)
        let optG = SGD(generator.trainableParameters(), learningRate: 0.1)
        let z = Tensor.randn([4, 2], generator: g)

        discriminator.freeze()
        #expect(!discriminator.weight.requiresGrad && discriminator.trainableParameters().isEmpty)
        let dBefore = discriminator.weight.scalars, gBefore = generator.weight.scalars
        discriminator(generator(z)).sum().backward()
        #expect(discriminator.weight.grad == nil, "a frozen network receives no gradient")
        optG.step()
        optD.step()
        #expect(generator.weight.scalars != gBefore, "gradients flow through the frozen network to the generator")
        #expect(discriminator.weight.scalars == dBefore)

        discriminator.freeze(false)
        optG.zeroGrad()
        discriminator(generator(z).detached()).sum().backward()
        optD.step()
        #expect(discriminator.weight.scalars != dBefore, "the optimizer built before the freeze trains the thawed network")

        // Setting a parameter of the same shape writes into the tensor the optimizer holds.
        discriminator.weight = Tensor.zeros([1, 3])
        #expect(optD.parameters[0].scalars == [0, 0, 0])
    }

    @Test func loadStateDictReportsEveryProblemAndChangesNothing() {
        let a = Linear(3, 2), b = Linear(3, 2)
        var state = Dictionary(uniqueKeysWithValues: b.stateDict())
        state["bias"] = Tensor.zeros([5])
        state["extra"] = Tensor.zeros([1])
        state.removeValue(forKey: "weight")
        let before = a.weight.scalars
        do {
            try a.loadStateDict(state)
            Issue.record("expected an error")
        } catch let e as StateDictError {
            #expect(e.missing == ["weight"])
            #expect(e.unexpected == ["extra"])
            #expect(e.mismatched.map(\.0) == ["bias"])
            #expect(e.description.contains("bias is [2] in the model, [5] in the file"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(a.weight.scalars == before)
    }

    @Test func batchNormUsesRunningStatisticsInEvalMode() {
        let bn = BatchNorm1d(2)
        let x = Tensor([1, 10, 3, 30], shape: [2, 2])
        _ = bn(x)
        // running = 0.9·init + 0.1·batch; unbiased batch variance for the update.
        #expect(bn.runningMean!.scalars == [0.2, 2])
        #expect(bn.runningVar!.scalars == [0.9 + 0.1 * 2, 0.9 + 0.1 * 200])
        bn.eval()
        let y = bn(Tensor([0.2, 2], shape: [1, 2]))
        #expect(y.scalars.allSatisfy { Swift.abs($0) < 1e-6 })
    }
}
