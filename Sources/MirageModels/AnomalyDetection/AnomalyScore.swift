import Foundation
import MirageEval
import MirageNN
import MirageTensor

/// A way to score how anomalous an image is under a trained generative model, higher for more
/// anomalous: what `mirage eval anomaly RUN --score NAME` ranks the test images by.
///
/// ```swift
/// let score = AnomalyScore.available(for: vae).first!            // .elbo
/// let s = try score.scores(images, model: vae, samples: 1, generator: RandomGenerator(seed: 0))
/// ```
public enum AnomalyScore: String, CaseIterable, Codable, Sendable {
    /// Mean squared reconstruction error per pixel (autoencoders, the VAE's decoded posterior mean).
    case reconstruction = "recon"
    /// The negative evidence lower bound in nats, from one posterior draw (the VAE).
    case elbo
    /// −log p(x) in nats: exact for flows and PixelCNN, the importance-weighted bound for the VAE,
    /// the variational bound for the DDPM.
    case nll
    /// −log₂ p(x) minus the length in bits of the PNG encoding of the same x (Serrà et al., 2020,
    /// MirageEval's `InputComplexity`; the binarised draw for a binary model, the 8-bit image
    /// otherwise): the likelihood corrected for how simple the image is, so that a simple anomaly
    /// (a 1 among digits) no longer looks the most normal of all. A complex anomaly then looks
    /// the most normal instead.
    case complexity
    /// f-AnoGAN's score (Schlegl et al., 2019): the image and discriminator-feature residuals of
    /// the image regenerated through an encoder trained to invert the generator (``FAnoGAN``).
    case fanogan

    /// What the score is, for reports.
    public var phrase: String {
        switch self {
        case .reconstruction: return "reconstruction error (MSE per pixel)"
        case .elbo: return "negative ELBO (nats)"
        case .nll: return "negative log-likelihood (nats)"
        case .complexity: return "negative log-likelihood minus PNG length (bits)"
        case .fanogan: return "f-AnoGAN score (image + κ·feature residual)"
        }
    }

    /// The scores `model` supports, its natural one first: those its type declares
    /// (``GenerativeModel/anomalyScores``) that this model's configuration allows.
    public static func available(for model: any GenerativeModel) -> [AnomalyScore] {
        type(of: model).anomalyScores.filter { unavailableReason($0, model) == nil }
    }

    /// Why `model`, whose type declares `score`, cannot give it as configured, or `nil` when it can.
    public static func unavailableReason(_ score: AnomalyScore, _ model: any GenerativeModel) -> String? {
        switch score {
        case .elbo, .nll, .complexity:
            guard let m = model as? any LikelihoodModel else { return "no likelihood" }
            return m.likelihoodUnavailableReason
        case .reconstruction:
            return model is any ReconstructionModel ? nil : "no reconstruction"
        case .fanogan:
            return FAnoGAN.unsupportedReason(model)
        }
    }

    /// The models (by kind) whose type declares this score, for error messages.
    public var kindsWithIt: [String] {
        ModelRegistry.names { $0.anomalyScores.contains(self) }
    }

    /// One score per image of `images` (`[B, C, H, W]` in [0, 1]), higher for more anomalous.
    ///
    /// - Parameters:
    ///   - images: The images, `[B, C, H, W]` in [0, 1].
    ///   - model: A model that supports this score (``available(for:)``), in evaluation mode.
    ///   - samples: Importance samples per image for ``nll`` and ``complexity`` of a model with a
    ///     bound.
    ///   - generator: Draws the likelihood's input noise (binarisation, dequantisation) and
    ///     posterior samples.
    ///   - fanogan: The trained encoder, for ``fanogan``.
    /// - Returns: `[B]` scores.
    /// - Throws: MirageData's `DataError.png` if libpng cannot encode an image for ``complexity``.
    public func scores(_ images: Tensor, model: any GenerativeModel, samples: Int = 1,
                       generator: RandomGenerator, fanogan: FAnoGAN? = nil) throws -> Tensor {
        switch self {
        case .reconstruction:
            let m = model as! any ReconstructionModel
            return withNoGrad {
                let d = m.reconstruct(images) - images
                return (d * d).flattened(startAxis: 1).mean(axis: 1)
            }
        case .elbo, .nll, .complexity:
            let m = model as! any LikelihoodModel
            let x = m.likelihoodInput(images, generator: generator)
            let estimate = m.negativeLogLikelihood(x, samples: self == .elbo ? 1 : samples, generator: generator)
            switch self {
            case .elbo: return -estimate.elbo!
            case .nll: return estimate.nll
            default:
                // The complexity of the image the likelihood is of: the binarised draw for a binary
                // model, else the 8-bit image (a flow's dequantised likelihood bounds the latter's).
                let bits = try InputComplexity.pngBits(m.likelihoodIsOfBinaryPixels ? x : images)
                return Tensor(zip(estimate.nll.scalars, bits).map { Float(Double($0) / log(2) - $1) })
            }
        case .fanogan:
            precondition(fanogan != nil, "AnomalyScore.fanogan needs the trained FAnoGAN encoder")
            return fanogan!.scores(images)
        }
    }
}
