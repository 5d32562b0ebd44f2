import ArgumentParser
import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval reconstruction <run>`: test reconstruction error of an autoencoder.
    struct Reconstruction: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reconstruction",
            abstract: "Test reconstruction error of a trained autoencoder (MSE, PSNR; for a denoising one, the PSNR gain on corrupted digits).",
            discussion: """
            PSNR = 10·log10(1 / MSE) for pixels in [0, 1]. For a denoising autoencoder the test \
            digits are corrupted with the run's own noise (seeded) and the PSNR of the corrupted \
            input is compared with that of the reconstruction.

            Examples:
              mirage eval reconstruction runs/ae
              mirage eval reconstruction runs/dae --json
            """
        )

        @Argument(help: ArgumentHelp("The autoencoder's run folder or checkpoint file.", valueName: "run"))
        var runPath: String

        @OptionGroup var testSet: TestSetOptions

        func run() throws {
            guard let ae = try loadModel(runPath) as? Autoencoder else {
                throw ValidationError("\(runPath) is not an autoencoder run (ae or dae)")
            }
            ae.setTraining(false)
            let test = try ImageDataset.mnist(split: .test, dataDirectory: testSet.dataDir)
            let n = min(testSet.count, test.count)
            let g = RandomGenerator(seed: testSet.seed)
            var clean = 0.0, noisy = 0.0, denoised = 0.0
            var done = 0
            while done < n {
                let m = min(500, n - done)
                let x = test.tensor(indices: Array(done..<(done + m)))
                withNoGrad {
                    clean += Double(mseLoss(ae.reconstruct(x), x, reduction: .sum).item)
                    if ae.config.noise != .none {
                        let c = ae.corrupt(x, generator: g)
                        noisy += Double(mseLoss(c, x, reduction: .sum).item)
                        denoised += Double(mseLoss(ae.reconstruct(c), x, reduction: .sum).item)
                    }
                }
                done += m
            }
            let pixels = Double(n * 784)
            func psnr(_ sum: Double) -> Double { 10 * log10(pixels / sum) }
            var result: [String: Any] = ["images": n, "mse": clean / pixels, "psnr_db": psnr(clean)]
            if ae.config.noise != .none {
                result["noisy_psnr_db"] = psnr(noisy)
                result["denoised_psnr_db"] = psnr(denoised)
                result["psnr_gain_db"] = psnr(denoised) - psnr(noisy)
            }
            if testSet.json {
                print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
                return
            }
            print(String(format: "test reconstruction MSE   %.5f  (PSNR %.2f dB, %d images)", clean / pixels, psnr(clean), n))
            if ae.config.noise != .none {
                print(String(format: "corrupted input PSNR      %.2f dB", psnr(noisy)))
                print(String(format: "denoised PSNR             %.2f dB  (gain %.2f dB)", psnr(denoised), psnr(denoised) - psnr(noisy)))
            }
        }
    }
}
