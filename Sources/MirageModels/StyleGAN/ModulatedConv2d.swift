import Foundation
import MirageNN
import MirageTensor

/// StyleGAN2's modulated convolution (Karras et al., 2020, section 2.2): the style s = A(w), an
/// affine map of the intermediate latent, scales the weight's input channels per sample,
/// w'ᵢⱼₖ = sᵢ·wᵢⱼₖ; with demodulation each output channel is then divided by
/// √(Σᵢₖ w'ᵢⱼₖ² + ε), which gives outputs of unit variance for inputs of unit variance and so
/// replaces AdaIN's normalisation of the activations.
///
/// Two forms compute it, as in the official code. In evaluation mode the per-sample weights run
/// as one grouped convolution, the batch folded into the channels (`fused_modconv`). In training
/// mode the styles scale the input's channels instead, one ordinary convolution with the shared
/// weight runs over the batch, and the demodulation scales its output channels: the same
/// numbers, but an ordinary convolution is several times faster than a grouped one with a group
/// per sample, forward and through the double backward of the path-length penalty.
///
/// ## Shape
/// `x` `(N, in, H, W)` and `w` `(N, wDim)` → `(N, out, H', W')`, H' = 2H with `upsample`.
public final class ModulatedConv2d: Module {
    @Parameter public var weight: Tensor
    /// A, the style's affine map (its bias starts at 1, so that styles start near 1).
    public let affine: EqualizedLinear
    public let demodulate: Bool
    public let upsample: Bool
    public let inChannels: Int, outChannels: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, wDimension: Int, demodulate: Bool = true,
                upsample: Bool = false, generator: RandomGenerator) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        weight = Tensor.randn([outChannels, inChannels, kernelSize, kernelSize], generator: generator)
        affine = EqualizedLinear(wDimension, inChannels, biasInit: 1, generator: generator)
        self.demodulate = demodulate
        self.upsample = upsample
    }

    /// The per-sample weights `(N, out, in, k, k)`: scaled by the equalised learning rate and
    /// the styles, then demodulated.
    public func sampleWeights(styles s: Tensor) -> Tensor {
        let k = weight.shape[2], n = s.shape[0]
        let scaled = (weight * (1 / Float(inChannels * k * k).squareRoot())).unsqueezed(axis: 0)
        var w = scaled * s.reshaped([n, 1, inChannels, 1, 1])
        if demodulate {
            let norm = ((w * w).sum(axes: [2, 3, 4], keepDims: true) + 1e-8).sqrt()
            w = w / norm
        }
        return w
    }

    public func callAsFunction(_ x: Tensor, w: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == inChannels && w.shape[0] == x.shape[0],
                     "ModulatedConv2d: input \(x.shape) with latents \(w.shape), expected (N, \(inChannels), H, W) and (N, d)")
        let s = affine(w)
        return isTraining ? modulatingActivations(x, styles: s) : grouped(x, styles: s)
    }

    /// The grouped-convolution form: one weight per sample.
    public func grouped(_ x: Tensor, styles s: Tensor) -> Tensor {
        let n = x.shape[0], k = weight.shape[2]
        let weights = sampleWeights(styles: s)
        let input = upsample ? upsampleNearest2d(x, scale: (2, 2)) : x
        let (h, width) = (input.shape[2], input.shape[3])
        let y = conv2d(input.reshaped([1, n * inChannels, h, width]), weights.reshaped([n * outChannels, inChannels, k, k]),
                       padding: (k / 2, k / 2), groups: n)
        return y.reshaped([n, outChannels, h, width])
    }

    /// The form that scales activations: conv(x·s, w)·d with d the demodulation of each sample's
    /// output channels (nearest upsampling commutes with the per-channel scaling, so x is scaled
    /// first, at the lower resolution).
    public func modulatingActivations(_ x: Tensor, styles s: Tensor) -> Tensor {
        let n = x.shape[0], k = weight.shape[2]
        let scaled = weight * (1 / Float(inChannels * k * k).squareRoot())
        var input = x * s.reshaped([n, inChannels, 1, 1])
        if upsample { input = upsampleNearest2d(input, scale: (2, 2)) }
        let y = conv2d(input, scaled, padding: (k / 2, k / 2))
        guard demodulate else { return y }
        // Σᵢₖ (sᵢ·wⱼᵢₖ)² = Σᵢ sᵢ² · Σₖ wⱼᵢₖ²: an (N, in) × (in, out) product.
        let energy = (s * s).matmul((scaled * scaled).sum(axes: [2, 3]).transposed())
        return y * (1 / (energy + 1e-8).sqrt()).reshaped([n, outChannels, 1, 1])
    }
}
