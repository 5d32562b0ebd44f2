/// 2-D convolutions. Three primitives (forward, backward-data, backward-weights) are each
/// bilinear, and the derivatives of each are the other two, so convolutions differentiate to any
/// order (WGAN-GP's penalty differentiates a convolution's gradient).

/// 2-D convolution over NCHW input, like `torch.nn.functional.conv2d`.
///
/// ```swift
/// let y = conv2d(x, weight, bias: b, stride: (2, 2), padding: (1, 1))
/// ```
///
/// ## Shape
/// input `(N, C_in, H, W)`, weight `(C_out, C_in/groups, kH, kW)`, bias `(C_out)`;
/// output `(N, C_out, H_out, W_out)` with `H_out = ⌊(H + 2·padding.h − kH) / stride.h⌋ + 1`.
///
/// - Parameters:
///   - input: The images.
///   - weight: The filters.
///   - bias: One value per output channel, or `nil`.
///   - stride: Step between applications of the filter, (height, width).
///   - padding: Zeros added on each side, (height, width).
///   - groups: Channel groups; input and output channels must both divide by it.
public func conv2d(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                   padding: (Int, Int) = (0, 0), groups: Int = 1) -> Tensor {
    shapeCheck(input.rank == 4, "conv2d: input must be (N, C, H, W), got shape \(input.shape)")
    shapeCheck(weight.rank == 4, "conv2d: weight must be (C_out, C_in/groups, kH, kW), got shape \(weight.shape)")
    shapeCheck(groups >= 1 && input.shape[1] % groups == 0 && weight.shape[0] % groups == 0,
               "conv2d: groups=\(groups) must divide input channels \(input.shape[1]) and output channels \(weight.shape[0])")
    shapeCheck(input.shape[1] == weight.shape[1] * groups,
               "conv2d: input has \(input.shape[1]) channels, weight \(weight.shape) expects \(weight.shape[1] * groups) (groups=\(groups))")
    shapeCheck(stride.0 >= 1 && stride.1 >= 1 && padding.0 >= 0 && padding.1 >= 0,
               "conv2d: stride \(stride) must be positive and padding \(padding) non-negative")
    let (kh, kw) = (weight.shape[2], weight.shape[3])
    let oh = (input.shape[2] + 2 * padding.0 - kh) / stride.0 + 1
    let ow = (input.shape[3] + 2 * padding.1 - kw) / stride.1 + 1
    shapeCheck(input.shape[2] + 2 * padding.0 >= kh && input.shape[3] + 2 * padding.1 >= kw,
               "conv2d: kernel \(kh)x\(kw) is larger than the padded input \(input.shape) (padding \(padding))")
    let geometry = ConvGeometry(batch: input.shape[0], inChannels: input.shape[1], inHeight: input.shape[2],
                                inWidth: input.shape[3], outChannels: weight.shape[0], kernelHeight: kh,
                                kernelWidth: kw, outHeight: oh, outWidth: ow, strideH: stride.0, strideW: stride.1,
                                padH: padding.0, padW: padding.1, groups: groups)
    checkChannelBias(bias, channels: geometry.outChannels, op: "conv2d")
    return convolution(.forward, geometry, input, weight, bias: bias)
}

/// Transposed 2-D convolution (the gradient of ``conv2d(_:_:bias:stride:padding:groups:)`` with
/// respect to its input), like `torch.nn.functional.conv_transpose2d`.
///
/// ## Shape
/// input `(N, C_in, H, W)`, weight `(C_in, C_out/groups, kH, kW)`, bias `(C_out)`; output
/// `(N, C_out, H_out, W_out)` with `H_out = (H − 1)·stride.h − 2·padding.h + kH + outputPadding.h`.
public func convTranspose2d(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                            padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
                            groups: Int = 1) -> Tensor {
    shapeCheck(input.rank == 4, "convTranspose2d: input must be (N, C, H, W), got shape \(input.shape)")
    shapeCheck(weight.rank == 4, "convTranspose2d: weight must be (C_in, C_out/groups, kH, kW), got shape \(weight.shape)")
    shapeCheck(input.shape[1] == weight.shape[0],
               "convTranspose2d: input has \(input.shape[1]) channels, weight \(weight.shape) expects \(weight.shape[0])")
    shapeCheck(groups >= 1 && weight.shape[0] % groups == 0,
               "convTranspose2d: groups=\(groups) must divide input channels \(weight.shape[0])")
    shapeCheck(stride.0 >= 1 && stride.1 >= 1 && padding.0 >= 0 && padding.1 >= 0
               && outputPadding.0 >= 0 && outputPadding.1 >= 0 && outputPadding.0 < stride.0 && outputPadding.1 < stride.1,
               "convTranspose2d: stride \(stride) must be positive, padding \(padding) non-negative, output padding \(outputPadding) smaller than the stride")
    let (kh, kw) = (weight.shape[2], weight.shape[3])
    let oh = (input.shape[2] - 1) * stride.0 - 2 * padding.0 + kh + outputPadding.0
    let ow = (input.shape[3] - 1) * stride.1 - 2 * padding.1 + kw + outputPadding.1
    shapeCheck(oh > 0 && ow > 0, "convTranspose2d: input \(input.shape) with weight \(weight.shape) gives an empty output")
    // Seen from the convolution whose input gradient this is: its input is our output.
    let geometry = ConvGeometry(batch: input.shape[0], inChannels: weight.shape[1] * groups, inHeight: oh,
                                inWidth: ow, outChannels: weight.shape[0], kernelHeight: kh, kernelWidth: kw,
                                outHeight: input.shape[2], outWidth: input.shape[3], strideH: stride.0,
                                strideW: stride.1, padH: padding.0, padW: padding.1, groups: groups)
    checkChannelBias(bias, channels: geometry.inChannels, op: "convTranspose2d")
    return convolution(.backwardData, geometry, input, weight, bias: bias)
}

private func checkChannelBias(_ bias: Tensor?, channels: Int, op: String) {
    guard let bias else { return }
    shapeCheck(bias.shape == [channels], "\(op): bias has shape \(bias.shape), expected [\(channels)]")
}

/// One convolution pass, recorded with the other two passes as its derivatives.
///
/// A bias (forward and backward-data passes: the convolution's and the transposed convolution's)
/// is added by the kernel as it writes the output, rather than by a broadcast add that would take
/// another pass over it; its derivative is the output gradient summed over all but the channels.
func convolution(_ pass: ConvPass, _ g: ConvGeometry, _ a: Tensor, _ b: Tensor, bias: Tensor? = nil) -> Tensor {
    let out = TensorStorage(count: elementCount(outputShape(pass, g)))
    if out.count > 0 {
        Kernels.countFlops(2 * g.macs)
        Kernels.backend.convolution(pass, g, a.storage.data, b.storage.data, bias: bias.map { UnsafePointer($0.storage.data) },
                                    output: out.data)
    }
    return recordConvolution(pass, g, a, b, bias: bias, out)
}

private func outputShape(_ pass: ConvPass, _ g: ConvGeometry) -> [Int] {
    switch pass {
    case .forward: g.outputShape
    case .backwardData: g.inputShape
    case .backwardWeights: g.weightShape
    }
}

/// Records `out`, the result of `pass` on `a` and `b` (and `bias`), with its derivatives.
private func recordConvolution(_ pass: ConvPass, _ g: ConvGeometry, _ a: Tensor, _ b: Tensor, bias: Tensor?,
                               _ out: TensorStorage) -> Tensor {
    let (na, nb, nc) = (a.requiresGrad, b.requiresGrad, bias?.requiresGrad ?? false)
    let inputs = bias.map { [a, b, $0] } ?? [a, b]
    return Tensor.record("conv2d \(pass)", out, shape: outputShape(pass, g), inputs: inputs) { h, _ in
        let gradients = passGradients(pass, g, a, b, h, na, nb)
        guard bias != nil else { return gradients }
        return gradients + [nc ? h.sum(axes: [0, 2, 3]) : nil]
    }
}

/// Two passes of the same convolution that read one same tensor, run together so that the
/// backend can prepare that operand once (``KernelBackend/convolutions(_:_:_:sharing:)``), each
/// recorded as ``convolution(_:_:_:_:bias:)`` records it.
private func convolutionPair(_ g: ConvGeometry, _ first: (ConvPass, Tensor, Tensor), _ second: (ConvPass, Tensor, Tensor),
                             sharing: (first: Int, second: Int)) -> (Tensor, Tensor) {
    let outs = [first.0, second.0].map { TensorStorage(count: elementCount(outputShape($0, g))) }
    if outs[0].count > 0 && outs[1].count > 0 {
        Kernels.countFlops(4 * g.macs)
        Kernels.backend.convolutions(g, ConvolutionCall(first.0, first.1.storage.data, first.2.storage.data, output: outs[0].data),
                                     ConvolutionCall(second.0, second.1.storage.data, second.2.storage.data, output: outs[1].data),
                                     sharing: sharing)
        return (recordConvolution(first.0, g, first.1, first.2, bias: nil, outs[0]),
                recordConvolution(second.0, g, second.1, second.2, bias: nil, outs[1]))
    }
    return (convolution(first.0, g, first.1, first.2), convolution(second.0, g, second.1, second.2))
}

/// The gradients of a convolution pass's two operands from its output gradient `h`. Where both
/// are needed and both read `h` in the same role, they run as a pair.
private func passGradients(_ pass: ConvPass, _ g: ConvGeometry, _ a: Tensor, _ b: Tensor, _ h: Tensor,
                           _ na: Bool, _ nb: Bool) -> [Tensor?] {
    switch pass {
    case .forward:         // a = input, b = weight
        if na && nb {
            let (da, db) = convolutionPair(g, (.backwardData, h, b), (.backwardWeights, a, h), sharing: (0, 1))
            return [da, db]
        }
        return [na ? convolution(.backwardData, g, h, b) : nil, nb ? convolution(.backwardWeights, g, a, h) : nil]
    case .backwardData:    // a = output gradient, b = weight
        if na && nb {
            let (da, db) = convolutionPair(g, (.forward, h, b), (.backwardWeights, h, a), sharing: (0, 0))
            return [da, db]
        }
        return [na ? convolution(.forward, g, h, b) : nil, nb ? convolution(.backwardWeights, g, h, a) : nil]
    case .backwardWeights: // a = input, b = output gradient
        return [na ? convolution(.backwardData, g, b, h) : nil, nb ? convolution(.forward, g, a, h) : nil]
    }
}
