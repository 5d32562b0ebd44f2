import ArgumentParser
import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval reconstruction <run>`: test reconstruction error of any model that reconstructs.
    struct Reconstruction: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            commandName: "reconstruction",
            abstract: "Test reconstruction error of a model that reconstructs (\(ModelRegistry.names { $0 is any ReconstructionModel.Type }.joined(separator: ", "))): MSE, PSNR, and for a denoising one the PSNR gain on corrupted digits.",
            discussion: """
            PSNR = 10·log10(1 / MSE) for pixels in [0, 1]. For a denoising autoencoder the test \
            digits are corrupted with the run's own noise (seeded) and the PSNR of the corrupted \
            input is compared with that of the reconstruction.

            Examples:
              mirage eval reconstruction runs/ae
              mirage eval reconstruction runs/dae --json
            """
        ) }

        @Argument(help: ArgumentHelp("The run folder or checkpoint file.", valueName: "run"))
        var runPath: String

        @OptionGroup var testSet: TestSetOptions

        @OptionGroup var threads: ThreadOptions

        func run() throws {
            threads.apply()
            let run = try LoadedRun(runPath)
            guard let model = run.model as? any ReconstructionModel else {
                throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "reconstruction",
                                        modelsWithIt: ModelRegistry.names { $0 is any ReconstructionModel.Type })
            }
            model.setTraining(false)
            let test = try testSet.images(for: run)
            let n = test.count
            let g = RandomGenerator(seed: testSet.seed)
            var clean = 0.0, noisy = 0.0, denoised = 0.0
            var denoising = false
            var done = 0
            while done < n {
                let m = min(500, n - done)
                let x = test.tensor(indices: Array(done..<(done + m)))
                withNoGrad {
                    clean += Double(mseLoss(model.reconstruct(x), x, reduction: .sum).item)
                    if let c = model.corrupt(x, generator: g) {
                        denoising = true
                        noisy += Double(mseLoss(c, x, reduction: .sum).item)
                        denoised += Double(mseLoss(model.reconstruct(c), x, reduction: .sum).item)
                    }
                }
                done += m
            }
            let pixels = Double(n * test.sampleSize)
            func psnr(_ sum: Double) -> Double { 10 * log10(pixels / sum) }
            var result: [String: Any] = ["images": n, "mse": clean / pixels, "psnr_db": psnr(clean)]
            if denoising {
                result["noisy_psnr_db"] = psnr(noisy)
                result["denoised_psnr_db"] = psnr(denoised)
                result["psnr_gain_db"] = psnr(denoised) - psnr(noisy)
            }
            try run.folder.recordEvaluation("reconstruction", result)
            if testSet.json {
                print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
                return
            }
            print(String(format: "test reconstruction MSE   %.5f  (PSNR %.2f dB, %d images)", clean / pixels, psnr(clean), n))
            if denoising {
                print(String(format: "corrupted input PSNR      %.2f dB", psnr(noisy)))
                print(String(format: "denoised PSNR             %.2f dB  (gain %.2f dB)", psnr(denoised), psnr(denoised) - psnr(noisy)))
            }
        }
    }
}
