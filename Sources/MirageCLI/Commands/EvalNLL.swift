import ArgumentParser
import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval nll <run>`: test likelihood of any model with a likelihood or a bound on it.
    struct NLL: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            commandName: "nll",
            abstract: "Test negative log-likelihood of a trained model, in nats and bits/dim.",
            discussion: """
            For models with a likelihood or a bound on it (\(ModelRegistry.names { $0 is any LikelihoodModel.Type }.joined(separator: ", "))), on the test split of the run's dataset. Binary models' test images (the \
            VAE's, a Bernoulli PixelCNN's) are binarised by one seeded draw (each pixel a \
            Bernoulli of its intensity, --seed), the same for every model. A VAE's ELBO is the \
            bound with one draw, and the importance-weighted bound (Burda et al., 2016) with \
            --samples draws is tighter and approaches −log p(x). A DDPM's bound is on the 8-bit \
            pixels themselves (the paper's discrete decoder); with --samples below T − 1 it draws \
            that many of its T − 1 middle terms per image, stratified, for an unbiased estimate. \
            A flow's likelihood is exact, of the 8-bit pixels dequantised with seeded uniform \
            noise (--samples does not apply). A PixelCNN's is exact too (a class-conditional \
            one's marginalised over the classes).

            Examples:
              mirage eval nll runs/vae
              mirage eval nll runs/vae --samples 1000 --json
              mirage eval nll runs/vae --count 1000 --samples 100
              mirage eval nll runs/ddpm --count 1000 --samples 100
              mirage eval nll runs/glow --json
              mirage eval nll runs/pixelcnn
            """
        ) }

        @Argument(help: ArgumentHelp("The run folder or checkpoint file.", valueName: "run"))
        var runPath: String

        @Option(help: "Importance samples per test image (k), for models with a bound.")
        var samples: Int = 1000

        @OptionGroup var testSet: TestSetOptions

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            guard samples > 0 else { throw ValidationError("--samples must be positive, got \(samples)") }
        }

        func run() throws {
            threads.apply()
            let run = try LoadedRun(runPath)
            guard let model = run.model as? any LikelihoodModel else {
                throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "likelihood",
                                        modelsWithIt: ModelRegistry.names { $0 is any LikelihoodModel.Type })
            }
            if let reason = model.likelihoodUnavailableReason { throw ValidationError("\(runPath) has \(reason)") }
            model.setTraining(false)
            let test = try testSet.images(for: run)
            let n = test.count, dimensions = test.sampleSize
            // The binarisation or dequantisation draws from a stream of its own, so every model
            // with the same input (the VAE and a Bernoulli PixelCNN) is scored on the same test bits.
            let inputNoise = RandomGenerator(seed: testSet.seed)
            let g = RandomGenerator(seed: testSet.seed &+ 1)
            let start = Date()
            var elbo: Double?, bound = 0.0
            var method = ""
            var done = 0
            while done < n {
                let m = min(100, n - done)
                let x = model.likelihoodInput(test.tensor(indices: Array(done..<(done + m))), generator: inputNoise)
                let estimate = model.negativeLogLikelihood(x, samples: samples, generator: g)
                if let e = estimate.elbo { elbo = (elbo ?? 0) + Double(e.sum().item) }
                bound += Double(estimate.nll.sum().item)
                method = estimate.method
                done += m
            }
            let nll = bound / Double(n)
            var result: [String: Any] = ["images": n, "samples": samples, "method": method, "nll_nats": nll,
                                         "nll_bits_per_dim": BitsPerDimension.fromNats(nll, dimensions: dimensions),
                                         "seconds": Date().timeIntervalSince(start)]
            if let elbo { result["elbo_nats"] = elbo / Double(n) }
            try run.folder.recordEvaluation("nll", result)
            if testSet.json {
                let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                if let elbo { print(String(format: "test ELBO               %.2f nats", elbo / Double(n))) }
                print(String(format: "test NLL (%@)  %.2f nats  (%.4f bits/dim)", method, nll,
                             BitsPerDimension.fromNats(nll, dimensions: dimensions)))
                print("\(n) test images of \(run.dataset), \(String(format: "%.0f", Date().timeIntervalSince(start))) s")
            }
        }
    }
}
