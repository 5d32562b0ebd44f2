import Foundation
import MirageNN
import MirageTensor

/// A network that predicts the noise in a diffused image: the denoiser a ``DDPM`` trains and
/// samples with (``TimeUNet``, ``ResidualUNet``).
public protocol NoisePredictor: Module {
    /// Predicts the noise in `x` at timesteps `t` (one per image, integral values as floats);
    /// a class-conditional network is given each image's class in `labels` (the class count itself
    /// meaning "no class"), an unconditional one `nil`.
    func callAsFunction(_ x: Tensor, timesteps t: Tensor, labels: Tensor?) -> Tensor
}

extension TimeUNet: NoisePredictor {}

/// The frequencies `f_i = exp(−i·ln(10⁴)/half)`, `(1, half)`, of a sinusoidal time embedding
/// (computed in double, stored as float, as the PyTorch peers do).
func sinusoidalFrequencies(half: Int) -> Tensor {
    Tensor((0..<half).map { Float(Foundation.exp(-Double($0) * Foundation.log(10000.0) / Double(half))) }, shape: [1, half])
}

/// The sinusoidal embedding `[sin(t·f), cos(t·f)]` of timesteps `t`, `(N, 2·half)`.
func sinusoidalEmbedding(_ t: Tensor, frequencies: Tensor) -> Tensor {
    let angles = t.reshaped([t.count, 1]) * frequencies
    return Tensor.concat([angles.sin(), angles.cos()], axis: 1)
}

extension NoisePredictor {
    /// The unconditional prediction.
    public func callAsFunction(_ x: Tensor, timesteps t: Tensor) -> Tensor { self(x, timesteps: t, labels: nil) }
}
