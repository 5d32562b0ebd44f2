import MirageTensor

/// 2-D convolution over NCHW images, like `torch.nn.Conv2d`.
///
/// ```swift
/// let conv = Conv2d(1, 64, kernelSize: 4, stride: 2, padding: 1)
/// let y = conv(Tensor.zeros([8, 1, 28, 28])) // [8, 64, 14, 14]
/// ```
///
/// ## Shape
/// input `(N, inChannels, H, W)`, output `(N, outChannels, H_out, W_out)` with
/// `H_out = ⌊(H + 2·padding − kernelSize) / stride⌋ + 1`; weight `(outChannels, inChannels/groups, k, k)`.
///
/// Initialised as PyTorch does: weight and bias uniform on ±1/√(inChannels/groups·k²).
///
/// ### See Also
/// - ``ConvTranspose2d``
/// - MirageTensor's `conv2d(_:_:bias:stride:padding:groups:)`
public final class Conv2d: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), groups: Int = 1, bias: Bool = true,
                generator: RandomGenerator = .global) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: groups=\(groups) must divide inChannels \(inChannels) and outChannels \(outChannels)")
        self.stride = stride
        self.padding = padding
        self.groups = groups
        let (w, bound) = Init.torchDefault(weight: [outChannels, inChannels / groups, kernelSize.0, kernelSize.1],
                                           generator: generator)
        self.weight = w
        self.bias = bias ? Init.uniform([outChannels], bound: bound, generator: generator) : nil
    }

    /// Square kernel, equal strides and padding on both axes.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, groups: Int = 1, bias: Bool = true, generator: RandomGenerator = .global) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), groups: groups, bias: bias, generator: generator)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight, bias: bias, stride: stride, padding: padding, groups: groups)
    }
}

/// Transposed 2-D convolution (a learned upsampling), like `torch.nn.ConvTranspose2d`.
///
/// ## Shape
/// input `(N, inChannels, H, W)`, output `(N, outChannels, H_out, W_out)` with
/// `H_out = (H − 1)·stride − 2·padding + kernelSize + outputPadding`;
/// weight `(inChannels, outChannels/groups, k, k)` as in PyTorch.
///
/// ### See Also
/// - ``Conv2d``
public final class ConvTranspose2d: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let outputPadding: (Int, Int)
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0), groups: Int = 1,
                bias: Bool = true, generator: RandomGenerator = .global) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "ConvTranspose2d: groups=\(groups) must divide inChannels \(inChannels) and outChannels \(outChannels)")
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.groups = groups
        // PyTorch computes the fan-in from the weight's second dimension, outChannels/groups.
        let (w, bound) = Init.torchDefault(weight: [inChannels, outChannels / groups, kernelSize.0, kernelSize.1],
                                           generator: generator)
        self.weight = w
        self.bias = bias ? Init.uniform([outChannels], bound: bound, generator: generator) : nil
    }

    /// Square kernel, equal strides and padding on both axes.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, groups: Int = 1, bias: Bool = true,
                            generator: RandomGenerator = .global) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), outputPadding: (outputPadding, outputPadding), groups: groups,
                  bias: bias, generator: generator)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        convTranspose2d(x, weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                        groups: groups)
    }
}
