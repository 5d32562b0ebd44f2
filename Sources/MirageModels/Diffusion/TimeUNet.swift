import Foundation
import MirageNN
import MirageTensor

/// A small time-conditioned U-Net that predicts the noise in a DDPM step, for 28×28 images.
///
/// Channels go `ch → 2ch (14×14) → 4ch (7×7)` and back up with transposed convolutions; each
/// convolution is followed by GroupNorm(8) and SiLU, and the decoder concatenates the encoder's
/// maps of the same size (skip connections). The timestep enters through a sinusoidal embedding,
/// a two-layer MLP, and a projection added to the bottleneck. The layer names and shapes are those
/// of the benchmark's PyTorch `TimeUNet`, so state dicts carry over.
///
/// ```swift
/// let unet = TimeUNet(generator: RandomGenerator(seed: 0))
/// let predicted = unet(noisyImages, timesteps: t) // same shape as noisyImages
/// ```
///
/// ## Shape
/// images `(N, channels, 28, 28)`, timesteps `(N)` (integral values as floats); output as images.
///
/// - SeeAlso: <https://arxiv.org/abs/2006.11239> (DDPM), <https://arxiv.org/abs/1505.04597> (U-Net)
public final class TimeUNet: Module {
    public let t1: Linear, t2: Linear, tp: Linear
    public let inc: Conv2d, d1: Conv2d, d2: Conv2d, mid: Conv2d, out: Conv2d
    public let u2: ConvTranspose2d, u1: ConvTranspose2d
    public let gn: [GroupNorm]
    /// One learned vector per class, and a last one for "no class", added to the time embedding
    /// (`nil` for an unconditional network, whose state dict is then the benchmark's).
    public let classEmbedding: Embedding?
    /// Base channel count `ch`; also the width of the sinusoidal time embedding.
    public let width: Int
    /// Frequencies of the sinusoidal embedding, `exp(−i·ln(10⁴)/(ch/2))`.
    let frequencies: Tensor

    /// - Parameters:
    ///   - channels: Image channels in and out.
    ///   - ch: Base channel count `ch` (the benchmark uses 32); must divide by 8 for GroupNorm.
    ///   - classes: Classes of a class-conditional network (0: unconditional).
    ///   - g: Source of the initial weights.
    public init(channels: Int = 1, width ch: Int = 32, classes: Int = 0, generator g: RandomGenerator = .global) {
        precondition(ch % 8 == 0 && ch >= 8, "TimeUNet: width must be a positive multiple of 8, got \(ch)")
        width = ch
        t1 = Linear(ch, ch * 4, generator: g)
        t2 = Linear(ch * 4, ch * 4, generator: g)
        inc = Conv2d(channels, ch, kernelSize: 3, padding: 1, generator: g)
        d1 = Conv2d(ch, ch * 2, kernelSize: 4, stride: 2, padding: 1, generator: g)
        d2 = Conv2d(ch * 2, ch * 4, kernelSize: 4, stride: 2, padding: 1, generator: g)
        mid = Conv2d(ch * 4, ch * 4, kernelSize: 3, padding: 1, generator: g)
        u2 = ConvTranspose2d(ch * 4, ch * 2, kernelSize: 4, stride: 2, padding: 1, generator: g)
        u1 = ConvTranspose2d(ch * 4, ch, kernelSize: 4, stride: 2, padding: 1, generator: g)
        out = Conv2d(ch * 2, channels, kernelSize: 3, padding: 1, generator: g)
        tp = Linear(ch * 4, ch * 4, generator: g)
        gn = [ch, ch * 2, ch * 4, ch * 4, ch * 2, ch].map { GroupNorm(8, $0) }
        classEmbedding = classes > 0 ? Embedding(classes + 1, ch * 4, generator: g) : nil
        frequencies = sinusoidalFrequencies(half: ch / 2)
    }

    /// The sinusoidal embedding `[sin(t·f), cos(t·f)]` of each timestep, `(N, width)`.
    public func timeEmbedding(_ t: Tensor) -> Tensor {
        sinusoidalEmbedding(t, frequencies: frequencies)
    }

    /// Predicts the noise in `x` at timesteps `t`, for a conditional network given the class of
    /// each image (`labels`, integral floats; the class count itself means "no class").
    public func callAsFunction(_ x: Tensor, timesteps t: Tensor, labels: Tensor? = nil) -> Tensor {
        precondition(x.rank == 4 && x.shape[2] % 4 == 0 && x.shape[3] % 4 == 0 && t.count == x.shape[0],
                     "TimeUNet: images have shape \(x.shape) and timesteps \(t.shape); expected (N, C, H, W) with H, W divisible by 4 and N timesteps")
        precondition((labels == nil) == (classEmbedding == nil), "TimeUNet: labels go with a class-conditional network, and only there")
        var e = t2(t1(timeEmbedding(t)).silu())
        if let classEmbedding, let labels { e = e + classEmbedding(labels) }
        let h0 = gn[0](inc(x), then: .silu)
        let h1 = gn[1](d1(h0), then: .silu)
        let h2 = gn[2](d2(h1), then: .silu)
        let m = gn[3](mid(h2 + tp(e).reshaped([x.shape[0], width * 4, 1, 1])), then: .silu)
        let up2 = gn[4](u2(m), then: .silu)
        let up1 = gn[5](u1(Tensor.concat([up2, h1], axis: 1)), then: .silu)
        return out(Tensor.concat([up1, h0], axis: 1))
    }
}
