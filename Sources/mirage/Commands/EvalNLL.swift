import ArgumentParser
import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval nll <run>`: test likelihood of a trained VAE.
    struct NLL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nll",
            abstract: "Test negative log-likelihood of a trained VAE, in nats (ELBO and importance-weighted bound).",
            discussion: """
            Test images are binarised dynamically (each pixel drawn as a Bernoulli of its intensity,
            seeded), as in training. The ELBO is the bound with one draw; the importance-weighted
            bound (Burda et al., 2016) with --samples draws is tighter and approaches −log p(x).

            Examples:
              mirage eval nll runs/vae
              mirage eval nll runs/vae --samples 1000 --json
              mirage eval nll runs/vae --count 1000 --samples 100
            """
        )

        @Argument(help: ArgumentHelp("The VAE's run folder or checkpoint file.", valueName: "run"))
        var runPath: String

        @Option(help: "Importance samples per test image (k).")
        var samples: Int = 1000

        @OptionGroup var testSet: TestSetOptions

        func validate() throws {
            guard samples > 0 else { throw ValidationError("--samples must be positive, got \(samples)") }
        }

        func run() throws {
            guard let vae = try loadModel(runPath) as? VAE else {
                throw ValidationError("\(runPath) is not a VAE run; nll needs a model with a likelihood bound (train one with mirage train vae)")
            }
            guard vae.config.decoder == .bernoulli else {
                throw ValidationError("\(runPath) has a Gaussian decoder; nll is defined here for the Bernoulli decoder on binarised MNIST")
            }
            vae.setTraining(false)
            let test = try ImageDataset.mnist(split: .test, dataDirectory: testSet.dataDir)
            let n = min(testSet.count, test.count)
            let g = RandomGenerator(seed: testSet.seed)
            let start = Date()
            var elbo = 0.0, bound = 0.0
            var done = 0
            while done < n {
                let m = min(100, n - done)
                let x = test.tensor(indices: Array(done..<(done + m)))
                let binary = Tensor.bernoulli(probabilities: x, generator: g)
                let (rec, kl) = withNoGrad { vae.elboTerms(binary, generator: g) }
                elbo += Double((rec - kl).sum().item)
                bound += Double(vae.importanceWeightedNLL(binary, samples: samples, generator: g).sum().item)
                done += m
            }
            let result: [String: Any] = ["images": n, "samples": samples, "elbo_nats": elbo / Double(n),
                                         "nll_nats": bound / Double(n),
                                         "nll_bits_per_dim": BitsPerDimension.fromNats(bound / Double(n), dimensions: 784),
                                         "seconds": Date().timeIntervalSince(start)]
            if testSet.json {
                let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(String(format: "test ELBO               %.2f nats", elbo / Double(n)))
                print(String(format: "test NLL (IWAE, k=%d)  %.2f nats  (%.4f bits/dim)", samples, bound / Double(n),
                             BitsPerDimension.fromNats(bound / Double(n), dimensions: 784)))
                print("\(n) binarised test images, \(String(format: "%.0f", Date().timeIntervalSince(start))) s")
            }
        }
    }
}
