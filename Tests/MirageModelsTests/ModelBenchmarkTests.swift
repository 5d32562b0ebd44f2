import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct ModelBenchmarkTests {
    /// Every benchmark step runs, and the FLOPs it counts match the architecture: one step of
    /// the MLP GAN is 1.077 GFLOP (forward G; three passes of D; backward through both).
    @Test(arguments: ModelBenchmark.allCases) func stepRuns(_ model: ModelBenchmark) {
        let step = model.makeStep(seed: 0)
        step()
        let before = Kernels.flopCount
        step()
        let flops = Kernels.flopCount - before
        #expect(flops > 0)
        if model == .mlpGAN { #expect(flops == 1_077_444_608) }
        if model == .vae { #expect(flops == 209_920_000) }
    }

    @Test func repetitionsFollowThePeer() {
        #expect(ModelBenchmark.mlpGAN.timedSteps(30) == 90)
        #expect(ModelBenchmark.vae.timedSteps(30) == 150)
        #expect(ModelBenchmark.dcganSample1024.timedSteps(30) == 6)
        #expect(ModelBenchmark.dcganSample1024.timedSteps(5) == 3)
        #expect(ModelBenchmark.allCases.map(\.rawValue) == ["mlp_gan", "dcgan", "wgan_gp", "vae", "ddpm_unet", "realnvp", "dcgan_sample_1024"])
    }
}
