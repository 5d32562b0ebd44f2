/// Pooling and upsampling over NCHW tensors, composed from primitives that already have
/// derivatives: a gather for max pooling, a depthwise convolution for average pooling, an
/// expand for nearest upsampling.

/// Max pooling, like `torch.nn.functional.max_pool2d` (padding counts as −∞).
///
/// ## Shape
/// `(N, C, H, W)` → `(N, C, H_out, W_out)`, `H_out = ⌊(H + 2·padding − kernelSize) / stride⌋ + 1`.
public func maxPool2d(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                      padding: (Int, Int) = (0, 0)) -> Tensor {
    let s = stride ?? kernelSize
    let (n, c, h, w, oh, ow) = poolGeometry(x, kernelSize, s, padding, op: "maxPool2d")
    shapeCheck(padding.0 * 2 <= kernelSize.0 && padding.1 * 2 <= kernelSize.1,
               "maxPool2d: padding \(padding) must be at most half the kernel \(kernelSize)")
    var indices = [Int32](repeating: 0, count: n * c * oh * ow)
    let src = x.storage.data
    for plane in 0..<(n * c) {
        let base = plane * h * w
        for i in 0..<oh {
            for j in 0..<ow {
                var best = -Float.infinity, bestAt = -1
                for di in 0..<kernelSize.0 {
                    let y = i * s.0 - padding.0 + di
                    if y < 0 || y >= h { continue }
                    for dj in 0..<kernelSize.1 {
                        let xx = j * s.1 - padding.1 + dj
                        if xx < 0 || xx >= w { continue }
                        let v = src[base + y * w + xx]
                        if v > best || bestAt < 0 { best = v; bestAt = base + y * w + xx }
                    }
                }
                indices[(plane * oh + i) * ow + j] = Int32(bestAt)
            }
        }
    }
    return x.gatherFlat(indices, outShape: [n, c, oh, ow])
}

/// Average pooling, like `torch.nn.functional.avg_pool2d` with `count_include_pad=True`.
///
/// ## Shape
/// `(N, C, H, W)` → `(N, C, H_out, W_out)`, `H_out = ⌊(H + 2·padding − kernelSize) / stride⌋ + 1`.
public func avgPool2d(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                      padding: (Int, Int) = (0, 0)) -> Tensor {
    let s = stride ?? kernelSize
    let (n, c, h, w, _, _) = poolGeometry(x, kernelSize, s, padding, op: "avgPool2d")
    let k = Tensor.full([1, 1, kernelSize.0, kernelSize.1], 1 / Float(kernelSize.0 * kernelSize.1))
    let y = conv2d(x.reshaped([n * c, 1, h, w]), k, stride: s, padding: padding)
    return y.reshaped([n, c, y.shape[2], y.shape[3]])
}

/// Nearest-neighbour upsampling by integer factors, like `torch.nn.functional.interpolate(mode="nearest")`.
///
/// ## Shape
/// `(N, C, H, W)` → `(N, C, H·scale.h, W·scale.w)`.
public func upsampleNearest2d(_ x: Tensor, scale: (Int, Int)) -> Tensor {
    shapeCheck(x.rank == 4, "upsampleNearest2d: input must be (N, C, H, W), got shape \(x.shape)")
    shapeCheck(scale.0 >= 1 && scale.1 >= 1, "upsampleNearest2d: scale \(scale) must be positive")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    return x.reshaped([n, c, h, 1, w, 1]).expanded(to: [n, c, h, scale.0, w, scale.1])
        .reshaped([n, c, h * scale.0, w * scale.1])
}

private func poolGeometry(_ x: Tensor, _ k: (Int, Int), _ s: (Int, Int), _ p: (Int, Int),
                          op: String) -> (Int, Int, Int, Int, Int, Int) {
    shapeCheck(x.rank == 4, "\(op): input must be (N, C, H, W), got shape \(x.shape)")
    shapeCheck(k.0 >= 1 && k.1 >= 1 && s.0 >= 1 && s.1 >= 1 && p.0 >= 0 && p.1 >= 0,
               "\(op): kernel \(k) and stride \(s) must be positive, padding \(p) non-negative")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    shapeCheck(h + 2 * p.0 >= k.0 && w + 2 * p.1 >= k.1, "\(op): kernel \(k) is larger than the padded input \(x.shape)")
    return (n, c, h, w, (h + 2 * p.0 - k.0) / s.0 + 1, (w + 2 * p.1 - k.1) / s.1 + 1)
}
